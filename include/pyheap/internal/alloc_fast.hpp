// pyheap/internal/alloc_fast.hpp — the inline fast paths of SmallObjectAllocator, for the Heap's
// make and release (LLVM's split: the common case inline here, everything else out of line in
// src/alloc). Not API.
//
// What is here is the allocator's hot state only (AllocatorHot: the direct table, the class
// counters, the memory limit), the first half of a pool record (PoolHot: its free list and use
// count) and the geometry needed to find a block's record from its address. src/alloc's
// AllocatorState derives from AllocatorHot and PoolRecord from PoolHot, so both sides read the same
// fields and every invariant written in src/alloc/allocator_state.hpp and pool.hpp holds for both.
//
// The fast paths do exactly what the out-of-line ones do in their common case, in the same order
// and with the same counters (count_allocation: blocks, bytes requested and held move together),
// and give up (return nullptr / a pool to finish) in every other case:
//   allocation  a small request, under the memory limit, whose class's direct pool has a free
//               block. fail_after() points every direct entry at an empty record, so an armed
//               failure always reaches the slow path that counts it down.
//   free        the push and the counters; a pool that was full or has just emptied is handed back
//               to the caller for SmallObjectAllocator's out-of-line finish.
// SmallObjectAllocator's own allocate and deallocate run the same two functions first. The Heap
// inlines them at debug level 0 only (kInlineFastPaths): above, every object goes through the
// out-of-line paths, which add the debug checks (owner, block start, double free).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "pyheap/internal/check.hpp"
#include "pyheap/small_object_allocator.hpp"

// PYHEAP_ASAN says whether the *library* was built with AddressSanitizer (PYHEAP_SANITIZE), not
// whether this translation unit is: a public compile definition of the core, as
// PYHEAP_DEBUG_LEVEL is (CMake targets and pkg-config pass it on; a translation unit compiled
// without it gets 0, the Release library's value). Free blocks are poisoned exactly when the
// library poisons them, so a program compiled with -fsanitize=address against a Release library
// poisons nothing the library would not unpoison (issue 19: the inline pop poisoned by the
// program's flags, the uninstrumented library reused the blocks, and make reported a
// use-after-poison), and one compiled without it against an ASan library poisons what the
// library expects. The poisoning calls the sanitizer's functions, not its ASAN_POISON_* macros,
// which are empty in a translation unit compiled without ASan. Heap's constructor compares the
// program's definitions with the library's and stops a mismatch with what to compile with
// (heap.hpp).
#ifndef PYHEAP_ASAN
#define PYHEAP_ASAN 0
#endif
#if PYHEAP_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace pyheap::alloc {

inline constexpr std::size_t kAlignShift = 4;
inline constexpr std::size_t kNumClasses = SmallObjectAllocator::kMaxSmallSize / SmallObjectAllocator::kAlignment;  // 32
inline constexpr std::size_t kNumTags = SmallObjectAllocator::kNumTags;
inline constexpr std::size_t kPoolShift = 14;
inline constexpr std::size_t kPoolSize = std::size_t{1} << kPoolShift;  // 16 KiB
inline constexpr std::size_t kArenaSize = 1024 * 1024;
inline constexpr std::size_t kPoolsPerArena = kArenaSize / kPoolSize;  // 64
inline constexpr std::uintptr_t kArenaMask = ~static_cast<std::uintptr_t>(kArenaSize - 1);
// A block's pool record: address bits 14..19 are its pool's index i, bits 20..22 the arena's
// colour c, and the record sits at c * 2048 + i * 32 in the arena (src/alloc/size_class.hpp).
inline constexpr unsigned kRecordShift = kPoolShift - 5;
inline constexpr std::uintptr_t kRecordOffsetMask = ((kPoolsPerArena - 1) << 5) | (std::uintptr_t{7} << 11);

/// Size class of a small request (size <= kMaxSmallSize). allocate(0) uses class 0.
constexpr std::size_t class_index(std::size_t size) noexcept { return (size - (size != 0)) >> kAlignShift; }
constexpr std::size_t class_block_size(std::size_t idx) noexcept { return (idx + 1) << kAlignShift; }

struct FreeBlock {
  FreeBlock* next;
};

// The first 16 bytes of a pool's record (PoolRecord, src/alloc/pool.hpp, which documents them).
struct PoolHot {
  union {
    FreeBlock* free;           // used: the next block to hand out (LIFO); nullptr: carve or move on
    std::uint64_t retired_at;  // retired: the allocator's coarse clock (ns) when it was retired
  };
  // Blocks in use, plus kFullBit while the pool is full and out of its class list.
  std::uint32_t used;
  std::uint16_t ncarved;  // blocks threaded onto the free list so far (from the pool's start)
  std::uint8_t szidx;
  std::uint8_t tag;

  static constexpr std::uint32_t kFullBit = 0x8000'0000u;

  /// The record of the pool holding `p`: one shift, one mask, no load.
  static PoolHot* of(const void* p) noexcept {
    const auto addr = reinterpret_cast<std::uintptr_t>(p);
    return reinterpret_cast<PoolHot*>((addr & kArenaMask) + ((addr >> kRecordShift) & kRecordOffsetMask));
  }
};
static_assert(sizeof(PoolHot) == 16);

}  // namespace pyheap::alloc

namespace pyheap::detail {

inline constexpr bool kInlineFastPaths = kDebugLevel == 0;

// Counters per size class i (arrays, not an array of structs: the fast paths update blocks[i] and
// bytes_requested[i] with one instruction each, which the compiler would otherwise vectorise into
// several).
//   pools[i]  == number of used pools with szidx == i (listed, or full and detached)
//   blocks[i] == sum of nused() over those pools
//   bytes_requested[i] <= blocks[i] * block size
struct ClassCounters {
  std::size_t blocks[alloc::kNumClasses] = {};
  std::size_t bytes_requested[alloc::kNumClasses] = {};
  std::size_t pools[alloc::kNumClasses] = {};
};

// What every allocation and free reads and writes (AllocatorState's first part).
struct AllocatorHot {
  // direct[t][i]: the pool allocations of tag t and class i pop from (a PoolRecord), or an empty
  // record that sends them to the slow path (src/alloc/allocator_state.hpp).
  alloc::PoolHot* direct[alloc::kNumTags][alloc::kNumClasses];
  ClassCounters classes;
  // The memory limit (memory_limit.hpp): held is one add per allocation and one subtract per
  // free; no limit is the largest size_t, so the fast path's compare `held + block > limit`
  // needs no flag and never fires.
  std::size_t held = 0;
  std::size_t limit = std::numeric_limits<std::size_t>::max();

  // Every path that hands out a small block counts it here, before any check of the whole state
  // (allocate_slow's debug_check) can see it: held moves with blocks[idx].
  void count_allocation(std::size_t idx, std::size_t size) noexcept {
    ++classes.blocks[idx];
    classes.bytes_requested[idx] += size;
    held += alloc::class_block_size(idx);
  }

  // The allocation fast path: a block, or nullptr when the slow path must run (nothing changed).
  void* try_allocate(std::size_t size, unsigned tag) noexcept {
    if (size > SmallObjectAllocator::kMaxSmallSize) return nullptr;
    const std::size_t idx = alloc::class_index(size);
    if (held + alloc::class_block_size(idx) > limit) [[unlikely]] return nullptr;
    alloc::PoolHot* pool = direct[tag][idx];
    alloc::FreeBlock* block = pool->free;
    if (block == nullptr) [[unlikely]] return nullptr;
#if PYHEAP_ASAN
    __asan_unpoison_memory_region(block, sizeof(alloc::FreeBlock));
#endif
    pool->free = block->next;
    ++pool->used;
    count_allocation(idx, size);
#if PYHEAP_ASAN
    // Free blocks are poisoned; a live one is unpoisoned for the bytes asked for only.
    __asan_poison_memory_region(block, alloc::class_block_size(idx));
    __asan_unpoison_memory_region(block, size == 0 ? 1 : size);
#endif
    return block;
  }

  // The free's push: p (a small block of `size` bytes) joins its pool's free list and leaves the
  // counters. Returns nullptr when that is all, or the pool when it was full or has just emptied:
  // SmallObjectAllocator::finish_free must then requeue or retire it.
  alloc::PoolHot* push_free(void* p, std::size_t size) noexcept {
    const std::size_t idx = alloc::class_index(size);
    alloc::PoolHot* pool = alloc::PoolHot::of(p);
    const std::size_t bs = alloc::class_block_size(idx);
    PYHEAP_ASSERT(held >= bs && pool->szidx == idx);
    held -= bs;
#if PYHEAP_ASAN
    __asan_unpoison_memory_region(p, bs);
#endif
    auto* f = static_cast<alloc::FreeBlock*>(p);
    f->next = pool->free;
    pool->free = f;
#if PYHEAP_ASAN
    __asan_poison_memory_region(p, bs);
#endif
    PYHEAP_ASSERT(classes.blocks[idx] > 0 && classes.bytes_requested[idx] >= size);
    --classes.blocks[idx];
    classes.bytes_requested[idx] -= size;
    // (int32)(used - 1) <= 0: the pool was full and out of its list, or has just emptied.
    const std::uint32_t used = --pool->used;
    if (static_cast<std::int32_t>(used) > 0) [[likely]] return nullptr;
    return pool;
  }
};

}  // namespace pyheap::detail
