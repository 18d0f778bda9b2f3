#include "pyheap/tuple.hpp"

#include <new>
#include <stdexcept>

#include "containers/cache.hpp"
#include "pyheap/internal/access.hpp"

namespace pyheap {

static_assert(sizeof(Tuple) % alignof(Ref<Object>) == 0, "items follow the object, aligned");

Ref<Tuple> Tuple::make(Heap& heap, std::span<const Ref<Object>> items, SourceLocation site) {
  for (const Ref<Object>& item : items) {
    if (!item) throw std::invalid_argument("pyheap::Tuple: null item");
  }
  if (!items.empty()) return heap.make_var_at<Tuple>(site, items.size() * sizeof(Ref<Object>), Private{}, items);
  Tuple*& slot = detail::container_cache(heap).empty_tuple;
  if (!slot) {
    Ref<Tuple> fresh = heap.make_var_at<Tuple>(site, 0, Private{}, items);
    detail::CollectorAccess::untrack(heap.gc(), fresh.get());  // holds nothing: never part of a cycle
    heap.make_immortal(fresh.get());
    slot = fresh.get();
  }
  return Ref<Tuple>::borrow(slot);
}

Tuple::Tuple(Private, std::span<const Ref<Object>> src) noexcept : size_(src.size()) {
  Ref<Object>* dst = items();
  for (std::size_t i = 0; i < size_; ++i) ::new (static_cast<void*>(dst + i)) Ref<Object>(src[i]);
}

Tuple::~Tuple() {
  if (size_ == 0) {
    // Only heap teardown lets the shared empty tuple die.
    Tuple*& slot = detail::container_cache(Heap::of(this)).empty_tuple;
    if (slot == this) slot = nullptr;
  }
  Ref<Object>* it = items();
  for (std::size_t i = size_; i-- > 0;) it[i].~Ref<Object>();
}

const Ref<Object>& Tuple::at(std::size_t i) const {
  if (i >= size_) throw std::out_of_range("pyheap::Tuple::at");
  return items()[i];
}

void Tuple::trace(Tracer& t) {
  // Visit only: clearing would break immutability for whoever still looks (a finalizer of the
  // same garbage), and is never needed to break a cycle (see the header).
  if (t.mode() != Tracer::Mode::Visit) return;
  Ref<Object>* it = items();
  for (std::size_t i = 0; i < size_; ++i) t.trace_one(it[i]);
}

bool Tuple::gc_can_untrack(int pass) const noexcept {
  if (pass != 0) return false;
  if (size_ == 0) return true;
  const Collector& gc = Heap::of(this).gc();
  for (const Ref<Object>& item : span()) {
    if (detail::may_be_tracked(gc, item.get())) return false;
  }
  return true;
}

}  // namespace pyheap
