// Statistics of a SmallObjectAllocator, as plain snapshot structs.
//
// Every counter is declared exactly once, in PYHEAP_ALLOCATOR_STATS below. That one list
// generates the struct fields, the text table and the JSON (see src/alloc/stats.cpp), so a
// new counter needs one line here plus the code that fills it in.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

// PYHEAP_ALLOCATOR_STATS(CLASS, GLOBAL): CLASS(name, description) entries are per size class,
// GLOBAL(name, description) entries are allocator-wide. Users pass a macro for the kind they
// want and PYHEAP_STATS_IGNORE for the other.
#define PYHEAP_ALLOCATOR_STATS(CLASS, GLOBAL)                                                   \
  CLASS(block_size, "bytes per block of this class")                                           \
  CLASS(pools_in_use, "pools assigned to this class (partly used, full, or its empty last)")   \
  CLASS(blocks_in_use, "live blocks")                                                          \
  CLASS(blocks_free, "free blocks inside this class's pools")                                  \
  CLASS(bytes_requested, "sum of the sizes passed to allocate() for live blocks")              \
  CLASS(bytes_held, "blocks_in_use * block_size")                                              \
  GLOBAL(pools_in_use, "pools assigned to a size class, all classes")                          \
  GLOBAL(blocks_in_use, "live small blocks, all classes")                                      \
  GLOBAL(blocks_free, "free blocks inside assigned pools, all classes")                        \
  GLOBAL(bytes_requested, "bytes requested for live small blocks")                             \
  GLOBAL(bytes_held, "bytes occupied by live small blocks")                                    \
  GLOBAL(arenas_mapped, "arenas currently mapped")                                             \
  GLOBAL(arenas_mapped_total, "arenas ever mapped")                                            \
  GLOBAL(arenas_unmapped_total, "arenas ever unmapped")                                        \
  GLOBAL(arenas_mapped_peak, "high-water mark of arenas_mapped")                               \
  GLOBAL(bytes_mapped, "arenas_mapped * arena size")                                           \
  GLOBAL(pools_committed, "pools whose pages may be resident (in use + retired)")              \
  GLOBAL(pools_retired, "empty pools keeping their pages until reused or purged")              \
  GLOBAL(pools_decommitted, "empty pools currently returned to the OS with madvise")           \
  GLOBAL(pools_decommitted_total, "pools ever returned to the OS by a purge step")             \
  GLOBAL(madvise_calls, "madvise calls ever made (one per run of contiguous pools purged)")    \
  GLOBAL(purges, "purge steps that returned memory")                                           \
  GLOBAL(large_count, "live large (> 512 byte) allocations")                                   \
  GLOBAL(large_bytes, "bytes requested by live large allocations")                             \
  GLOBAL(large_count_total, "large allocations ever made")                                      \
  GLOBAL(large_bytes_total, "bytes ever requested by large allocations")                        \
  GLOBAL(injected_failures, "allocations failed on purpose by fail_after()")

#define PYHEAP_STATS_IGNORE(name, description)
#define PYHEAP_STATS_FIELD(name, description) std::uint64_t name = 0;

namespace pyheap {

/// Counters of one size class.
struct SizeClassStats {
  PYHEAP_ALLOCATOR_STATS(PYHEAP_STATS_FIELD, PYHEAP_STATS_IGNORE)
};

/// Snapshot of a whole allocator: allocator-wide counters plus one entry per size class.
struct AllocatorStats {
  static constexpr std::size_t kNumSizeClasses = 32;
  PYHEAP_ALLOCATOR_STATS(PYHEAP_STATS_IGNORE, PYHEAP_STATS_FIELD)
  std::array<SizeClassStats, kNumSizeClasses> size_classes{};
};

/// One pool in SmallObjectAllocator::occupancy(): what a map of the arenas draws.
struct PoolOccupancy {
  enum class State : std::uint8_t {
    InUse,        // assigned to a size class, at least one block in use
    Empty,        // no block in use, kept committed for reuse (retired, or its class's next pool)
    Decommitted,  // returned to the OS with madvise
    Untouched,    // never used since its arena was mapped
    Header,       // the arena's header: the records of the other pools (pool 0 of every arena)
  };
  State state = State::Untouched;
  std::uint32_t block_size = 0;     // InUse only
  std::uint32_t blocks_in_use = 0;  // InUse only
  std::uint32_t capacity = 0;       // blocks the pool holds; InUse only
};

/// One mapped arena: its address and its pools in address order.
struct ArenaOccupancy {
  std::uintptr_t base = 0;
  std::vector<PoolOccupancy> pools;
};

}  // namespace pyheap
