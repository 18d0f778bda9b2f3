// pyheap/ref_array.hpp — RefArray<T>: a heap array of references, what `new T*[n]` was.
//
//   auto slots = pyheap::RefArray<Node>::make(heap, 64);   // 64 empty Ref<Node>, one block
//   (*slots)[3] = heap.make<Node>();
//   for (pyheap::Ref<Node>& r : *slots) ...;
//
// Concept. A heap object of a length fixed when it is made, whose n references live inline,
// right after its 16-byte head (header and length), in the same block: one allocation, one
// pointer to follow, and n * 8 bytes of references (a std::vector<Ref<T>> member costs its
// owner 24 bytes and a second block; a List holds Ref<Object> and grows). It is a container:
// tracked, its trace hook reports every element, so cycles through it are collected, and a
// collection that breaks a cycle empties it (every element reset, as CPython's tp_clear of a
// tuple would).
//
// Invariants:
//   - size() never changes; the block is exactly 8 (collector word) + 16 + 8 * size() bytes
//     (Heap::make_var: trailing_bytes() says so to the free);
//   - elements start empty and may be null; assignment follows Ref's rules (the new value is
//     stored before the old one is released);
//   - when the array dies its elements are released last to first (CPython's order for a list's
//     or a tuple's items).
// Where its length is known in the type, a std::array<Ref<T>, N> member does the same inside an
// object of one's own; where it must grow, a std::vector<Ref<T>> member or a pyheap::List.
#pragma once

#include <cstddef>
#include <limits>
#include <new>
#include <span>
#include <stdexcept>

#include "pyheap/heap.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"
#include "pyheap/tracer.hpp"

namespace pyheap {

template <class T>
class RefArray final : public Object {
 public:
  using value_type = Ref<T>;
  using iterator = Ref<T>*;
  using const_iterator = const Ref<T>*;

  // n empty references. Throws std::length_error if n * 8 bytes cannot be asked for, and
  // std::bad_alloc as any make.
  static Ref<RefArray> make(Heap& heap, std::size_t n, SourceLocation site = SourceLocation::current()) {
    if (n > std::numeric_limits<std::size_t>::max() / 2 / sizeof(Ref<T>))
      throw std::length_error("pyheap::RefArray: too many elements");
    return heap.make_var_at<RefArray>(site, n * sizeof(Ref<T>), n);
  }

  std::size_t size() const noexcept { return n_; }
  bool empty() const noexcept { return n_ == 0; }

  Ref<T>& operator[](std::size_t i) noexcept {
    PYHEAP_ASSERT(i < n_);
    return data()[i];
  }
  const Ref<T>& operator[](std::size_t i) const noexcept {
    PYHEAP_ASSERT(i < n_);
    return data()[i];
  }
  Ref<T>& at(std::size_t i) {
    if (i >= n_) throw std::out_of_range("pyheap::RefArray::at: index out of range");
    return data()[i];
  }
  const Ref<T>& at(std::size_t i) const {
    if (i >= n_) throw std::out_of_range("pyheap::RefArray::at: index out of range");
    return data()[i];
  }

  Ref<T>* data() noexcept { return std::launder(reinterpret_cast<Ref<T>*>(reinterpret_cast<char*>(this) + sizeof(*this))); }
  const Ref<T>* data() const noexcept {
    return std::launder(reinterpret_cast<const Ref<T>*>(reinterpret_cast<const char*>(this) + sizeof(*this)));
  }
  iterator begin() noexcept { return data(); }
  iterator end() noexcept { return data() + n_; }
  const_iterator begin() const noexcept { return data(); }
  const_iterator end() const noexcept { return data() + n_; }
  std::span<Ref<T>> span() noexcept { return {data(), n_}; }
  std::span<const Ref<T>> span() const noexcept { return {data(), n_}; }

  // Every element set to r (each store releases what it replaces).
  void fill(const Ref<T>& r) noexcept {
    for (Ref<T>& slot : *this) slot = r;
  }

  void trace(Tracer& t) {
    for (Ref<T>& slot : *this) t(slot);
  }
  std::size_t trailing_bytes() const noexcept { return n_ * sizeof(Ref<T>); }

 private:
  friend class Access;
  explicit RefArray(std::size_t n) noexcept : n_(n) {
    for (std::size_t i = 0; i < n; ++i) ::new (static_cast<void*>(data() + i)) Ref<T>();
  }
  ~RefArray() {
    for (std::size_t i = n_; i-- > 0;) data()[i].~Ref<T>();
  }

  std::size_t n_;
};

}  // namespace pyheap
