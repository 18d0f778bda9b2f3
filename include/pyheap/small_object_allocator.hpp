// SmallObjectAllocator: pyheap's allocator for small objects, in the spirit of CPython's
// obmalloc.
//
// Concept. Requests of up to kMaxSmallSize (512) bytes are rounded up to a multiple of 16
// and served from one of 32 size classes (16, 32, ..., 512). Each size class owns 16 KiB
// pools, which hold blocks of that one size; pools are carved out of 1 MiB arenas mapped
// with mmap and aligned to their size. The first pool of an arena holds the arena's header,
// where the records of its 63 other pools sit packed together, so the owner and the pool record
// of any block are found by masking its address. Larger requests go to std::malloc behind a
// 32-byte header.
// Memory goes back to the OS later, not never, and never inside deallocate(): an emptied pool is
// retired (its pages kept for reuse by any class), and a purge step decommits, in batches, the
// pools retired for at least purge_delay() (default 100 ms). Purge steps run at allocation slow
// paths, at the end of every collection of a Heap (a full one purges everything), and on
// purge_expired(), purge() and trim(); docs/design.md section 1 gives the rule and its worst case.
//
// Invariants (checked by is_valid() and by PYHEAP_ASSERT in debug builds):
//   * every block handed out is 16-byte aligned and block_size_for(size) bytes long;
//   * deallocate(p, n) must get the same n that allocate(n) was given, on the allocator
//     that owns p (owner_of(p, n) == this);
//   * stats().blocks_in_use == number of live small blocks; large_count == live large ones;
//   * held_bytes() == stats().bytes_held + stats().large_bytes <= memory_limit() (when one is set
//     and was not lowered below what is held).
//
// Tags. The Heap tags its object requests (allocate_tagged, private: detail::AllocatorAccess in
// pyheap/internal/access.hpp; tag 1..kNumTags-1; plain allocate is tag 0). Blocks of different
// tags never share a pool, and each large block records its tag, so
// for_each_block(tag, fn) can list the live blocks of one tag without any per-block bookkeeping:
// the Heap tags its object blocks by the offset of the object header in the block, and the
// out-of-line storage of containers (list arrays, dict tables) stays untagged. The allocator
// gives tags no meaning. Cost: at most one more partly used pool per (size class, tag).
//
// Threading: NOT thread-safe. Use one allocator per thread (or per heap guarded by the
// heap's own lock); a block must be freed through the allocator that handed it out.
// Lifetime: the allocator must outlive its blocks. Its destructor unmaps every arena;
// large blocks still live at that point are leaked, not freed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pyheap/internal/export.hpp"
#include "pyheap/allocator_stats.hpp"

namespace pyheap {

namespace detail {
struct AllocatorState;   // the pools, arenas and counters; defined in src/alloc
struct AllocatorHot;     // its hot part, pyheap/internal/alloc_fast.hpp
struct AllocatorAccess;  // pyheap/internal/access.hpp: the Heap's tagged blocks and user data
}
namespace alloc {
struct PoolHot;
}

class PYHEAP_API SmallObjectAllocator {
 public:
  static constexpr std::size_t kMaxSmallSize = 512;
  static constexpr std::size_t kAlignment = 16;
  static constexpr std::chrono::milliseconds kDefaultPurgeDelay{100};
  static constexpr unsigned kNumTags = 4;

  SmallObjectAllocator();
  ~SmallObjectAllocator();
  SmallObjectAllocator(const SmallObjectAllocator&) = delete;
  SmallObjectAllocator& operator=(const SmallObjectAllocator&) = delete;
  SmallObjectAllocator(SmallObjectAllocator&&) = delete;
  SmallObjectAllocator& operator=(SmallObjectAllocator&&) = delete;

  /// Returns `size` usable bytes, 16-byte aligned; the block occupies block_size_for(size)
  /// (ASan builds poison the slack). Throws std::bad_alloc (out of memory, or fail_after()
  /// fired) or MemoryLimitExceeded (a std::bad_alloc: set_memory_limit); the allocator is then
  /// unchanged.
  void* allocate(std::size_t size);
  /// Sized free. `size` must be the value given to allocate(). p == nullptr is a no-op.
  void deallocate(void* p, std::size_t size) noexcept;
  /// deallocate(blocks[i], sizes[i]) for i in [0, n), in that order, with the same results; a run
  /// of consecutive blocks of one pool updates the class counters and the pool's count once (the
  /// collector frees its garbage this way, in allocation order). No null blocks.
  void deallocate_batch(void* const* blocks, const std::size_t* sizes, std::size_t n) noexcept;

  /// The allocator that handed out p (allocated with `size`); nullptr for p == nullptr.
  static SmallObjectAllocator* owner_of(const void* p, std::size_t size) noexcept;

  /// What a request of `size` really occupies: 16-rounded (minimum 16) for small
  /// requests, `size` itself for large ones (their header is not counted).
  static constexpr std::size_t block_size_for(std::size_t size) noexcept {
    if (size > kMaxSmallSize) return size;
    return size == 0 ? kAlignment : (size + kAlignment - 1) & ~(kAlignment - 1);
  }

  /// What the owner attached to this allocator (a Heap: its own, Heap::of), or null.
  void* user_data() const noexcept { return user_data_; }

  AllocatorStats stats() const;
  std::string format_stats_table() const;
  std::string format_stats_json() const;
  /// Every mapped arena (in address order) with the state of each of its pools: a read-only
  /// walk of the arena records and used-pool headers, O(arenas * pools per arena).
  std::vector<ArenaOccupancy> occupancy() const;

  /// Calls fn(block, block_size, context) for every live block of `tag`, small ones (pool by
  /// pool, in address order within a pool) then large ones (most recent first). Read-only and
  /// allocation-free: fn must not allocate or free blocks of this allocator.
  using BlockVisitor = void (*)(void* block, std::size_t block_size, void* context);
  void for_each_block(unsigned tag, BlockVisitor fn, void* context) const;
  /// Number of live blocks of `tag` (small and large).
  std::size_t count_blocks(unsigned tag) const noexcept;

  /// The purge rule's step: decommits the retired pools (and empty class heads) that have waited
  /// purge_delay() or more, and returns how long until the next one is due (nanoseconds::max()
  /// when nothing waits): an event loop may call it when idle and again after that long.
  std::chrono::nanoseconds purge_expired() noexcept;
  /// Decommits every retired pool and empty class head now, whatever its age.
  void purge() noexcept;
  /// purge(), and unmaps the reserve arena too.
  void trim() noexcept;
  /// How long a retired pool keeps its pages before a purge step may decommit it. 0: at the next
  /// purge step.
  void set_purge_delay(std::chrono::nanoseconds delay) noexcept;
  std::chrono::nanoseconds purge_delay() const noexcept;
  /// The clock the purge rule reads: a monotonic time in nanoseconds; nullptr (the default) is
  /// std::chrono::steady_clock. A program that drives time itself (a simulation, a test that
  /// must not depend on how fast the machine is) sets its own. Set it before anything is
  /// retired: stamps taken on one clock are compared with readings of the other.
  using Clock = std::chrono::nanoseconds (*)() noexcept;
  void set_clock(Clock now) noexcept;
  /// Testing hook: the n-th following allocate() (small or large) throws std::bad_alloc,
  /// once. 0 disables. (A Heap treats it as the OS refusing: heap.hpp, "Memory limits".)
  void fail_after(std::size_t n) noexcept;

  /// Caps held_bytes(): an allocation that would take it above `bytes` throws
  /// MemoryLimitExceeded (memory_limit.hpp) and changes nothing. 0: no limit (the default).
  /// A limit below what is held already only stops growth.
  void set_memory_limit(std::size_t bytes) noexcept;
  std::size_t memory_limit() const noexcept;  // 0: none
  /// Small blocks in use at their block size plus large blocks at their size: what the memory
  /// limit is compared with (stats().bytes_held + stats().large_bytes, kept as one counter).
  std::size_t held_bytes() const noexcept;

  /// Re-checks every invariant. Level 1: counters, lists, the direct table, arena buckets and
  /// bitmaps, the retired FIFO. Level 2: also walks the free list of every used pool. Reports the
  /// first problem to stderr.
  bool is_valid(int level) const;

 private:
  friend struct detail::AllocatorAccess;
  /// allocate() for a block of tag `tag` (0 < tag < kNumTags; 0 is allocate's). Only the Heap
  /// tags blocks (detail::AllocatorAccess).
  void* allocate_tagged(std::size_t size, unsigned tag);
  /// The rest of a free whose inline push (AllocatorHot::push_free) returned `pool`.
  void finish_free(alloc::PoolHot* pool) noexcept;

  std::unique_ptr<detail::AllocatorState> state_;
  detail::AllocatorHot* hot_;  // state_'s hot part, for the Heap's inline fast paths
  void* user_data_ = nullptr;
};

}  // namespace pyheap
