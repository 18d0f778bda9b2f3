// The private state behind SmallObjectAllocator (pimpl). Split by job:
//   allocator.cpp  fast paths (allocate/deallocate), construction, owner_of
//   pools.cpp      slow paths: taking pools from arenas, releasing them, mapping arenas
//   release.cpp    returning memory to the OS: empty-pool FIFO, reserve arena, trim
//   large.cpp      requests above kMaxSmallSize (std::malloc + LargeHeader)
//   validate.cpp   is_valid() walkers;  stats.cpp  snapshot and formatting
#pragma once

#include <cstddef>
#include <cstdint>

#include "alloc/arena.hpp"
#include "alloc/large.hpp"
#include "alloc/pool.hpp"
#include "alloc/size_class.hpp"
#include "pyheap/small_object_allocator.hpp"

namespace pyheap::detail {

// Counters of one size class.
//   pools  == number of used pools with szidx == this class (in the used list or full)
//   blocks == sum of nused over those pools
//   bytes_requested <= blocks * block size
struct ClassCounters {
  std::size_t pools = 0;
  std::size_t blocks = 0;
  std::size_t bytes_requested = 0;
};

// Allocator-wide invariants (see also ArenaRecord, PoolHeader, ArenaBuckets):
//   arenas_mapped == number of records in all buckets
//   sum over arenas of popcount(~free_mask)  == sum over classes of pools
//   sum over arenas of popcount(free & committed) == empty_pools.count
//   sum over arenas of popcount(released_mask)    == pools_decommitted
//   used[t][i] lists exactly the pools of tag t and class i with 0 < nused < capacity
//   large blocks are all in the `large` list; large_tagged[t] counts those of tag t
//   at most one arena is completely empty (the reserve); it has no committed pool
//   empty_pools.count <= max_cached_empty_pools after every public call, unless hold_empty_pools
struct AllocatorState {
  explicit AllocatorState(SmallObjectAllocator* owner) noexcept : self(owner) {}
  AllocatorState(const AllocatorState&) = delete;
  AllocatorState& operator=(const AllocatorState&) = delete;
  ~AllocatorState();

  SmallObjectAllocator* self;
  alloc::PoolHeader* used[alloc::kNumTags][alloc::kNumClasses] = {};  // allocate from the head
  ClassCounters classes[alloc::kNumClasses];
  alloc::ArenaBuckets arenas;
  alloc::PoolFifo empty_pools;  // committed empty pools, oldest at head
  std::size_t max_cached_empty_pools = SmallObjectAllocator::kDefaultMaxCachedEmptyPools;
  bool hold_empty_pools = false;  // SmallObjectAllocator::hold_empty_pools
  std::size_t fail_countdown = 0;

  std::size_t arenas_mapped = 0;
  std::size_t arenas_mapped_total = 0;
  std::size_t arenas_unmapped_total = 0;
  std::size_t arenas_mapped_peak = 0;
  std::size_t pools_decommitted = 0;
  std::size_t pools_decommitted_total = 0;
  alloc::LargeHeader* large = nullptr;  // every live large block, most recent first
  std::size_t large_tagged[alloc::kNumTags] = {};
  std::size_t large_count = 0;
  std::size_t large_bytes = 0;
  std::size_t large_count_total = 0;
  std::size_t large_bytes_total = 0;

  // pools.cpp
  alloc::PoolHeader* new_pool(std::size_t idx, unsigned tag);  // throws std::bad_alloc, state unchanged
  alloc::ArenaRecord* new_arena();               // throws std::bad_alloc, state unchanged
  void release_pool(alloc::PoolHeader* pool) noexcept;  // pool just became empty
  // release.cpp
  void decommit_oldest_empty_pool() noexcept;
  void enforce_empty_pool_cache() noexcept;
  void arena_became_empty(alloc::ArenaRecord* a) noexcept;
  void unmap_arena(alloc::ArenaRecord* a) noexcept;
  void trim() noexcept;
  // large.cpp
  void* allocate_large(std::size_t size, unsigned tag);
  void deallocate_large(void* p, std::size_t size) noexcept;
  static SmallObjectAllocator* large_owner(const void* p) noexcept;
  // allocator.cpp
  void* allocate(std::size_t size, unsigned tag);
  [[noreturn]] void injected_failure();
  // validate.cpp
  bool valid(int level) const;
  // at PYHEAP_DEBUG_LEVEL >= 2, run after slow-path mutations
  void debug_check() const noexcept;
};

}  // namespace pyheap::detail
