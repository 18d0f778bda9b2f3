// Weak references: the per-referent lists live in a side table of the heap, so objects that are
// never weakly referenced pay one flag bit, not a pointer, for the feature.
//
// Invariant: weak_heads_[o] exists  <=>  o has kFlagHasWeakrefs  <=>  o's list is non-empty; every
// WeakReference in o's list has referent_ == o.
#include <stdexcept>

#include "pyheap/internal/check.hpp"
#include "pyheap/heap.hpp"

namespace pyheap {

WeakReference::WeakReference(Object* referent, Callback callback) : callback_(std::move(callback)) {
  if (referent == nullptr) throw std::invalid_argument("pyheap: weak reference to nothing");
  Heap::of(referent).link_weakref(this, referent);
}

WeakReference::~WeakReference() {
  if (referent_) Heap::of(referent_).unlink_weakref(this);
}

Ref<Object> WeakReference::lock() const noexcept {
  // A referent whose count is zero is being destroyed (or waits in the trashcan): already dead.
  if (referent_ == nullptr || referent_->refcount() == 0) return {};
  return Ref<Object>::borrow(referent_);
}

namespace detail {
Ref<WeakReference> make_weak_reference(Object* referent, WeakReference::Callback callback) {
  if (referent == nullptr) throw std::invalid_argument("pyheap: weak reference to nothing");
  return Heap::of(referent).make<WeakReference>(referent, std::move(callback));
}
}  // namespace detail

void Heap::link_weakref(WeakReference* wr, Object* referent) {
  if (type_of(*referent).is_weakref)
    throw std::invalid_argument("pyheap: cannot create a weak reference to a weak reference object");
  auto [it, inserted] = weak_heads_.try_emplace(referent, wr);
  if (!inserted) {
    wr->next_ = it->second;
    it->second->prev_ = wr;
    it->second = wr;
  }
  wr->referent_ = referent;
  referent->ob_.flags |= detail::kFlagHasWeakrefs;
}

void Heap::unlink_weakref(WeakReference* wr) noexcept {
  Object* referent = wr->referent_;
  PYHEAP_ASSERT(referent != nullptr);
  if (wr->prev_) {
    wr->prev_->next_ = wr->next_;
  } else {
    auto it = weak_heads_.find(referent);
    PYHEAP_ASSERT(it != weak_heads_.end() && it->second == wr);
    if (wr->next_) {
      it->second = wr->next_;
    } else {
      weak_heads_.erase(it);
      referent->ob_.flags &= static_cast<std::uint8_t>(~detail::kFlagHasWeakrefs);
    }
  }
  if (wr->next_) wr->next_->prev_ = wr->prev_;
  wr->referent_ = nullptr;
  wr->prev_ = wr->next_ = nullptr;
}

void Heap::clear_weakrefs(Object* o, std::vector<WeakReference*>* callbacks,
                          bool (*skip_callback)(const WeakReference*)) noexcept {
  auto it = weak_heads_.find(o);
  o->ob_.flags &= static_cast<std::uint8_t>(~detail::kFlagHasWeakrefs);
  if (it == weak_heads_.end()) return;
  WeakReference* wr = it->second;
  weak_heads_.erase(it);
  // Clear all first, then (in the caller) call: a callback must find every weak reference to
  // the dying object already dead.
  while (wr) {
    WeakReference* next = wr->next_;
    wr->referent_ = nullptr;
    wr->prev_ = wr->next_ = nullptr;
    if (callbacks && wr->callback_ && wr->refcount() > 0 && !(skip_callback && skip_callback(wr))) {
      try {
        callbacks->push_back(wr);
        wr->incref();
      } catch (...) {
        // Out of memory for the list: this callback is lost, the reference is still cleared.
      }
    }
    wr = next;
  }
}

void Heap::run_weakref_callbacks(std::vector<WeakReference*>& wrs) noexcept {
  for (WeakReference* wr : wrs) {
    try {
      wr->callback_(*wr);
    } catch (...) {
      report_unraisable(std::current_exception(), "weakref callback", wr);
    }
    wr->decref();
  }
  wrs.clear();
}

std::size_t Heap::weakref_count(const Object* o) const noexcept {
  auto it = weak_heads_.find(o);
  std::size_t n = 0;
  for (WeakReference* wr = it == weak_heads_.end() ? nullptr : it->second; wr; wr = wr->next_) ++n;
  return n;
}

}  // namespace pyheap
