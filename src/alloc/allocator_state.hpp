// The private state behind SmallObjectAllocator (pimpl). Split by job:
//   allocator.cpp  fast paths (allocate/deallocate), construction, owner_of
//   pools.cpp      slow paths: carving, full pools, taking pools from arenas, retiring them
//   purge.cpp      returning memory to the OS: the purge rule, batches of madvise, the reserve arena
//   large.cpp      requests above kMaxSmallSize (std::malloc + LargeHeader)
//   validate.cpp   is_valid() walkers;  stats.cpp  snapshot and formatting
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "alloc/arena.hpp"
#include "alloc/large.hpp"
#include "alloc/pool.hpp"
#include "alloc/size_class.hpp"
#include "pyheap/small_object_allocator.hpp"

namespace pyheap::detail {

// Allocator-wide invariants (see also ArenaHeader, PoolRecord, ArenaBuckets):
//   arenas_mapped == number of arenas in all buckets
//   sum over arenas of popcount(~free_mask & kUsableMask) == sum over classes of pools
//   sum over arenas of popcount(free & committed)        == retired.count
//   sum over arenas of popcount(released_mask)           == pools_decommitted
//   used[t][i] lists exactly the pools of tag t and class i that are not full_and_detached();
//   tail[t][i] is the last of them (nullptr when the list is empty)
//   direct[t][i] == (used[t][i] ? used[t][i] : &kNoPool), or &kNoPool for every (t, i) while
//                   fail_countdown != 0 (so that every allocation takes the slow path that counts)
//   retired lists the retired pools by retired_at, oldest first
//   every head of a used list with nused() == 0 has its bit in empty_heads
//   reserve == the one arena with free_mask == kUsableMask and committed_mask == 0, or nullptr;
//              no other arena is in that state after a public call
//   large blocks are all in the `large` list; large_tagged[t] counts those of tag t
//   held == sum over classes of blocks[i] * block size + large_bytes <= limit, unless the limit
//           was lowered below it (then only growth is refused)
// The hot part (direct, classes, held, limit, count_allocation) is AllocatorHot
// (pyheap/internal/alloc_fast.hpp), which the Heap's inline make and release also use.
struct AllocatorState : AllocatorHot {
  explicit AllocatorState(SmallObjectAllocator* owner) noexcept;
  AllocatorState(const AllocatorState&) = delete;
  AllocatorState& operator=(const AllocatorState&) = delete;
  ~AllocatorState();

  // A record with no free block and no pool behind it: the direct table points here for a class
  // with no usable pool, so the allocation fast path needs no null test. Never written.
  static alloc::PoolRecord kNoPool;

  SmallObjectAllocator* self;
  alloc::PoolRecord* used[alloc::kNumTags][alloc::kNumClasses] = {};  // allocate from the head
  alloc::PoolRecord* tail[alloc::kNumTags][alloc::kNumClasses] = {};  // pools that were full join here
  std::uint64_t empty_since[alloc::kNumTags][alloc::kNumClasses] = {};  // when the head emptied
  std::uint64_t empty_heads[2] = {};  // bit t * kNumClasses + i: used[t][i] may be empty
  alloc::ArenaBuckets arenas;
  alloc::ArenaHeader* reserve = nullptr;
  alloc::PoolFifo retired;  // retired pools, oldest first
  std::size_t fail_countdown = 0;

  // The purge rule (purge.cpp).
  std::uint64_t coarse_now = 0;    // the clock (ns) at the last reading
  SmallObjectAllocator::Clock clock = nullptr;  // null: std::chrono::steady_clock
  std::uint64_t purge_delay;       // ns a retired pool waits before a purge step decommits it
  std::uint32_t events = 0;        // slow-path events since the clock was last read
  bool purge_pending = false;      // the last activity step ran out of budget

  std::size_t arenas_mapped = 0;
  std::size_t arenas_mapped_total = 0;
  std::size_t arenas_unmapped_total = 0;
  std::size_t arenas_mapped_peak = 0;
  std::size_t pools_decommitted = 0;
  std::size_t pools_decommitted_total = 0;
  std::size_t madvise_calls = 0;
  std::size_t injected_failures = 0;
  std::size_t purges = 0;
  alloc::LargeHeader* large = nullptr;  // every live large block, most recent first
  std::size_t large_tagged[alloc::kNumTags] = {};
  std::size_t large_count = 0;
  std::size_t large_bytes = 0;
  std::size_t large_count_total = 0;
  std::size_t large_bytes_total = 0;

  // allocator.cpp
  void* allocate(std::size_t size, unsigned tag);
  void set_head(unsigned tag, std::size_t idx, alloc::PoolRecord* pool) noexcept;
  void arm_failure(std::size_t n) noexcept;
  // pools.cpp
  void* allocate_slow(std::size_t size, unsigned tag);  // throws std::bad_alloc, state valid
  void deallocate_slow(alloc::PoolRecord* pool) noexcept;  // was full, or is now empty
  // allocator.cpp: after push_free returned `pool` (it was full, or has just emptied)
  void finish_free(alloc::PoolRecord* pool) noexcept;
  alloc::PoolRecord* new_pool(std::size_t idx, unsigned tag);  // throws std::bad_alloc, state unchanged
  alloc::ArenaHeader* new_arena();                              // throws std::bad_alloc, state unchanged
  alloc::PoolRecord* detach_full(alloc::PoolRecord* head) noexcept;  // returns the new head
  void unlink_used(alloc::PoolRecord* pool) noexcept;
  // An unlinked empty used pool goes back to its arena (free, still committed)...
  void return_to_arena(alloc::PoolRecord* pool) noexcept;
  // ...and, retired, joins the FIFO stamped `when`.
  void retire(alloc::PoolRecord* pool, std::uint64_t when) noexcept;
  // purge.cpp
  void activity_step() noexcept;
  std::uint64_t read_clock() noexcept;
  // Decommits the retired pools (and empty list heads) that have waited purge_delay at `now`, or
  // all of them if `force`; at most `budget` retired pools. Returns ns until the next one is due.
  std::uint64_t purge_step(std::uint64_t now, bool force, std::size_t budget) noexcept;
  void mark_for_purge(alloc::PoolRecord* pool, alloc::ArenaHeader*& batch) noexcept;
  void decommit_batch(alloc::ArenaHeader* batch) noexcept;
  void unmap_arena(alloc::ArenaHeader* a) noexcept;
  void trim() noexcept;
  // large.cpp
  void* allocate_large(std::size_t size, unsigned tag);
  void deallocate_large(void* p, std::size_t size) noexcept;
  static SmallObjectAllocator* large_owner(const void* p) noexcept;
  // allocator.cpp: fail_after()'s countdown, at a request; throws when it reaches 0
  void count_down_failure();
  [[noreturn]] void over_limit(std::size_t size) const;  // throws MemoryLimitExceeded
  // validate.cpp
  bool valid(int level) const;
  // at PYHEAP_DEBUG_LEVEL >= 2, run after slow-path mutations
  void debug_check() const noexcept;
};

}  // namespace pyheap::detail
