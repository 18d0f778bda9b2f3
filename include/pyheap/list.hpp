// pyheap/list.hpp — List, a growable array of object references.
//
// Concept. A 24-byte object (header, item pointer, 32-bit size and capacity; with the collector
// word one 32-byte block, CPython 3.11's list: 56 bytes) that owns a separate array of
// Ref<Object>. The array comes from the heap's SmallObjectAllocator, which serves arrays of up
// to 64 items from its pools and larger ones from malloc, counted in the same statistics.
//
// Growth policy (CPython 3.11's list_resize, so that capacities, and with them getsizeof, match
// CPython's for the same sequence of operations): resizing to n keeps the array while
// capacity/2 <= n <= capacity; otherwise the new capacity is n + n/8 + 6 rounded down to a
// multiple of 4 -- unless that leaves more spare room than the growth asked for (n - size), in
// which case it is n rounded up to a multiple of 4; and 0 for n == 0. So appends cost amortized
// O(1), and a list shrinks once it is less than half full. make(heap, {items}) allocates exactly
// its items (as CPython's list display does).
//
// Invariants:
//   - size() <= capacity() < 2^32; items_ is null exactly when capacity() == 0;
//   - items are never null (std::invalid_argument);
//   - a store puts the new item in place before releasing the old one, and clear() empties the
//     list before releasing anything (CPython's order), so code run by a release (a finalizer, a
//     weak reference callback) always sees a consistent list, and may even modify it;
//   - items are released last to first when the list dies or is cleared (CPython's order).
// Iterators and references into the list are invalidated by any modification, as std::vector's.
// A list is a container: always tracked by the collector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

#include "pyheap/internal/export.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"
#include "pyheap/tracer.hpp"

namespace pyheap {

class PYHEAP_API List : public Object {
  struct Private {
    explicit Private() = default;
  };

 public:
  using value_type = Ref<Object>;
  using const_iterator = const Ref<Object>*;

  static Ref<List> make(Heap& heap, SourceLocation site = SourceLocation::current()) {
    return heap.make_at<List>(site, Private{});
  }
  static Ref<List> make(Heap& heap, std::span<const Ref<Object>> items,
                        SourceLocation site = SourceLocation::current());
  static Ref<List> make(Heap& heap, std::initializer_list<Ref<Object>> items,
                        SourceLocation site = SourceLocation::current()) {
    return make(heap, std::span<const Ref<Object>>(items.begin(), items.size()), site);
  }

  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  bool empty() const noexcept { return size_ == 0; }
  const Ref<Object>& operator[](std::size_t i) const noexcept { return items_[i]; }
  const Ref<Object>& at(std::size_t i) const;  // throws std::out_of_range
  const_iterator begin() const noexcept { return items_; }
  const_iterator end() const noexcept { return items_ + size_; }

  void append(Ref<Object> item);
  // Appends every item (one resize, as CPython's extend of a sized sequence). The items may come
  // from this very list.
  void extend(std::span<const Ref<Object>> items);
  // Inserts before position i (i <= size()).
  void insert(std::size_t i, Ref<Object> item);
  void set(std::size_t i, Ref<Object> item);
  // Removes and returns the item at i (the last one by default).
  Ref<Object> pop();
  Ref<Object> pop(std::size_t i);
  void clear() noexcept;

  // The capacity a resize to n gives a list of the given size and capacity (the policy above).
  static std::size_t grown_capacity(std::size_t size, std::size_t capacity, std::size_t n) noexcept;

  // Collector and getsizeof hooks. ref_array: the collector reads the items directly (tracer.hpp).
  void trace(Tracer& t);
  std::span<const Ref<Object>> ref_array() const noexcept { return {items_, size_}; }
  using silent_destructor = List;  // ~List releases the items and frees their array, nothing else
  std::size_t owned_bytes() const noexcept;

  explicit List(Private) noexcept {}
  ~List();

 private:
  void resize(std::size_t n);  // size_ := n; new slots (if any) are left unconstructed
  static Ref<Object> checked(Ref<Object> item);

  Ref<Object>* items_ = nullptr;
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = 0;
};

}  // namespace pyheap
