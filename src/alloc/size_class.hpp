// Geometry of the small-object allocator: size classes, pools, arenas.
//
//   class index  i = (max(size,1) - 1) >> 4           (0..31)
//   block size      = (i + 1) * 16                    (16..512)
//   pools per arena = kArenaSize / kPoolSize = 64     (arenas are aligned to kArenaSize)
//   pool 0 of an arena holds the arena's header (ArenaHeader: its fields and the records of pools
//   1..63), at arena_header_offset(arena); pools 1..63 hold blocks from their first byte:
//   pool capacity   = kPoolSize / block size          (no per-pool header in the pool)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "pyheap/internal/alloc_fast.hpp"
#include "pyheap/small_object_allocator.hpp"

// The constants and functions a block's free needs inline (class_index, class_block_size, the pool
// and arena sizes, kRecordShift, kRecordOffsetMask) are in pyheap/internal/alloc_fast.hpp.
namespace pyheap::alloc {

inline constexpr std::size_t kAlignment = SmallObjectAllocator::kAlignment;
inline constexpr std::size_t kMaxSmallSize = SmallObjectAllocator::kMaxSmallSize;
// Pool 0 is the header; the others hold blocks. Bit i of an arena mask stands for pool i.
inline constexpr std::size_t kUsablePools = kPoolsPerArena - 1;
inline constexpr std::uint64_t kUsableMask = ~std::uint64_t{1};
// Blocks are carved into a pool's free list one OS page at a time, so that a fresh (or purged)
// pool only touches the pages it hands out.
inline constexpr std::size_t kCarvePage = 4096;
inline constexpr std::size_t kCacheLine = 64;
inline constexpr std::uintptr_t kPoolMask = ~static_cast<std::uintptr_t>(kPoolSize - 1);
// The arena header: 64 slots of 32 bytes, slot 0 the arena's hot fields, slot i the record of pool i.
inline constexpr std::size_t kRecordSize = 32;  // two pool records per cache line
inline constexpr std::size_t kArenaHeaderSize = kPoolsPerArena * kRecordSize;  // 2,048

// Where the header sits in pool 0: at c * 2048, c = address bits 20..22 of the arena. At one fixed
// offset every arena's header would sit at a 1 MiB multiple, in the same few sets of every cache
// whose index bits lie below bit 20 (a 1 MiB L2: 32 of its 1024 or 2048 sets; L1 too): a program
// freeing across 30 arenas missed on its pool's record on most frees (callgrind with a 1 MiB 8-way
// LL standing for the L2: 0.65 misses per free in the mixed benchmark, docs/performance.md). Eight offsets spread them over 8 times the sets. And the
// arithmetic stays one shift and one mask: bits 14..19 of a block's address are its pool's index i,
// bits 20..22 the colour c, so (address >> 9) & 0x3FE0 == c * 2048 + i * 32 is the record's offset
// in the arena (PoolRecord::of).
constexpr std::size_t arena_header_offset(std::uintptr_t arena_base) noexcept {
  return ((arena_base >> 20) & 7) * kArenaHeaderSize;
}
static_assert(kRecordSize == 32 && kArenaHeaderSize == 2048, "kRecordOffsetMask assumes these");
static_assert(7 * kArenaHeaderSize + kArenaHeaderSize <= kPoolSize, "every colour's header is inside pool 0");

static_assert(kPoolsPerArena == 64, "arena bitmaps are one uint64_t");
static_assert(kPoolSize % kCarvePage == 0);
static_assert(kArenaSize == std::size_t{1} << 20, "arena_header_offset reads the bits above an arena");
static_assert(kNumClasses == AllocatorStats::kNumSizeClasses);

constexpr std::size_t class_capacity(std::size_t idx) noexcept {
  return kPoolSize / class_block_size(idx);
}

// The same, as a table the allocation fast path reads (one line) instead of dividing.
inline constexpr std::array<std::uint16_t, kNumClasses> kClassCapacity = [] {
  std::array<std::uint16_t, kNumClasses> t{};
  for (std::size_t i = 0; i < kNumClasses; ++i) t[i] = static_cast<std::uint16_t>(class_capacity(i));
  return t;
}();

static_assert(class_index(0) == 0 && class_index(16) == 0 && class_index(17) == 1);
static_assert(class_index(512) == kNumClasses - 1);
static_assert(class_capacity(0) < 65536, "PoolRecord counts blocks in uint16_t");
static_assert(class_capacity(kNumClasses - 1) > 1, "a pool must hold two blocks");

}  // namespace pyheap::alloc
