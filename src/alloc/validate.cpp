// is_valid(): recomputes every counter from the structures and compares, checking each invariant
// written next to the code that keeps it (allocator_state.hpp, arena.hpp, pool.hpp).
//   level 1: arena buckets and masks, pool records, used lists and their tails, the direct table, empty heads, the
//            retired FIFO, the reserve, per-class and allocator-wide counters;
//   level 2: also walks the free list of every used pool (bounds, alignment, duplicates,
//            nused + length(free) + never carved == capacity).
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

// nused + length(free) + (capacity - ncarved) == capacity, every free block listed once, inside
// the carved area.
bool check_free_list(const PoolRecord* pool) {
  std::vector<bool> seen(pool->capacity(), false);
  std::size_t listed = 0;
  for (FreeBlock* f = pool->free; f != nullptr;) {
    PYHEAP_VALID(listed < pool->capacity());  // cycle guard
    PYHEAP_VALID(PoolRecord::of(f) == pool);
    PYHEAP_VALID(pool->is_block_start(f));
    const std::size_t index = pool->block_index(f);
    PYHEAP_VALID(!seen[index]);
    seen[index] = true;
    ++listed;
    unpoison(f, sizeof(FreeBlock));
    FreeBlock* next = f->next;
    poison(f, sizeof(FreeBlock));
    f = next;
  }
  PYHEAP_VALID(pool->nused() + listed + (pool->capacity() - pool->ncarved) == pool->capacity());
  return true;
}

bool bit_of(const std::uint64_t (&mask)[2], std::size_t k) { return (mask[k / 64] >> (k % 64)) & 1; }
}  // namespace

bool AllocatorState::valid(int level) const {
  std::size_t narenas = 0, nvacant = 0, nretired = 0, nreleased = 0;
  std::size_t pools[kNumClasses] = {}, listed[kNumTags][kNumClasses] = {}, blocks[kNumClasses] = {};
  std::set<const ArenaHeader*> mine;
  std::set<const PoolRecord*> retired_pools;

  for (unsigned k = 0; k <= kUsablePools; ++k) {
    if (k != 0) PYHEAP_VALID(((arenas.nonempty & ArenaBuckets::bit(k)) != 0) == (arenas.head[k] != nullptr));
    const ArenaHeader* prev = nullptr;
    for (const ArenaHeader* a = arenas.head[k]; a != nullptr; prev = a, a = a->links().next) {
      PYHEAP_VALID(narenas < arenas_mapped);  // cycle guard
      ++narenas;
      mine.insert(a);
      PYHEAP_VALID(a->links().prev == prev);
      PYHEAP_VALID(a->owner == self);
      PYHEAP_VALID(a->base() % kArenaSize == 0 && ArenaHeader::of(reinterpret_cast<void*>(a->base())) == a);
      PYHEAP_VALID(a->nfreepools() == k);  // bucket index == free pools
      PYHEAP_VALID(((a->free_mask | a->committed_mask | a->released_mask) & ~kUsableMask) == 0);
      PYHEAP_VALID((~a->free_mask & kUsableMask & ~a->committed_mask) == 0);  // used => committed
      PYHEAP_VALID((a->released_mask & ~a->free_mask) == 0);
      PYHEAP_VALID((a->released_mask & a->committed_mask) == 0);
      PYHEAP_VALID(a->links().purge_mask == 0 && a->links().purge_next == nullptr);
      if (a->empty() && a->committed_mask == 0) {
        ++nvacant;
        PYHEAP_VALID(reserve == a);
      }
      nreleased += static_cast<std::size_t>(std::popcount(a->released_mask));
      for (std::uint64_t m = a->retired_mask(); m != 0; m &= m - 1) {
        const PoolRecord* pool = a->pool(static_cast<unsigned>(std::countr_zero(m)));
        PYHEAP_VALID(pool->nused() == 0);
        retired_pools.insert(pool);
        ++nretired;
      }

      for (std::uint64_t m = ~a->free_mask & kUsableMask; m != 0; m &= m - 1) {
        const PoolRecord* pool = a->pool(static_cast<unsigned>(std::countr_zero(m)));
        PYHEAP_VALID(ArenaHeader::of(pool->base()) == a && PoolRecord::of(pool->base()) == pool);
        PYHEAP_VALID(pool->szidx < kNumClasses && pool->tag < kNumTags);
        PYHEAP_VALID(pool->nused() <= pool->capacity());
        PYHEAP_VALID(pool->ncarved <= pool->capacity());
        ++pools[pool->szidx];
        blocks[pool->szidx] += pool->nused();
        if (pool->full_and_detached()) {
          PYHEAP_VALID(pool->next == nullptr && pool->prev == nullptr);
          PYHEAP_VALID(used[pool->tag][pool->szidx] != pool);
          PYHEAP_VALID(pool->nused() == pool->capacity() && pool->free == nullptr);
          PYHEAP_VALID(pool->ncarved == pool->capacity());
        } else {
          ++listed[pool->tag][pool->szidx];
        }
        if (level >= 2 && !check_free_list(pool)) return false;
      }
    }
  }
  PYHEAP_VALID(narenas == arenas_mapped);
  PYHEAP_VALID(nvacant <= 1 && (reserve == nullptr || mine.count(reserve) == 1));
  PYHEAP_VALID(arenas_mapped_total - arenas_unmapped_total == arenas_mapped);
  PYHEAP_VALID(arenas_mapped <= arenas_mapped_peak && arenas_mapped_peak <= arenas_mapped_total);
  PYHEAP_VALID(nreleased == pools_decommitted);
  PYHEAP_VALID(pools_decommitted <= pools_decommitted_total);
  PYHEAP_VALID(madvise_calls <= pools_decommitted_total && purges <= madvise_calls + arenas_unmapped_total);

  // The retired FIFO: exactly the retired pools of my arenas, each once, oldest first.
  PYHEAP_VALID(nretired == retired.count);
  {
    std::size_t n = 0;
    const PoolRecord* prev = nullptr;
    for (const PoolRecord* p = retired.head; p != nullptr; prev = p, p = p->next) {
      PYHEAP_VALID(n < retired.count);
      ++n;
      PYHEAP_VALID(p->prev == prev);
      PYHEAP_VALID(retired_pools.count(p) == 1);
      PYHEAP_VALID(prev == nullptr || prev->retired_at <= p->retired_at);
    }
    PYHEAP_VALID(n == retired.count && retired.tail == prev);
  }

  // Used lists, the direct table, empty heads and per-class counters.
  for (std::size_t i = 0; i < kNumClasses; ++i) {
    for (std::size_t t = 0; t < kNumTags; ++t) {
      std::size_t n = 0;
      const PoolRecord* prev = nullptr;
      for (const PoolRecord* p = used[t][i]; p != nullptr; prev = p, p = p->next) {
        PYHEAP_VALID(n < listed[t][i]);
        ++n;
        PYHEAP_VALID(p->prev == prev);
        PYHEAP_VALID(mine.count(ArenaHeader::of(p)) == 1);
        PYHEAP_VALID(p->szidx == i && p->tag == t && !p->full_and_detached());
        const ArenaHeader* a = ArenaHeader::of(p);
        PYHEAP_VALID((a->free_mask & (std::uint64_t{1} << a->pool_index(p))) == 0);
        if (prev != nullptr) {
          PYHEAP_VALID(p->nused() >= 1 && p->nused() < p->capacity());
          PYHEAP_VALID(p->ncarved == p->capacity() && p->free != nullptr);
        }
        if (p->nused() == 0) PYHEAP_VALID(prev == nullptr && p->next == nullptr);
      }
      PYHEAP_VALID(n == listed[t][i]);  // every pool not detached is listed
      PYHEAP_VALID(tail[t][i] == prev);
      const PoolRecord* head = used[t][i];
      const PoolRecord* want = fail_countdown != 0 || head == nullptr ? &kNoPool : head;
      PYHEAP_VALID(direct[t][i] == want);
      if (head != nullptr && head->nused() == 0) PYHEAP_VALID(bit_of(empty_heads, t * kNumClasses + i));
    }
    PYHEAP_VALID(classes.pools[i] == pools[i]);
    PYHEAP_VALID(classes.blocks[i] == blocks[i]);
    PYHEAP_VALID(classes.bytes_requested[i] <= classes.blocks[i] * class_block_size(i));
    if (i > 0) PYHEAP_VALID(classes.bytes_requested[i] >= classes.blocks[i] * (class_block_size(i - 1) + 1));
  }
  PYHEAP_VALID(kNoPool.free == nullptr && kNoPool.used == 0 && kNoPool.next == nullptr);

  PYHEAP_VALID(large_count <= large_count_total);
  PYHEAP_VALID(large_bytes <= large_bytes_total);
  PYHEAP_VALID(large_bytes >= large_count * (kMaxSmallSize + 1));
  PYHEAP_VALID(large_count != 0 || large_bytes == 0);
  {
    std::size_t small_held = 0;
    for (std::size_t i = 0; i < kNumClasses; ++i) small_held += classes.blocks[i] * class_block_size(i);
    PYHEAP_VALID(held == small_held + large_bytes);  // what the memory limit is compared with
  }
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
