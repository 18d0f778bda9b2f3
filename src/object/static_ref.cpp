// StaticRef's list (pyheap/static_ref.hpp): each heap links the StaticRefs holding its objects,
// and resets them first when it is destroyed (Heap::~Heap).
#include "pyheap/static_ref.hpp"

#include "pyheap/heap.hpp"

namespace pyheap::detail {

namespace {
void unlink(StaticRoot* r, StaticRoot*& head) noexcept {
  (r->prev ? r->prev->next : head) = r->next;
  if (r->next) r->next->prev = r->prev;
  r->prev = r->next = nullptr;
  r->heap = nullptr;
}
}  // namespace

void set_static_root(StaticRoot* r, Object* o) noexcept {
  Object* old = r->object;
  if (r->heap != nullptr) unlink(r, r->heap->static_roots_);
  r->object = o;
  if (o != nullptr) {
    Heap& h = Heap::of(o);
    h.check_thread();
    r->heap = &h;
    r->next = h.static_roots_;
    if (r->next) r->next->prev = r;
    h.static_roots_ = r;
  }
  // Last, as Ref's assignment: code the release runs sees the new value.
  if (old != nullptr) old->decref();
}

}  // namespace pyheap::detail
