// Requests above kMaxSmallSize: std::malloc with a 32-byte LargeHeader in front (large.hpp),
// so the user pointer keeps malloc's 16-byte alignment, owner_of() can read the owner back and
// for_each_block can find every live large block through the list the headers form.
#include <cstdlib>
#include <limits>
#include <new>

#include "alloc/allocator_state.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap::detail {

using alloc::LargeHeader;

void* AllocatorState::allocate_large(std::size_t size, unsigned tag) {
  if (fail_countdown != 0) count_down_failure();
  if (size > LargeHeader::kMaxSize - sizeof(LargeHeader)) throw std::bad_alloc();
  if (held + size > limit) over_limit(size);  // size < 2^56: no overflow
  void* raw = std::malloc(sizeof(LargeHeader) + size);
  if (raw == nullptr) throw std::bad_alloc();
  auto* h = static_cast<LargeHeader*>(raw);
  h->owner = self;
  h->size = size;
  h->tag = tag;
  h->prev = nullptr;
  h->next = large;
  if (large != nullptr) large->prev = h;
  large = h;
  ++large_tagged[tag];
  ++large_count;
  large_bytes += size;
  held += size;
  ++large_count_total;
  large_bytes_total += size;
  return h->user();
}

void AllocatorState::deallocate_large(void* p, std::size_t size) noexcept {
  LargeHeader* h = LargeHeader::of(p);
  PYHEAP_ASSERT(h->owner == self);
  PYHEAP_ASSERT(h->size == size);  // wrong size passed to deallocate
  PYHEAP_ASSERT(large_count > 0 && large_bytes >= size && large_tagged[h->tag] > 0);
  if (h->prev != nullptr) h->prev->next = h->next; else large = h->next;
  if (h->next != nullptr) h->next->prev = h->prev;
  --large_tagged[h->tag];
  --large_count;
  large_bytes -= size;
  held -= size;
  std::free(h);
}

SmallObjectAllocator* AllocatorState::large_owner(const void* p) noexcept {
  return LargeHeader::of(p)->owner;
}

}  // namespace pyheap::detail
