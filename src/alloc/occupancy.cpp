// occupancy(): a read-only picture of every arena and pool, for the report's pool map.
//
// Arenas are found through the bucket index (every mapped arena is in exactly one bucket) and
// listed in address order, so two pictures of the same allocator line up. A pool's state comes
// from its arena's masks; only used pools have a valid header to read (an empty pool's header
// may be stale, a decommitted one's is gone).
//
// The invariants it relies on (ArenaRecord and PoolHeader, alloc/arena.hpp and alloc/pool.hpp),
// asserted in debug builds as they are read, so a picture is never drawn from a broken record:
//   nfreepools == popcount(free_mask); a used pool (clear bit of free_mask) is committed and its
//   header names this arena, a size class, and 1 <= nused <= capacity == the class's capacity;
//   released_mask ⊆ free_mask and released ∩ committed == ∅ (so the four states are disjoint);
//   the used pools over all arenas are exactly the allocator's pools in use, and their nused sum
//   is its blocks in use.
#include <algorithm>
#include <bit>

#include "alloc/allocator_state.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap {

using namespace alloc;

std::vector<ArenaOccupancy> SmallObjectAllocator::occupancy() const {
  const detail::AllocatorState& st = *state_;
  std::vector<const ArenaRecord*> arenas;
  for (unsigned k = 0; k <= kPoolsPerArena; ++k)
    for (const ArenaRecord* a = st.arenas.head[k]; a != nullptr; a = a->next) arenas.push_back(a);
  std::sort(arenas.begin(), arenas.end(), [](const ArenaRecord* x, const ArenaRecord* y) { return x->base < y->base; });

  std::vector<ArenaOccupancy> out;
  out.reserve(arenas.size());
  [[maybe_unused]] std::size_t used_pools = 0, used_blocks = 0;
  for (const ArenaRecord* a : arenas) {
    PYHEAP_ASSERT(a->nfreepools == static_cast<unsigned>(std::popcount(a->free_mask)));
    PYHEAP_ASSERT((~a->free_mask & ~a->committed_mask) == 0);
    PYHEAP_ASSERT((a->released_mask & ~a->free_mask) == 0 && (a->released_mask & a->committed_mask) == 0);
    ArenaOccupancy ao;
    ao.base = a->base;
    ao.pools.resize(kPoolsPerArena);
    for (unsigned i = 0; i < kPoolsPerArena; ++i) {
      const std::uint64_t bit = std::uint64_t{1} << i;
      PoolOccupancy& p = ao.pools[i];
      if ((a->free_mask & bit) == 0) {
        const auto* pool = PoolHeader::at(a->pool_address(i));
        PYHEAP_ASSERT(pool->arena == a && pool->szidx < kNumClasses);
        PYHEAP_ASSERT(pool->capacity == class_capacity(pool->szidx));
        PYHEAP_ASSERT(pool->nused >= 1 && pool->nused <= pool->capacity);
        ++used_pools;
        used_blocks += pool->nused;
        p.state = PoolOccupancy::State::InUse;
        p.block_size = static_cast<std::uint32_t>(pool->block_size());
        p.blocks_in_use = pool->nused;
        p.capacity = pool->capacity;
      } else if (a->committed_mask & bit) {
        p.state = PoolOccupancy::State::Empty;
      } else if (a->released_mask & bit) {
        p.state = PoolOccupancy::State::Decommitted;
      } else {
        p.state = PoolOccupancy::State::Untouched;
      }
    }
    out.push_back(std::move(ao));
  }
  if constexpr (kDebugLevel >= 1) {
    std::size_t class_pools = 0, class_blocks = 0;
    for (const auto& c : st.classes) {
      class_pools += c.pools;
      class_blocks += c.blocks;
    }
    PYHEAP_ASSERT(arenas.size() == st.arenas_mapped);
    PYHEAP_ASSERT(used_pools == class_pools && used_blocks == class_blocks);
  }
  return out;
}

}  // namespace pyheap
