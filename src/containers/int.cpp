// Int: the per-heap small-integer cache.
#include "pyheap/int.hpp"

#include "containers/cache.hpp"

namespace pyheap {

static_assert(detail::kSmallIntMin == -5 && detail::kSmallIntMax == 256, "keep Int::is_cached in step");

Ref<Int> Int::make(Heap& heap, std::int64_t value, SourceLocation site) {
  if (!is_cached(value)) return heap.make_at<Int>(site, Private{}, value);
  Int*& slot = detail::container_cache(heap).small_ints[static_cast<std::size_t>(value - detail::kSmallIntMin)];
  if (!slot) {
    Ref<Int> fresh = heap.make_at<Int>(site, Private{}, value);
    heap.make_immortal(fresh.get());
    slot = fresh.get();  // the immortal count keeps it; the slot only borrows
  }
  return Ref<Int>::borrow(slot);
}

Int::~Int() {
  // Only heap teardown (or make_immortal failing for lack of memory) lets a cached value die;
  // the slot must not keep pointing at it.
  if (is_cached(value_)) {
    Int*& slot = detail::container_cache(Heap::of(this)).small_ints[static_cast<std::size_t>(value_ - detail::kSmallIntMin)];
    if (slot == this) slot = nullptr;
  }
}

}  // namespace pyheap
