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
// Tags. A caller may tag a request (allocate_tagged, tag 1..kNumTags-1; plain allocate is tag 0).
// Blocks of different tags never share a pool, and each large block records its tag, so
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

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "pyheap/internal/export.hpp"
#include "pyheap/allocator_stats.hpp"

namespace pyheap {

namespace detail {
struct AllocatorState;  // the pools, arenas and counters; defined in src/alloc
}

class PYHEAP_API SmallObjectAllocator {
 public:
  static constexpr std::size_t kMaxSmallSize = 512;
  static constexpr std::size_t kAlignment = 16;
  static constexpr std::size_t kDefaultMaxCachedEmptyPools = 16;
  static constexpr unsigned kNumTags = 4;

  SmallObjectAllocator();
  ~SmallObjectAllocator();
  SmallObjectAllocator(const SmallObjectAllocator&) = delete;
  SmallObjectAllocator& operator=(const SmallObjectAllocator&) = delete;
  SmallObjectAllocator(SmallObjectAllocator&&) = delete;
  SmallObjectAllocator& operator=(SmallObjectAllocator&&) = delete;

  /// Returns `size` usable bytes, 16-byte aligned; the block occupies block_size_for(size)
  /// (ASan builds poison the slack). Throws std::bad_alloc (out of memory, or fail_after()
  /// fired); the allocator is then unchanged.
  void* allocate(std::size_t size);
  /// The same, for a block of tag `tag` (0 < tag < kNumTags; 0 is allocate's).
  void* allocate_tagged(std::size_t size, unsigned tag);
  /// Sized free. `size` must be the value given to allocate(). p == nullptr is a no-op.
  void deallocate(void* p, std::size_t size) noexcept;
  /// deallocate(blocks[i], sizes[i]) for i in [0, n), in that order, with the same results; each
  /// run of consecutive blocks from one pool updates the pool and its class once (the collector
  /// frees its garbage this way, in allocation order). No null blocks.
  void deallocate_batch(void* const* blocks, const std::size_t* sizes, std::size_t n) noexcept;

  /// The allocator that handed out p (allocated with `size`); nullptr for p == nullptr.
  static SmallObjectAllocator* owner_of(const void* p, std::size_t size) noexcept;

  /// What a request of `size` really occupies: 16-rounded (minimum 16) for small
  /// requests, `size` itself for large ones (their header is not counted).
  static constexpr std::size_t block_size_for(std::size_t size) noexcept {
    if (size > kMaxSmallSize) return size;
    return size == 0 ? kAlignment : (size + kAlignment - 1) & ~(kAlignment - 1);
  }

  void* user_data() const noexcept { return user_data_; }
  void set_user_data(void* p) noexcept { user_data_ = p; }

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

  /// Decommits every cached empty pool now and unmaps the reserve (empty) arena.
  void trim() noexcept;
  /// While on, pools that become empty stay committed whatever max_cached_empty_pools says (an
  /// arena that empties completely is still unmapped); turning it off applies the limit again.
  /// For a burst of frees known in advance (the collector freeing garbage): pools emptied one by
  /// one are not decommitted one syscall each just before their whole arena goes.
  void hold_empty_pools(bool on) noexcept;
  /// How many empty pools stay committed before the oldest is decommitted (default 16).
  void set_max_cached_empty_pools(std::size_t n) noexcept;
  /// Testing hook: the n-th following allocate() (small or large) throws std::bad_alloc,
  /// once. 0 disables.
  void fail_after(std::size_t n) noexcept;

  /// Re-checks every invariant. Level 1: counters, lists, arena buckets and bitmaps.
  /// Level 2: also walks the free list of every pool. Reports the first problem to stderr.
  bool is_valid(int level) const;

 private:
  std::unique_ptr<detail::AllocatorState> state_;
  void* user_data_ = nullptr;
};

}  // namespace pyheap
