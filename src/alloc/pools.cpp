// Slow paths. Allocation: the class's head pool has no free block (carve its next page, or detach
// it as full and move to the next pool of the class, or take a new pool from the fullest arena,
// mapping an arena if none has a free pool). Free: the pool was full (back into its class's list)
// or has just emptied (kept if it is the head, else retired). Nothing here returns memory to the
// OS: a retired pool keeps its pages until the purge rule (purge.cpp) decommits it, so a free
// never makes a system call.
#include <bit>
#include <new>

#include "alloc/allocator_state.hpp"
#include "alloc/os_pages.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap::detail {

using alloc::ArenaHeader;
using alloc::FreeBlock;
using alloc::kArenaSize;
using alloc::PoolRecord;

namespace {
// An activity step (purge.cpp) runs every kEventsPerStep slow-path events: reading the clock then
// costs well under a nanosecond per event.
constexpr std::uint32_t kEventsPerStep = 64;
}  // namespace

void* AllocatorState::allocate_slow(std::size_t size, unsigned tag) {
  if (fail_countdown != 0) count_down_failure();
  const std::size_t idx = alloc::class_index(size);
  PoolRecord* pool = used[tag][idx];
  [[maybe_unused]] bool structural = false;  // a pool was detached or taken: check at level 2
  // The head ran out: carve its next page, or detach it (full) and go on with the next pool.
  while (pool != nullptr && pool->free == nullptr) {
    if (pool->ncarved < pool->capacity()) {
      pool->carve();
      break;
    }
    pool = detach_full(pool);
    structural = true;
  }
  if (pool == nullptr) {
    pool = new_pool(idx, tag);  // may throw: what changed before is consistent on its own
    structural = true;
  }
  FreeBlock* block = pool->free;
  alloc::unpoison(block, sizeof(FreeBlock));
  pool->free = block->next;
  ++pool->used;
  count_allocation(idx, size);
#if PYHEAP_ASAN
  alloc::poison(block, alloc::class_block_size(idx));
  alloc::unpoison(block, size == 0 ? 1 : size);
#endif
  if (++events >= kEventsPerStep || purge_pending) activity_step();
  if constexpr (kDebugLevel >= 2) {
    if (structural) debug_check();
  }
  return block;
}

void AllocatorState::deallocate_slow(PoolRecord* pool) noexcept {
  const unsigned tag = pool->tag;
  const std::size_t idx = pool->szidx;
  if (pool->full_and_detached()) {
    // It was full and its class has no list to join at the tail (deallocate() does that inline), or
    // only an empty one, which it replaces: the empty pool is retired.
    pool->used &= ~PoolRecord::kFullBit;
    PYHEAP_ASSERT(pool->nused() + 1 == pool->capacity());
    PoolRecord* head = used[tag][idx];
    PYHEAP_ASSERT(head == nullptr || (head->nused() == 0 && head->next == nullptr));
    if (head != nullptr) {
      unlink_used(head);
      retire(head, coarse_now);
    }
    set_head(tag, idx, pool);
    tail[tag][idx] = pool;
  } else if (pool == used[tag][idx] && pool->next == nullptr) {
    // The class's only pool emptied: it stays, as the next allocation of its class would take a
    // pool anyway (an object made and dropped in a loop must not retire and re-take a pool each
    // time). The purge rule retires it once it has stayed empty for the delay.
    PYHEAP_ASSERT(pool->nused() == 0);
    empty_since[tag][idx] = coarse_now;
    const std::size_t k = tag * alloc::kNumClasses + idx;
    empty_heads[k / 64] |= std::uint64_t{1} << (k % 64);
    return;
  } else {
    PYHEAP_ASSERT(pool->nused() == 0);
    unlink_used(pool);
    retire(pool, coarse_now);
  }
  // A long run of frees keeps the stamps fresh too: the clock (not a system call: the vDSO) is
  // read every kEventsPerStep events here as at allocations. Nothing is purged inside a free: if
  // the oldest retired pool is due, the next allocation slow path runs the step.
  if (++events >= kEventsPerStep) {
    events = 0;
    const std::uint64_t now = read_clock();
    if (retired.head != nullptr && retired.head->retired_at + purge_delay <= now) purge_pending = true;
  }
  debug_check();
}

void AllocatorState::unlink_used(PoolRecord* pool) noexcept {
  if (pool->prev != nullptr) {
    pool->prev->next = pool->next;
  } else {
    PYHEAP_ASSERT(used[pool->tag][pool->szidx] == pool);
    set_head(pool->tag, pool->szidx, pool->next);
  }
  if (pool->next != nullptr) pool->next->prev = pool->prev; else tail[pool->tag][pool->szidx] = pool->prev;
  pool->next = pool->prev = nullptr;
}

PoolRecord* AllocatorState::detach_full(PoolRecord* head) noexcept {
  PYHEAP_ASSERT(head->free == nullptr && head->ncarved == head->capacity());
  PYHEAP_ASSERT(head->nused() == head->capacity() && head->prev == nullptr);
  PoolRecord* next = head->next;
  head->next = nullptr;
  head->used |= PoolRecord::kFullBit;
  if (next != nullptr) next->prev = nullptr; else tail[head->tag][head->szidx] = nullptr;
  set_head(head->tag, head->szidx, next);
  return next;
}

void AllocatorState::return_to_arena(PoolRecord* pool) noexcept {
  PYHEAP_ASSERT(pool->nused() == 0 && pool->next == nullptr && pool->prev == nullptr);
  PYHEAP_ASSERT(classes.pools[pool->szidx] > 0);
  --classes.pools[pool->szidx];
  ArenaHeader* a = ArenaHeader::of(pool);
  const std::uint64_t bit = std::uint64_t{1} << a->pool_index(pool);
  PYHEAP_ASSERT((a->free_mask & bit) == 0 && (a->committed_mask & bit) != 0);
  arenas.set_free_mask(a, a->free_mask | bit);
  pool->used = 0;
}

void AllocatorState::retire(PoolRecord* pool, std::uint64_t when) noexcept {
  return_to_arena(pool);
  pool->retired_at = when;
  retired.push_back(pool);
}

ArenaHeader* AllocatorState::new_arena() {
  void* base = alloc::map_aligned(kArenaSize);
  if (base == nullptr) throw std::bad_alloc();
  auto* a = ::new (static_cast<char*>(base) + alloc::arena_header_offset(reinterpret_cast<std::uintptr_t>(base)))
      ArenaHeader(self);
  arenas.insert(a);
  ++arenas_mapped;
  ++arenas_mapped_total;
  if (arenas_mapped > arenas_mapped_peak) arenas_mapped_peak = arenas_mapped;
  return a;
}

PoolRecord* AllocatorState::new_pool(std::size_t idx, unsigned tag) {
  ArenaHeader* a = arenas.fullest_usable();
  if (a == nullptr) a = new_arena();  // the only step that can fail
  PYHEAP_ASSERT((a->free_mask & alloc::kUsableMask) != 0);

  // Prefer a retired pool, whose pages are still committed; otherwise the lowest free one (never
  // touched, or decommitted: the kernel hands back zero pages on first touch).
  const std::uint64_t warm = a->retired_mask();
  const unsigned i = static_cast<unsigned>(std::countr_zero(warm != 0 ? warm : a->free_mask));
  const std::uint64_t bit = std::uint64_t{1} << i;
  PoolRecord* pool = a->pool(i);
  if (warm != 0) {
    retired.unlink(pool);
  } else if (a->released_mask & bit) {
    a->released_mask &= ~bit;
    --pools_decommitted;
  }
  a->committed_mask |= bit;
  arenas.set_free_mask(a, a->free_mask & ~bit);
  if (a == reserve) reserve = nullptr;

  pool->init(idx, tag);
  pool->carve();
  PYHEAP_ASSERT(used[tag][idx] == nullptr);
  set_head(tag, idx, pool);
  tail[tag][idx] = pool;
  ++classes.pools[idx];
  ++events;
  return pool;  // the caller takes a block at once
}

}  // namespace pyheap::detail
