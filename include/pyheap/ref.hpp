// pyheap/ref.hpp — Ref<T>, the intrusive strong reference.
//
// A Ref owns one count of the object's refcnt. Copying increments it, destruction decrements it,
// and the decrement that reaches zero destroys the object on the spot (Heap::deallocate). Counts are
// not atomic: a Ref must only be touched on its heap's thread.
//
// Invariant: a non-null Ref always points to an object with refcnt >= 1. Assignment stores the new
// pointer before releasing the old one, so code run by the release (finalizers, weak-reference
// callbacks) never sees a slot that points to a dying object (CPython's Py_SETREF rule).
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <type_traits>
#include <utility>

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

  template <class U>
  bool operator==(const Ref<U>& o) const noexcept {
    return static_cast<const void*>(p_) == static_cast<const void*>(o.get());
  }
  bool operator==(std::nullptr_t) const noexcept { return p_ == nullptr; }

 private:
  static Object* obj(T* p) noexcept { return static_cast<Object*>(p); }
  T* p_ = nullptr;
};

// Downcast: the caller vouches for the dynamic type (checked with type ids in debug builds by
// callers that know them, e.g. Heap::is_a).
template <class To, class From>
Ref<To> static_ref_cast(const Ref<From>& r) noexcept {
  return Ref<To>::borrow(static_cast<To*>(r.get()));
}

}  // namespace pyheap

template <class T>
struct std::hash<pyheap::Ref<T>> {
  std::size_t operator()(const pyheap::Ref<T>& r) const noexcept { return std::hash<T*>{}(r.get()); }
};
