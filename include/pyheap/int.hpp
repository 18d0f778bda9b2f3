// pyheap/int.hpp — Int, an immutable boxed 64-bit integer.
//
// Concept. An Int is the 8-byte header and an int64_t: 16 bytes, one allocator block of the
// smallest class (CPython 3.11's int object: 28 bytes, in a 32-byte block). Unlike Python's int it
// does not grow past 64 bits. It holds no references, so it is not a container: never tracked,
// never counted by collect().
//
// Small-integer cache (as CPython's, per heap): Int::make(heap, v) for -5 <= v <= 256 returns the
// heap's one Int of that value, made immortal the first time it is asked for, so the common
// values cost no allocation and Refs to them are shared (identity comparisons hold, as `is` does
// in CPython). Other values get a fresh object each time.
//
// Invariants: value() never changes; there is at most one Int of each cached value in a heap,
// and it lives until the heap is destroyed.
#pragma once

#include <cstdint>

#include "pyheap/internal/export.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"

namespace pyheap {

class PYHEAP_API Int : public Object {
  struct Private {
    explicit Private() = default;
  };

 public:
  // Its destructor only forgets caches (tracer.hpp): dying in any order cannot be observed.
  using silent_destructor = Int;
  // A cached value is made, and its site recorded, by the heap's first make of it.
  static Ref<Int> make(Heap& heap, std::int64_t value,
                       SourceLocation site = SourceLocation::current());
  // Whether make(heap, value) returns a shared, immortal object.
  static constexpr bool is_cached(std::int64_t value) noexcept { return value >= -5 && value <= 256; }

  std::int64_t value() const noexcept { return value_; }

  Int(Private, std::int64_t v) noexcept : value_(v) {}
  ~Int();

 private:
  std::int64_t value_;
};

}  // namespace pyheap
