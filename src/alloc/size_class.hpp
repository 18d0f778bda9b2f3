// Geometry of the small-object allocator: size classes, pools, arenas.
//
//   class index  i = (max(size,1) - 1) >> 4           (0..31)
//   block size      = (i + 1) * 16                    (16..512)
//   pool capacity   = (kPoolSize - kPoolHeaderSize) / block size
//   pool header     = at pool + pool_header_offset(pool), inside the first kPoolHeaderSize bytes
//   pools per arena = kArenaSize / kPoolSize = 64     (arenas are aligned to kArenaSize)
#pragma once

#include <cstddef>
#include <cstdint>

#include "pyheap/small_object_allocator.hpp"

namespace pyheap::alloc {

inline constexpr std::size_t kAlignment = SmallObjectAllocator::kAlignment;
inline constexpr std::size_t kAlignShift = 4;
inline constexpr std::size_t kMaxSmallSize = SmallObjectAllocator::kMaxSmallSize;
inline constexpr std::size_t kNumClasses = kMaxSmallSize / kAlignment;  // 32
inline constexpr std::size_t kNumTags = SmallObjectAllocator::kNumTags;
inline constexpr std::size_t kPoolSize = 16 * 1024;
inline constexpr std::size_t kArenaSize = 1024 * 1024;
inline constexpr std::size_t kPoolsPerArena = kArenaSize / kPoolSize;  // 64: one bit each in a uint64_t
// The bytes before a pool's first block. The header (one cache line) sits at one of
// kPoolHeaderColours line offsets inside them, see pool_header_offset.
inline constexpr std::size_t kPoolHeaderSize = 512;                    // multiple of kAlignment
inline constexpr std::size_t kPoolHeaderColours = 8;
inline constexpr std::size_t kCacheLine = 64;
inline constexpr std::uintptr_t kPoolMask = ~static_cast<std::uintptr_t>(kPoolSize - 1);
inline constexpr std::uintptr_t kArenaMask = ~static_cast<std::uintptr_t>(kArenaSize - 1);

static_assert(kPoolsPerArena == 64, "arena bitmaps are one uint64_t");
static_assert(kPoolHeaderSize % kAlignment == 0);
static_assert(kPoolHeaderColours * kCacheLine <= kPoolHeaderSize);

/// Where the header of the pool at `pool_base` sits, relative to the pool. Headers at a fixed
/// offset would all sit at 16 KiB multiples: one L1 set, and only 8 of the 2048 sets of a
/// 1 MiB 8-way L2 (address bits 6..16), so at most 64 headers could be cached there at once and
/// every free in a large heap missed on its pool's header (bench: alloc mixed, docs/performance.md).
/// Bits 17..19 of the pool's address (not in the L2 index) pick one of 8 line offsets, which
/// gives the headers 8 times as many sets in L1 and L2. The cost: 464 more bytes before the first
/// block, 2.8% of a pool.
constexpr std::size_t pool_header_offset(std::uintptr_t pool_base) noexcept {
  return ((pool_base >> 17) & (kPoolHeaderColours - 1)) * kCacheLine;
}
static_assert(kNumClasses == AllocatorStats::kNumSizeClasses);

/// Size class of a small request (size <= kMaxSmallSize). allocate(0) uses class 0.
constexpr std::size_t class_index(std::size_t size) noexcept {
  return (size - (size != 0)) >> kAlignShift;
}
constexpr std::size_t class_block_size(std::size_t idx) noexcept { return (idx + 1) << kAlignShift; }
constexpr std::size_t class_capacity(std::size_t idx) noexcept {
  return (kPoolSize - kPoolHeaderSize) / class_block_size(idx);
}

static_assert(class_index(0) == 0 && class_index(16) == 0 && class_index(17) == 1);
static_assert(class_index(512) == kNumClasses - 1);
static_assert(class_capacity(0) < 65536, "PoolHeader counts blocks in uint16_t");

}  // namespace pyheap::alloc
