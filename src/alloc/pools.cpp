// Slow paths: a class ran out of partly used pools (take a pool from the fullest usable
// arena, mapping a new arena if none has a free pool), or a pool became empty.
#include <bit>
#include <memory>
#include <new>

#include "alloc/allocator_state.hpp"
#include "alloc/os_pages.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap::detail {

using alloc::ArenaRecord;
using alloc::kArenaSize;
using alloc::kPoolsPerArena;
using alloc::PoolHeader;

ArenaRecord* AllocatorState::new_arena() {
  auto record = std::make_unique<ArenaRecord>();  // may throw: nothing changed yet
  void* base = alloc::map_aligned(kArenaSize);
  if (base == nullptr) throw std::bad_alloc();
  ArenaRecord* a = record.release();
  a->base = reinterpret_cast<std::uintptr_t>(base);
  a->owner = self;
  arenas.insert(a);
  ++arenas_mapped;
  ++arenas_mapped_total;
  if (arenas_mapped > arenas_mapped_peak) arenas_mapped_peak = arenas_mapped;
  return a;
}

PoolHeader* AllocatorState::new_pool(std::size_t idx, unsigned tag) {
  ArenaRecord* a = arenas.fullest_usable();
  if (a == nullptr) a = new_arena();  // the only step that can fail
  PYHEAP_ASSERT(a->nfreepools > 0 && a->free_mask != 0);

  // Prefer a pool whose pages are still committed; otherwise the lowest free one
  // (never touched, or decommitted: the kernel hands back zero pages on first touch).
  const std::uint64_t warm = a->free_mask & a->committed_mask;
  const unsigned i = static_cast<unsigned>(std::countr_zero(warm != 0 ? warm : a->free_mask));
  const std::uint64_t bit = std::uint64_t{1} << i;
  auto* pool = PoolHeader::at(a->pool_address(i));
  if (warm != 0) {
    empty_pools.unlink(pool);
  } else if (a->released_mask & bit) {
    a->released_mask &= ~bit;
    --pools_decommitted;
  }
  a->free_mask &= ~bit;
  a->committed_mask |= bit;
  arenas.set_free_count(a, a->nfreepools - 1);

  pool->init(a, idx, tag);
  PYHEAP_ASSERT(used[tag][idx] == nullptr);
  used[tag][idx] = pool;
  ++classes[idx].pools;
  return pool;  // the caller takes a block at once: a used pool is never empty
}

void AllocatorState::release_pool(PoolHeader* pool) noexcept {
  const std::size_t idx = pool->szidx;
  PYHEAP_ASSERT(pool->nused == 0);
  // Unlink from the used list of its class.
  if (pool->prev != nullptr) pool->prev->next = pool->next; else used[pool->tag][idx] = pool->next;
  if (pool->next != nullptr) pool->next->prev = pool->prev;
  pool->next = pool->prev = nullptr;
  PYHEAP_ASSERT(classes[idx].pools > 0);
  --classes[idx].pools;

  ArenaRecord* a = pool->arena;
  const std::uint64_t bit = std::uint64_t{1} << a->pool_index(pool);
  PYHEAP_ASSERT((a->free_mask & bit) == 0 && (a->committed_mask & bit) != 0);
  a->free_mask |= bit;
  arenas.set_free_count(a, a->nfreepools + 1);
  empty_pools.push_back(pool);  // still committed: a cached empty pool

  if (a->nfreepools == kPoolsPerArena) {
    arena_became_empty(a);
  } else {
    if (!hold_empty_pools) enforce_empty_pool_cache();
  }
  debug_check();
}

}  // namespace pyheap::detail
