// pyheap/array.hpp — Array<T>, a growable array of unboxed numbers (Python's array.array).
//
// Concept. A list of a million Ints costs a million boxes plus a pointer each; an Array<int64_t>
// stores the numbers themselves, 8 bytes each, in one buffer. The object is 24 bytes (header,
// buffer pointer, size and capacity as 4 + 4) in a 32-byte block, untracked (it holds no
// references, so it has no collector word and the collector never sees it):
//
//   [ header | data* | size | capacity ]  ->  [ T T T T ... (capacity) ]
//
// The buffer comes from the heap's allocator (its pools for small buffers, which falls back to
// malloc beyond them; both are in its statistics), so getsizeof and deep_size count it exactly.
//
// Invariants:
//   - size() <= capacity(); data() is null exactly when capacity() == 0;
//   - appends grow the buffer to n + n/16 + 3 or 7 items (the array module's headroom, half a
//     list's), so appends are amortised O(1) and the headroom stays below n/16 + 7 items;
//   - a failed growth (std::bad_alloc) leaves the array unchanged.
// T is one of the built-in arithmetic types (explicitly instantiated in src/containers/array.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <type_traits>

#include "pyheap/internal/export.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"

namespace pyheap {

template <class T>
class PYHEAP_API Array : public Object {
  static_assert(std::is_arithmetic_v<T>, "pyheap::Array holds numbers; use List for objects");
  struct Private {
    explicit Private() = default;
  };

 public:
  using value_type = T;

  static Ref<Array> make(Heap& heap, SourceLocation site = SourceLocation::current()) {
    return heap.make_at<Array>(site, Private{});
  }
  static Ref<Array> make(Heap& heap, std::span<const T> values,
                         SourceLocation site = SourceLocation::current());
  static Ref<Array> make(Heap& heap, std::initializer_list<T> values,
                         SourceLocation site = SourceLocation::current()) {
    return make(heap, std::span<const T>(values.begin(), values.size()), site);
  }

  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  bool empty() const noexcept { return size_ == 0; }
  T operator[](std::size_t i) const noexcept { return data_[i]; }
  // Throw std::out_of_range.
  T at(std::size_t i) const;
  void set(std::size_t i, T value);
  void append(T value);
  void pop_back();  // throws std::out_of_range when empty
  void reserve(std::size_t n);
  void clear() noexcept;
  std::span<const T> span() const noexcept { return {data_, size_}; }
  const T* data() const noexcept { return data_; }

  // The capacity append() grows a full array of `size` items to when it needs room for n.
  // An array's headroom is smaller than a list's: its items are unboxed, so a typed array is
  // chosen for bulk numeric data where every spare slot is pure waste. n/16 plus 3 items (7 once
  // the array holds 8) keeps appends amortised O(1); it is the array module's rule, so the tour's
  // array('d') and Array<double> grow through the same capacities and differ only by headers.
  static std::size_t grown_capacity(std::size_t size, std::size_t n) noexcept {
    return n + (n >> 4) + (size < 8 ? 3 : 7);
  }
  // getsizeof hook: the buffer's block.
  std::size_t owned_bytes() const noexcept;

  explicit Array(Private) noexcept {}
  ~Array() { clear(); }

 private:
  void reallocate(std::size_t cap);

  T* data_ = nullptr;
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = 0;
};

#define PYHEAP_ARRAY_TYPES(X) \
  X(std::int8_t) X(std::uint8_t) X(std::int16_t) X(std::uint16_t) X(std::int32_t) X(std::uint32_t) \
  X(std::int64_t) X(std::uint64_t) X(float) X(double)
#define PYHEAP_ARRAY_EXTERN(T) extern template class Array<T>;
PYHEAP_ARRAY_TYPES(PYHEAP_ARRAY_EXTERN)
#undef PYHEAP_ARRAY_EXTERN

}  // namespace pyheap
