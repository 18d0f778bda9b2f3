// pyheap/float.hpp — Float, an immutable boxed double.
//
// Concept. A Float is the 8-byte header and a double: 16 bytes, one allocator block of the
// smallest class (CPython 3.11's float object: 24 bytes, in a 32-byte block). It holds no
// references, so it is never tracked by the collector. No cache: as in CPython, every make()
// returns a new object.
//
// Invariant: value() never changes.
#pragma once

#include "pyheap/internal/export.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"

namespace pyheap {

class PYHEAP_API Float : public Object {
 public:
  // Its destructor only forgets caches (tracer.hpp): dying in any order cannot be observed.
  using silent_destructor = Float;
  static Ref<Float> make(Heap& heap, double value,
                         SourceLocation site = SourceLocation::current()) {
    return heap.make_at<Float>(site, value);
  }

  double value() const noexcept { return value_; }

  explicit Float(double v) noexcept : value_(v) {}

 private:
  double value_;
};

}  // namespace pyheap
