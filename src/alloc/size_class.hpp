// Geometry of the small-object allocator: size classes, pools, arenas.
//
//   class index  i = (max(size,1) - 1) >> 4           (0..31)
//   block size      = (i + 1) * 16                    (16..512)
//   pool capacity   = (kPoolSize - kPoolHeaderSize) / block size
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
inline constexpr std::size_t kPoolHeaderSize = 48;                     // multiple of kAlignment
inline constexpr std::uintptr_t kPoolMask = ~static_cast<std::uintptr_t>(kPoolSize - 1);
inline constexpr std::uintptr_t kArenaMask = ~static_cast<std::uintptr_t>(kArenaSize - 1);

static_assert(kPoolsPerArena == 64, "arena bitmaps are one uint64_t");
static_assert(kPoolHeaderSize % kAlignment == 0);
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
