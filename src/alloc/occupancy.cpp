// occupancy(): a read-only picture of every arena and pool, for the report's pool map.
//
// Arenas are found through the bucket index (every mapped arena is in exactly one bucket) and
// listed in address order, so two pictures of the same allocator line up. A pool's state comes
// from its arena's masks; only used pools have a meaningful record to read. Pool 0 of every arena
// is its header.
//
// The invariants it relies on (ArenaHeader and PoolRecord, alloc/arena.hpp and alloc/pool.hpp),
// asserted in debug builds as they are read, so a picture is never drawn from a broken record:
//   a used pool (clear usable bit of free_mask) is committed and its record names a size class,
//   and nused() <= capacity(); released_mask ⊆ free_mask and released ∩ committed == ∅ (so the
//   states are disjoint); the used pools over all arenas are exactly the allocator's pools in
//   use, and their nused() sum is its blocks in use. A used pool with no block in use (the empty
//   head of its class) is drawn as Empty: committed, nothing in it.
#include <algorithm>
#include <bit>
#include <functional>

#include "alloc/allocator_state.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap {

using namespace alloc;

std::vector<ArenaOccupancy> SmallObjectAllocator::occupancy() const {
  const detail::AllocatorState& st = *state_;
  std::vector<const ArenaHeader*> arenas;
  for (unsigned k = 0; k <= kUsablePools; ++k)
    for (const ArenaHeader* a = st.arenas.head[k]; a != nullptr; a = a->links().next) arenas.push_back(a);
  std::sort(arenas.begin(), arenas.end(), std::less<const ArenaHeader*>());  // address order

  std::vector<ArenaOccupancy> out;
  out.reserve(arenas.size());
  [[maybe_unused]] std::size_t used_pools = 0, used_blocks = 0;
  for (const ArenaHeader* a : arenas) {
    PYHEAP_ASSERT((~a->free_mask & kUsableMask & ~a->committed_mask) == 0);
    PYHEAP_ASSERT((a->released_mask & ~a->free_mask) == 0 && (a->released_mask & a->committed_mask) == 0);
    ArenaOccupancy ao;
    ao.base = a->base();
    ao.pools.resize(kPoolsPerArena);
    for (unsigned i = 0; i < kPoolsPerArena; ++i) {
      const std::uint64_t bit = std::uint64_t{1} << i;
      PoolOccupancy& p = ao.pools[i];
      if (i == 0) {
        p.state = PoolOccupancy::State::Header;
      } else if ((a->free_mask & bit) == 0) {
        const PoolRecord* pool = a->pool(i);
        PYHEAP_ASSERT(pool->szidx < kNumClasses && pool->nused() <= pool->capacity());
        ++used_pools;
        used_blocks += pool->nused();
        if (pool->nused() == 0) {
          p.state = PoolOccupancy::State::Empty;
          continue;
        }
        p.state = PoolOccupancy::State::InUse;
        p.block_size = static_cast<std::uint32_t>(pool->block_size());
        p.blocks_in_use = pool->nused();
        p.capacity = static_cast<std::uint32_t>(pool->capacity());
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
    for (std::size_t i = 0; i < kNumClasses; ++i) {
      class_pools += st.classes.pools[i];
      class_blocks += st.classes.blocks[i];
    }
    PYHEAP_ASSERT(arenas.size() == st.arenas_mapped);
    PYHEAP_ASSERT(used_pools == class_pools && used_blocks == class_blocks);
  }
  return out;
}

}  // namespace pyheap
