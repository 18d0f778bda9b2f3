// occupancy(): a read-only picture of every arena and pool, for the report's pool map.
//
// Arenas are found through the bucket index (every mapped arena is in exactly one bucket) and
// listed in address order, so two pictures of the same allocator line up. A pool's state comes
// from its arena's masks; only used pools have a valid header to read (an empty pool's header
// may be stale, a decommitted one's is gone).
#include <algorithm>

#include "alloc/allocator_state.hpp"

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
  for (const ArenaRecord* a : arenas) {
    ArenaOccupancy ao;
    ao.base = a->base;
    ao.pools.resize(kPoolsPerArena);
    for (unsigned i = 0; i < kPoolsPerArena; ++i) {
      const std::uint64_t bit = std::uint64_t{1} << i;
      PoolOccupancy& p = ao.pools[i];
      if ((a->free_mask & bit) == 0) {
        const auto* pool = static_cast<const PoolHeader*>(a->pool_address(i));
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
  return out;
}

}  // namespace pyheap
