// is_valid(): recomputes every counter from the structures and compares.
//   level 1: arena buckets and bitmaps, pool headers, used lists, the empty-pool FIFO,
//            per-class and allocator-wide counters;
//   level 2: also walks the free list of every used pool (bounds, alignment, duplicates,
//            nfree + nused == capacity).
#include <bit>
#include <cstdio>
#include <set>
#include <vector>

#include "alloc/allocator_state.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap::detail {

using namespace alloc;

namespace {
// is_valid() reports the first broken invariant and returns false (it does not abort: a test may
// want to see the verdict), so its checks are PYHEAP_VALID rather than PYHEAP_CHECK.
bool report(const char* what, int line) {
  std::fprintf(stderr, "pyheap allocator invariant broken (validate.cpp:%d): %s\n", line, what);
  return false;
}
#define PYHEAP_VALID(c) \
  do {                  \
    if (!(c)) return report(#c, __LINE__); \
  } while (0)

// nfree + nused == capacity, every free block listed once, inside the carved area.
bool check_free_list(const PoolHeader* pool) {
  std::vector<bool> seen(pool->capacity, false);
  std::size_t listed = 0;
  for (FreeBlock* f = pool->freelist; f != nullptr;) {
    PYHEAP_VALID(listed < pool->capacity);  // cycle guard
    PYHEAP_VALID(PoolHeader::of(f) == pool);
    PYHEAP_VALID(pool->is_block_start(f));
    const std::size_t index =
        static_cast<std::size_t>(reinterpret_cast<const char*>(f) - pool->first_block()) /
        pool->block_size();
    PYHEAP_VALID(!seen[index]);
    seen[index] = true;
    ++listed;
    unpoison(f, sizeof(FreeBlock));
    FreeBlock* next = f->next;
    poison(f, sizeof(FreeBlock));
    f = next;
  }
  const std::size_t nfree = listed + (pool->capacity - pool->ncarved);
  PYHEAP_VALID(nfree + pool->nused == pool->capacity);
  return true;
}
}  // namespace

bool AllocatorState::valid(int level) const {
  std::size_t narenas = 0, nempty_arenas = 0, ncached = 0, nreleased = 0;
  std::size_t pools[kNumClasses] = {}, partial[kNumTags][kNumClasses] = {}, blocks[kNumClasses] = {};
  std::set<const ArenaRecord*> mine;

  for (unsigned k = 0; k <= kPoolsPerArena; ++k) {
    if (k != 0) PYHEAP_VALID(((arenas.nonempty & ArenaBuckets::bit(k)) != 0) == (arenas.head[k] != nullptr));
    const ArenaRecord* prev = nullptr;
    for (const ArenaRecord* a = arenas.head[k]; a != nullptr; prev = a, a = a->next) {
      PYHEAP_VALID(narenas < arenas_mapped);  // cycle guard
      ++narenas;
      mine.insert(a);
      PYHEAP_VALID(a->prev == prev);
      PYHEAP_VALID(a->owner == self);
      PYHEAP_VALID(a->base % kArenaSize == 0);
      PYHEAP_VALID(a->nfreepools == k);  // bucket index == nfreepools
      PYHEAP_VALID(static_cast<unsigned>(std::popcount(a->free_mask)) == a->nfreepools);
      PYHEAP_VALID((~a->free_mask & ~a->committed_mask) == 0);  // used => committed
      PYHEAP_VALID((a->released_mask & ~a->free_mask) == 0);
      PYHEAP_VALID((a->released_mask & a->committed_mask) == 0);
      if (k == kPoolsPerArena) {
        ++nempty_arenas;
        PYHEAP_VALID(a->committed_mask == 0);  // the reserve arena is decommitted
      }
      ncached += static_cast<std::size_t>(std::popcount(a->free_mask & a->committed_mask));
      nreleased += static_cast<std::size_t>(std::popcount(a->released_mask));

      for (std::uint64_t m = ~a->free_mask; m != 0; m &= m - 1) {
        const auto* pool = PoolHeader::at(a->pool_address(
            static_cast<unsigned>(std::countr_zero(m))));
        PYHEAP_VALID(pool->arena == a);
        PYHEAP_VALID(pool->szidx < kNumClasses && pool->tag < kNumTags);
        PYHEAP_VALID(pool->capacity == class_capacity(pool->szidx));
        PYHEAP_VALID(pool->nused >= 1 && pool->nused <= pool->capacity);
        PYHEAP_VALID(pool->nused <= pool->ncarved && pool->ncarved <= pool->capacity);
        ++pools[pool->szidx];
        blocks[pool->szidx] += pool->nused;
        if (pool->full()) {
          PYHEAP_VALID(pool->next == nullptr && pool->prev == nullptr);
          PYHEAP_VALID(used[pool->tag][pool->szidx] != pool);
        } else {
          ++partial[pool->tag][pool->szidx];
        }
        if (level >= 2 && !check_free_list(pool)) return false;
      }
      for (std::uint64_t m = a->free_mask & a->committed_mask; m != 0; m &= m - 1) {
        const auto* pool = PoolHeader::at(a->pool_address(
            static_cast<unsigned>(std::countr_zero(m))));
        PYHEAP_VALID(pool->arena == a && pool->nused == 0);
      }
    }
  }
  PYHEAP_VALID(narenas == arenas_mapped);
  PYHEAP_VALID(nempty_arenas <= 1);
  PYHEAP_VALID(arenas_mapped_total - arenas_unmapped_total == arenas_mapped);
  PYHEAP_VALID(arenas_mapped <= arenas_mapped_peak && arenas_mapped_peak <= arenas_mapped_total);
  PYHEAP_VALID(nreleased == pools_decommitted);
  PYHEAP_VALID(pools_decommitted <= pools_decommitted_total);

  // The empty-pool FIFO: committed empty pools of my arenas, each once.
  PYHEAP_VALID(ncached == empty_pools.count);
  PYHEAP_VALID(hold_empty_pools || empty_pools.count <= max_cached_empty_pools);
  {
    std::size_t n = 0;
    const PoolHeader* prev = nullptr;
    for (const PoolHeader* p = empty_pools.head; p != nullptr; prev = p, p = p->next) {
      PYHEAP_VALID(n < empty_pools.count);
      ++n;
      PYHEAP_VALID(p->prev == prev);
      PYHEAP_VALID(mine.count(p->arena) == 1);
      PYHEAP_VALID(p->nused == 0);
      const std::uint64_t bit = std::uint64_t{1} << p->arena->pool_index(p);
      PYHEAP_VALID((p->arena->free_mask & p->arena->committed_mask & bit) != 0);
    }
    PYHEAP_VALID(n == empty_pools.count && empty_pools.tail == prev);
  }

  // Used lists and per-class counters.
  for (std::size_t i = 0; i < kNumClasses; ++i) {
    for (std::size_t t = 0; t < kNumTags; ++t) {
      std::size_t n = 0;
      const PoolHeader* prev = nullptr;
      for (const PoolHeader* p = used[t][i]; p != nullptr; prev = p, p = p->next) {
        PYHEAP_VALID(n < partial[t][i]);
        ++n;
        PYHEAP_VALID(p->prev == prev);
        PYHEAP_VALID(mine.count(p->arena) == 1);
        PYHEAP_VALID(p->szidx == i && p->tag == t);
        PYHEAP_VALID(p->nused > 0 && p->nused < p->capacity);
        PYHEAP_VALID((p->arena->free_mask & (std::uint64_t{1} << p->arena->pool_index(p))) == 0);
      }
      PYHEAP_VALID(n == partial[t][i]);  // every partly used pool is listed
    }
    const ClassCounters& c = classes[i];
    PYHEAP_VALID(c.pools == pools[i]);
    PYHEAP_VALID(c.blocks == blocks[i]);
    PYHEAP_VALID(c.bytes_requested <= c.blocks * class_block_size(i));
    if (i > 0) PYHEAP_VALID(c.bytes_requested >= c.blocks * (class_block_size(i - 1) + 1));
  }

  PYHEAP_VALID(large_count <= large_count_total);
  PYHEAP_VALID(large_bytes <= large_bytes_total);
  PYHEAP_VALID(large_bytes >= large_count * (kMaxSmallSize + 1));
  PYHEAP_VALID(large_count != 0 || large_bytes == 0);
  {
    std::size_t n = 0, tagged[kNumTags] = {};
    const LargeHeader* prev = nullptr;
    for (const LargeHeader* h = large; h != nullptr; prev = h, h = h->next) {
      PYHEAP_VALID(n < large_count);  // cycle guard
      ++n;
      PYHEAP_VALID(h->prev == prev && h->owner == self && h->tag < kNumTags);
      ++tagged[h->tag];
    }
    PYHEAP_VALID(n == large_count);
    for (std::size_t t = 0; t < kNumTags; ++t) PYHEAP_VALID(tagged[t] == large_tagged[t]);
  }
  return true;
}

#undef PYHEAP_VALID

void AllocatorState::debug_check() const noexcept {
  if constexpr (kDebugLevel >= 2) {
    PYHEAP_ASSERT(valid(1));
  }
}

}  // namespace pyheap::detail
