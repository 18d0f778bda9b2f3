// SmallObjectAllocator: pyheap's allocator for small objects, in the spirit of CPython's
// obmalloc.
//
// Concept. Requests of up to kMaxSmallSize (512) bytes are rounded up to a multiple of 16
// and served from one of 32 size classes (16, 32, ..., 512). Each size class owns 16 KiB
// pools, which hold blocks of that one size; pools are carved out of 1 MiB arenas mapped
// with mmap and aligned to their size, so the pool of any block is found by masking its
// address. Larger requests go to std::malloc behind a 16-byte header. Empty pools are
// returned to the OS (madvise) once more than max_cached_empty_pools of them idle, and a
// completely empty arena is unmapped (one may be kept mapped, decommitted, as a reserve).
//
// Invariants (checked by is_valid() and by PYHEAP_ASSERT in debug builds):
//   * every block handed out is 16-byte aligned and block_size_for(size) bytes long;
//   * deallocate(p, n) must get the same n that allocate(n) was given, on the allocator
//     that owns p (owner_of(p, n) == this);
//   * stats().blocks_in_use == number of live small blocks; large_count == live large ones.
//
// Tags. The Heap tags its object requests (allocate_tagged, private: detail::AllocatorAccess;
// tag 1..kMaxTags-1, below kMaxSmallTags for a small block; plain allocate is tag 0). Blocks of different tags never share a pool, and each
// large block records its tag, so for_each_block(tag, fn) can list the live blocks of one tag
// without any per-block bookkeeping: the Heap tags its object blocks by the offset of the object
// header in the block, and the out-of-line storage of containers (list arrays, dict tables) stays
// untagged. The allocator gives tags no meaning. Tags below kNumTags have rows in the fast path's
// table; a higher ("rare") tag costs the fast path one compare, and its row is made on first use.
// Cost: at most one more partly used pool per (size class, tag).
//
// Threading: NOT thread-safe. Use one allocator per thread (or per heap guarded by the
// heap's own lock); a block must be freed through the allocator that handed it out.
// Lifetime: the allocator must outlive its blocks. Its destructor unmaps every arena;
// large blocks still live at that point are leaked, not freed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "pyheap/internal/export.hpp"
#include "pyheap/allocator_stats.hpp"

namespace pyheap {

namespace detail {
struct AllocatorState;   // the pools, arenas and counters; defined in src/alloc
struct AllocatorAccess;  // pyheap/internal/access.hpp: the Heap's tagged blocks and user data
}

class PYHEAP_API SmallObjectAllocator {
 public:
  static constexpr std::size_t kMaxSmallSize = 512;
  static constexpr std::size_t kAlignment = 16;
  static constexpr std::size_t kDefaultMaxCachedEmptyPools = 16;
  static constexpr unsigned kNumTags = 4;          // tags with a row of the fast path's table
  static constexpr unsigned kMaxSmallTags = 256;   // a small block's tag is below this
  static constexpr unsigned kMaxTags = 1u << 16;   // any block's tag is below this

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
  /// The same for every live block whose tag is `first_tag` or more, in one walk, with its tag
  /// (the pools of those tags in address order, then the large blocks). Free when first_tag >=
  /// kNumTags and no block of such a tag was ever made.
  using TaggedBlockVisitor = void (*)(void* block, std::size_t block_size, unsigned tag, void* context);
  void for_each_block_from(unsigned first_tag, TaggedBlockVisitor fn, void* context) const;
  /// Number of live blocks of `tag` (small and large).
  std::size_t count_blocks(unsigned tag) const noexcept;

  /// Decommits every cached empty pool now and unmaps the reserve (empty) arena.
  void trim() noexcept;
  /// How many empty pools stay committed before the oldest is decommitted (default 16).
  void set_max_cached_empty_pools(std::size_t n) noexcept;
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

  /// Re-checks every invariant. Level 1: counters, lists, arena buckets and bitmaps.
  /// Level 2: also walks the free list of every pool. Reports the first problem to stderr.
  bool is_valid(int level) const;

 private:
  friend struct detail::AllocatorAccess;
  /// allocate() for a block of tag `tag` (0 < tag < kMaxTags, and < kMaxSmallTags if `size` is
  /// small; 0 is allocate's). Only the Heap tags blocks (detail::AllocatorAccess).
  void* allocate_tagged(std::size_t size, unsigned tag);

  std::unique_ptr<detail::AllocatorState> state_;
  void* user_data_ = nullptr;
};

}  // namespace pyheap
