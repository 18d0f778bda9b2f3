// Giving memory back to the OS.
//  * Empty pools wait, committed, in a FIFO; once more than max_cached_empty_pools wait,
//    the oldest is decommitted with madvise(MADV_DONTNEED) (hysteresis: a pool emptied and
//    refilled in a loop does not pay for a page fault every time).
//  * A completely empty arena is unmapped, except that one may stay mapped, fully
//    decommitted, as the reserve (so an allocate/free cycle at an arena boundary does not
//    mmap/munmap each time). trim() drops the reserve too.
#include <bit>

#include "alloc/allocator_state.hpp"
#include "alloc/os_pages.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap::detail {

using alloc::ArenaRecord;
using alloc::kArenaSize;
using alloc::kPoolSize;
using alloc::PoolHeader;

void AllocatorState::decommit_oldest_empty_pool() noexcept {
  PoolHeader* pool = empty_pools.head;
  PYHEAP_ASSERT(pool != nullptr);
  empty_pools.unlink(pool);
  ArenaRecord* a = pool->arena;
  const std::uint64_t bit = std::uint64_t{1} << a->pool_index(pool);
  PYHEAP_ASSERT((a->free_mask & bit) != 0 && (a->committed_mask & bit) != 0);
  a->committed_mask &= ~bit;
  a->released_mask |= bit;
  ++pools_decommitted;
  ++pools_decommitted_total;
  alloc::decommit(pool->base(), kPoolSize);  // the header is gone from here on
}

void AllocatorState::enforce_empty_pool_cache() noexcept {
  while (empty_pools.count > max_cached_empty_pools) decommit_oldest_empty_pool();
}

void AllocatorState::arena_became_empty(ArenaRecord* a) noexcept {
  // Its committed pools are all in the FIFO: take them out.
  for (std::uint64_t m = a->committed_mask; m != 0; m &= m - 1) {
    const auto i = static_cast<unsigned>(std::countr_zero(m));
    empty_pools.unlink(PoolHeader::at(a->pool_address(i)));
  }
  // a now sits in the last bucket; anyone else there is the existing reserve.
  const bool have_reserve = arenas.reserve() != a || a->next != nullptr;
  if (have_reserve) {
    a->committed_mask = 0;
    unmap_arena(a);
    return;
  }
  // Keep it as the reserve, with nothing resident.
  const int was_committed = std::popcount(a->committed_mask);
  pools_decommitted += static_cast<std::size_t>(was_committed);
  pools_decommitted_total += static_cast<std::size_t>(was_committed);
  a->released_mask |= a->committed_mask;
  a->committed_mask = 0;
  alloc::decommit(reinterpret_cast<void*>(a->base), kArenaSize);
}

void AllocatorState::unmap_arena(ArenaRecord* a) noexcept {
  PYHEAP_ASSERT(a->empty());
  PYHEAP_ASSERT((a->free_mask & a->committed_mask) == 0);  // no pool left in the FIFO
  pools_decommitted -= static_cast<std::size_t>(std::popcount(a->released_mask));
  arenas.remove(a);
  alloc::unmap(reinterpret_cast<void*>(a->base), kArenaSize);
  delete a;
  --arenas_mapped;
  ++arenas_unmapped_total;
}

void AllocatorState::trim() noexcept {
  while (empty_pools.count != 0) decommit_oldest_empty_pool();
  if (ArenaRecord* r = arenas.reserve(); r != nullptr) unmap_arena(r);
  debug_check();
}

AllocatorState::~AllocatorState() {
  // Unmap everything, live blocks or not (the allocator must outlive its blocks).
  for (ArenaRecord*& head : arenas.head) {
    while (head != nullptr) {
      ArenaRecord* a = head;
      head = a->next;
      alloc::unmap(reinterpret_cast<void*>(a->base), kArenaSize);
      delete a;
    }
  }
}

}  // namespace pyheap::detail
