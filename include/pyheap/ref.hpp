// pyheap/ref.hpp — Ref<T>, the intrusive strong reference.
//
// A Ref owns one count of the object's refcnt. Copying increments it, destruction decrements it,
// and the decrement that reaches zero destroys the object on the spot (Heap::deallocate). Counts are
// not atomic: a Ref must only be touched on its heap's thread.
//
// Invariant: a non-null Ref always points to an object with refcnt >= 1. Assignment stores the new
// pointer before releasing the old one, so code run by the release (finalizers, weak-reference
// callbacks) never sees a slot that points to a dying object (CPython's Py_SETREF rule).
//
// Casts (as std::shared_ptr's): Ref<Base> accepts a Ref<Derived>, Ref<const T> accepts a Ref<T>;
// static_ref_cast<To> downcasts when the caller knows the dynamic type; dynamic_ref_cast<To> asks
// the type's vtable (polymorphic types only) and gives a null Ref when the object is not a To;
// const_ref_cast<T> takes the const off (std::const_pointer_cast's job).
//
// Constness: a Ref<const T> gives const access to the object. Its count still changes, as a
// shared_ptr<const T>'s does: the count is pyheap's bookkeeping, not the object's state (the
// object itself is never const: make<const T> does not compile; make a T, hold a Ref<const T>).
//
// Comparisons (as raw pointers compare): two Refs are equal when they name the same object,
// whatever base each views it through; a Ref equals a raw pointer of a related type (a base or a
// derived class of T, cv-qualified or not) to the same object, and nullptr when it is empty.
// <=> orders Refs by the address of their objects (std::set<Ref<T>>, std::map keys), as
// std::less orders the raw pointers they replace.
//
// A reference to `this`: ref_from_this(this) in a member function gives a new Ref to the object
// (what enable_shared_from_this gives a shared_ptr, with no weak pointer stored in the object: the
// count is in the header); in a const member function, a Ref<const T>. It works in T's
// constructor too: make writes the header before the constructor runs (object.hpp), so a
// constructor may register its object with others. Refused in every build where there is no
// count to share: inside the destructor (count 0) and on an object no Heap made.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <type_traits>
#include <utility>

#include "pyheap/internal/check.hpp"
#include "pyheap/object.hpp"

namespace pyheap {

template <class T>
class Ref {
 public:
  using element_type = T;

  constexpr Ref() noexcept = default;
  constexpr Ref(std::nullptr_t) noexcept {}
  Ref(const Ref& other) noexcept : p_(other.p_) {
    if (p_) obj(p_)->incref();
  }
  Ref(Ref&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  template <class U>
    requires std::is_convertible_v<U*, T*>
  Ref(const Ref<U>& other) noexcept : p_(other.get()) {
    if (p_) obj(p_)->incref();
  }
  template <class U>
    requires std::is_convertible_v<U*, T*>
  Ref(Ref<U>&& other) noexcept : p_(other.release()) {}

  ~Ref() {
    if (p_) obj(p_)->decref();
  }

  Ref& operator=(const Ref& other) noexcept {
    T* np = other.p_;
    if (np) obj(np)->incref();
    T* old = std::exchange(p_, np);
    if (old) obj(old)->decref();
    return *this;
  }
  Ref& operator=(Ref&& other) noexcept {
    if (this != &other) {
      T* old = std::exchange(p_, std::exchange(other.p_, nullptr));
      if (old) obj(old)->decref();
    }
    return *this;
  }
  Ref& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }

  // Empties the slot first, then drops the count (Py_CLEAR).
  void reset() noexcept {
    T* old = std::exchange(p_, nullptr);
    if (old) obj(old)->decref();
  }

  // Takes ownership of one count the caller already holds.
  [[nodiscard]] static Ref adopt(T* p) noexcept {
    Ref r;
    r.p_ = p;
    return r;
  }
  // Adds a count to an object the caller only borrows.
  [[nodiscard]] static Ref borrow(T* p) noexcept {
    if (p) obj(p)->incref();
    return adopt(p);
  }
  // Gives up ownership of the count without decrementing it.
  [[nodiscard]] T* release() noexcept { return std::exchange(p_, nullptr); }

  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  T& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }

  // Compared as Object*: a Ref<Base> and a Ref<Derived> to one object hold different addresses
  // when Base is not Derived's first base.
  template <class U>
  bool operator==(const Ref<U>& o) const noexcept {
    return static_cast<const Object*>(p_) == static_cast<const Object*>(o.get());
  }
  bool operator==(std::nullptr_t) const noexcept { return p_ == nullptr; }
  // A raw pointer of a related type (p == ref is the same comparison, rewritten): compared in the
  // base of the two, so a Mixin* and a Ref<Derived> to one object are equal.
  template <class U>
    requires(std::is_base_of_v<std::remove_cv_t<U>, std::remove_cv_t<T>> ||
             std::is_base_of_v<std::remove_cv_t<T>, std::remove_cv_t<U>>)
  bool operator==(U* p) const noexcept {
    if constexpr (std::is_base_of_v<std::remove_cv_t<U>, std::remove_cv_t<T>>) {
      return static_cast<const volatile U*>(p_) == p;
    } else {
      return p_ == static_cast<const volatile T*>(p);
    }
  }
  template <class U>
  std::strong_ordering operator<=>(const Ref<U>& o) const noexcept {
    return std::compare_three_way{}(static_cast<const Object*>(p_), static_cast<const Object*>(o.get()));
  }

 private:
  // The count is bookkeeping, also through a Ref<const T> (the top of this file).
  static Object* obj(T* p) noexcept { return const_cast<Object*>(static_cast<const Object*>(p)); }
  T* p_ = nullptr;
};

// Downcast: the caller vouches for the dynamic type (checked with type ids in debug builds by
// callers that know them, e.g. Heap::is_a).
template <class To, class From>
Ref<To> static_ref_cast(const Ref<From>& r) noexcept {
  return Ref<To>::borrow(static_cast<To*>(r.get()));
}

// Down- or cross-cast by the dynamic type: a Ref to the same object if it is a To, else null.
template <class To, class From>
Ref<To> dynamic_ref_cast(const Ref<From>& r) noexcept {
  static_assert(std::is_polymorphic_v<From>,
                "dynamic_ref_cast needs a polymorphic source type (one with a virtual function); "
                "pyheap::Object has no vtable: test a Ref<Object> with Heap::is_a<T> and use "
                "static_ref_cast");
  return Ref<To>::borrow(dynamic_cast<To*>(r.get()));
}
// The same, taking r's count over on success (r is then null; on failure r is left as it was).
template <class To, class From>
Ref<To> dynamic_ref_cast(Ref<From>&& r) noexcept {
  static_assert(std::is_polymorphic_v<From>,
                "dynamic_ref_cast needs a polymorphic source type (one with a virtual function); "
                "pyheap::Object has no vtable: test a Ref<Object> with Heap::is_a<T> and use "
                "static_ref_cast");
  To* p = dynamic_cast<To*>(r.get());
  if (p == nullptr) return {};
  (void)r.release();
  return Ref<To>::adopt(p);
}

// The const taken off (the caller knows the object may be changed through it).
template <class To, class From>
  requires std::is_same_v<std::remove_cv_t<To>, std::remove_cv_t<From>>
Ref<To> const_ref_cast(const Ref<From>& r) noexcept {
  return Ref<To>::borrow(const_cast<To*>(r.get()));
}
template <class To, class From>
  requires std::is_same_v<std::remove_cv_t<To>, std::remove_cv_t<From>>
Ref<To> const_ref_cast(Ref<From>&& r) noexcept {
  return Ref<To>::adopt(const_cast<To*>(r.release()));
}

namespace detail {
[[noreturn, gnu::cold]] PYHEAP_API void ref_from_this_without_count(const Object* o) noexcept;
}

// A new Ref to the object `self` points to, from inside one of its member functions, its
// constructor included (Ref<const T> from a const one; see the top of this file for where it is
// refused).
template <class T>
Ref<T> ref_from_this(T* self) noexcept {
  static_assert(std::is_base_of_v<Object, std::remove_cv_t<T>>, "ref_from_this takes a pointer to a heap object");
  const Object* o = static_cast<const Object*>(self);
  PYHEAP_ASSERT(self != nullptr);
  if (o->refcount() == 0) [[unlikely]] detail::ref_from_this_without_count(o);
  return Ref<T>::borrow(self);
}

}  // namespace pyheap

template <class T>
struct std::hash<pyheap::Ref<T>> {
  std::size_t operator()(const pyheap::Ref<T>& r) const noexcept {
    return std::hash<const pyheap::Object*>{}(static_cast<const pyheap::Object*>(r.get()));
  }
};
