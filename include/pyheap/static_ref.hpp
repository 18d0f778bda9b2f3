// pyheap/static_ref.hpp — StaticRef<T>: a reference in static storage that its heap resets.
//
//   pyheap::StaticRef<const Node> kNil;         // a global, or a function-local static
//   int main() {
//     pyheap::Heap heap;
//     kNil = heap.make<Node>();                 // a constant shared by the program
//     ...
//   }                                           // ~Heap resets kNil, then frees what is left
//
// Concept. A plain Ref in static storage is destroyed at exit, in the reverse order of
// construction, which may well be after its heap (a heap local to main, or a global defined in
// another file): its destructor then drops a count in freed memory, and the heap, destroyed
// first, reports the object as still referenced from outside. A StaticRef is the same owning
// reference, listed with the heap of the object it holds: ~Heap resets every StaticRef into it
// before it collects (as CPython clears module globals at shutdown before its last collection),
// so what they held is freed with the heap and reported by nobody; the StaticRef's own
// destructor then has nothing left to drop. One destroyed while its heap lives drops its count
// as a Ref would.
//
// Invariants:
//   - a StaticRef holds one count of its object, or nothing; when it holds one, it is linked in
//     the list of its object's heap (Heap::of), and nowhere else;
//   - it is constant-initialized (constexpr default constructor), so it has no place in the order
//     of dynamic initialization and can be used from any other static's constructor;
//   - assignment stores the new object before it releases the old one (Ref's rule);
//   - it is used on its heap's thread, as every Ref is; it is neither copied nor moved (its
//     address is what the heap lists).
// For objects that must never be freed while the heap lives, also make them immortal
// (Heap::make_immortal): counts on them then never reach zero.
#pragma once

#include <cstddef>
#include <type_traits>

#include "pyheap/internal/export.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"

namespace pyheap {

namespace detail {
// What the heap sees of a StaticRef: an intrusive list per heap, walked by ~Heap.
struct StaticRoot {
  Heap* heap = nullptr;
  Object* object = nullptr;  // one count owned; null when empty
  StaticRoot* prev = nullptr;
  StaticRoot* next = nullptr;
};
// Makes r hold o (whose count the caller hands over; null empties r): links r with Heap::of(o),
// then releases what r held before.
PYHEAP_API void set_static_root(StaticRoot* r, Object* o) noexcept;
}  // namespace detail

template <class T>
class StaticRef {
 public:
  using element_type = T;

  constexpr StaticRef() noexcept = default;
  StaticRef(const StaticRef&) = delete;
  StaticRef& operator=(const StaticRef&) = delete;
  ~StaticRef() { reset(); }

  template <class U>
    requires std::is_convertible_v<U*, T*>
  StaticRef& operator=(Ref<U> r) noexcept {
    T* p = r.release();
    detail::set_static_root(&root_, p ? const_cast<Object*>(static_cast<const Object*>(p)) : nullptr);
    return *this;
  }
  StaticRef& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }
  void reset() noexcept {
    if (root_.object != nullptr) detail::set_static_root(&root_, nullptr);
  }

  T* get() const noexcept { return root_.object ? static_cast<T*>(root_.object) : nullptr; }
  T* operator->() const noexcept { return get(); }
  T& operator*() const noexcept { return *get(); }
  explicit operator bool() const noexcept { return root_.object != nullptr; }
  // A counted Ref to the object (null if empty), to pass on or keep.
  Ref<T> ref() const noexcept { return Ref<T>::borrow(get()); }
  operator Ref<T>() const noexcept { return ref(); }

  template <class U>
  bool operator==(const Ref<U>& r) const noexcept {
    return root_.object == static_cast<const Object*>(r.get());
  }
  bool operator==(std::nullptr_t) const noexcept { return root_.object == nullptr; }

 private:
  detail::StaticRoot root_;
};

}  // namespace pyheap
