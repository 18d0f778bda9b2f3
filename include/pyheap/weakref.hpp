// pyheap/weakref.hpp — weak references that follow CPython's rules.
//
// A WeakReference is itself a heap object (as CPython's weakref objects are): it can be stored in
// other objects, it can be part of cyclic garbage, and it is tracked by the collector. It points
// at its referent without owning a count. WeakRef<T> is the typed handle users hold: a strong
// reference to the weak reference object, with lock() to get at the referent.
//
// Rules (CPython 3.11's):
//   - When the referent dies by reference counting, every weak reference to it is cleared first,
//     then the callbacks of those that have one run, each with its weak reference object.
//   - When the referent is found to be cyclic garbage, its weak references are cleared before any
//     finalizer of the garbage runs; callbacks run only for weak reference objects that are not
//     themselves part of the garbage. A weak reference object that is part of the garbage is
//     cleared whatever its referent is, without its callback.
//   - An object resurrected by its finalizer during a collection stays alive, but the weak
//     references cleared before the finalizers ran stay cleared.
//   - Weak references to weak reference objects are refused (std::invalid_argument).
//   - An exception escaping a callback goes to the heap's unraisable hook.
//
// Invariant: referent_ != nullptr  <=>  this object is linked in the referent's weak list, and the
// referent has kFlagHasWeakrefs.
#pragma once

#include <functional>

#include "pyheap/internal/export.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"
#include "pyheap/tracer.hpp"

namespace pyheap {

class PYHEAP_API WeakReference : public Object {
 public:
  using Callback = std::function<void(WeakReference&)>;

  // Registers with the referent's heap. The referent must be alive.
  explicit WeakReference(Object* referent, Callback callback = {});
  ~WeakReference();

  // The referent if it is still alive, or null.
  Ref<Object> lock() const noexcept;
  bool expired() const noexcept { return referent_ == nullptr; }
  bool has_callback() const noexcept { return static_cast<bool>(callback_); }
  // The referent without a count (may be null); for introspection.
  Object* peek() const noexcept { return referent_; }

  // Weak reference objects hold no strong references, but they are containers so the collector
  // can count them among garbage exactly as CPython does.
  void trace(Tracer&) {}

 private:
  friend class Heap;
  friend class Collector;
  friend struct WeakList;
  Object* referent_ = nullptr;
  WeakReference* prev_ = nullptr;
  WeakReference* next_ = nullptr;
  Callback callback_;
};

namespace detail {
PYHEAP_API Ref<WeakReference> make_weak_reference(Object* referent, WeakReference::Callback callback);
}

template <class T>
class WeakRef {
 public:
  WeakRef() = default;
  // Creates a new weak reference object in the referent's heap.
  explicit WeakRef(const Ref<T>& referent, WeakReference::Callback callback = {})
      : handle_(detail::make_weak_reference(const_cast<Object*>(static_cast<const Object*>(referent.get())),
                                            std::move(callback))) {}

  Ref<T> lock() const noexcept {
    if (!handle_) return {};
    Ref<Object> o = handle_->lock();
    return Ref<T>::adopt(static_cast<T*>(o.release()));
  }
  bool expired() const noexcept { return !handle_ || handle_->expired(); }
  void reset() noexcept { handle_.reset(); }
  explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

  Ref<WeakReference>& handle() noexcept { return handle_; }
  const Ref<WeakReference>& handle() const noexcept { return handle_; }

 private:
  Ref<WeakReference> handle_;
};

}  // namespace pyheap
