#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "alloc/size_class.hpp"
#include "pyheap/small_object_allocator.hpp"

using pyheap::SmallObjectAllocator;
using pyheap::alloc::class_capacity;
using pyheap::alloc::class_index;
using pyheap::alloc::kArenaSize;
using pyheap::alloc::kUsablePools;
using pyheap::alloc::kPoolSize;

namespace {
std::uintptr_t arena_of(const void* p) { return reinterpret_cast<std::uintptr_t>(p) & ~(kArenaSize - 1); }
std::uintptr_t pool_of(const void* p) { return reinterpret_cast<std::uintptr_t>(p) & ~(kPoolSize - 1); }
}  // namespace

TEST(AllocReuse, FreeThenAllocateReturnsTheSameBlock) {
  SmallObjectAllocator a;
  std::vector<void*> keep;
  for (int i = 0; i < 10; ++i) keep.push_back(a.allocate(40));
  void* p = a.allocate(40);
  a.deallocate(p, 40);
  EXPECT_EQ(a.allocate(40), p);
  a.deallocate(p, 40);
  EXPECT_EQ(a.allocate(33), p) << "same class (48), different size";
  a.deallocate(p, 33);
  void* q = keep[3];
  a.deallocate(q, 40);
  EXPECT_EQ(a.allocate(48), q);
  EXPECT_TRUE(a.is_valid(2));
}

TEST(AllocReuse, PoolsThatWereFullQueueBehindTheHead) {
  SmallObjectAllocator a;
  const std::size_t size = 256;
  const std::size_t per_pool = class_capacity(class_index(size));
  std::vector<void*> blocks;
  for (std::size_t i = 0; i < per_pool * 5 + 3; ++i) blocks.push_back(a.allocate(size));
  // Pools 0..4 are full, pool 5 is partly used and is the head of the class.
  void* in_pool1 = blocks[per_pool + 7];
  void* in_pool3 = blocks[3 * per_pool + 2];
  void* also_pool1 = blocks[per_pool + 9];
  ASSERT_NE(pool_of(in_pool1), pool_of(blocks.back()));
  a.deallocate(in_pool1, size);     // pool 1 joins the queue
  a.deallocate(in_pool3, size);     // pool 3 after it
  a.deallocate(also_pool1, size);   // pool 1 collects a second block while it waits
  // The head keeps serving until it runs out; then the queue in order: pool 1 (most recent free
  // first), then pool 3.
  const std::size_t left_in_head = per_pool - 3;
  for (std::size_t i = 0; i < left_in_head; ++i)
    EXPECT_EQ(pool_of(a.allocate(size)), pool_of(blocks.back())) << i;
  EXPECT_EQ(a.allocate(size), also_pool1);
  EXPECT_EQ(a.allocate(size), in_pool1);
  EXPECT_EQ(a.allocate(size), in_pool3);
  EXPECT_TRUE(a.is_valid(2));
}

TEST(AllocReuse, NewPoolsComeFromTheFullestArena) {
  SmallObjectAllocator a;
  const std::size_t size = 512;
  const std::size_t per_pool = class_capacity(class_index(size));
  // Fill arena A completely, then a few pools of arena B.
  std::vector<void*> blocks;
  for (std::size_t i = 0; i < per_pool * (kUsablePools + 3); ++i) blocks.push_back(a.allocate(size));
  const std::uintptr_t arena_a = arena_of(blocks.front());
  const std::uintptr_t arena_b = arena_of(blocks.back());
  ASSERT_NE(arena_a, arena_b);
  EXPECT_EQ(a.stats().arenas_mapped, 2u);

  // Empty one pool in the middle of A: it is retired (its class allocates from another pool), so
  // A now has 1 free pool, B has 60.
  const std::size_t pool_no = 10;
  for (std::size_t i = pool_no * per_pool; i < (pool_no + 1) * per_pool; ++i) {
    a.deallocate(blocks[i], size);
    if (i != pool_no * per_pool) blocks[i] = nullptr;
  }
  const std::uintptr_t freed_pool = pool_of(blocks[pool_no * per_pool]);
  blocks[pool_no * per_pool] = nullptr;
  ASSERT_EQ(arena_of(reinterpret_cast<void*>(freed_pool)), arena_a);
  EXPECT_EQ(a.stats().pools_retired, 1u);

  // A different class needs a new pool: it must come from A (fullest usable arena).
  void* q = a.allocate(64);
  EXPECT_EQ(arena_of(q), arena_a);
  EXPECT_EQ(pool_of(q), freed_pool) << "the retired pool, pages still committed";
  // The next new pool must come from B, A being full again.
  void* r = a.allocate(128);
  EXPECT_EQ(arena_of(r), arena_b);
  EXPECT_TRUE(a.is_valid(2));

  // Fill B (59 free pools) and overflow into a third arena C (4 pools used there, 59 free).
  for (std::size_t i = 0; i < per_pool * kUsablePools; ++i) blocks.push_back(a.allocate(size));
  const std::uintptr_t arena_c = arena_of(blocks.back());
  ASSERT_NE(arena_c, arena_b);
  ASSERT_NE(arena_c, arena_a);
  EXPECT_EQ(a.stats().arenas_mapped, 3u);
  // Empty B except r's pool and one 512-pool: B has 61 free pools (retired), C has 59.
  std::uintptr_t kept_pool = 0;
  std::vector<void*> rest;
  for (void* p : blocks) {
    if (p == nullptr) continue;
    if (arena_of(p) != arena_b) {
      rest.push_back(p);
      continue;
    }
    if (kept_pool == 0) kept_pool = pool_of(p);
    if (pool_of(p) == kept_pool) rest.push_back(p); else a.deallocate(p, size);
  }
  void* s = a.allocate(160);
  EXPECT_EQ(arena_of(s), arena_c) << "the arena with fewer free pools wins, whatever the mapping order";
  EXPECT_TRUE(a.is_valid(2));

  for (void* p : rest) a.deallocate(p, size);
  a.deallocate(q, 64);
  a.deallocate(r, 128);
  a.deallocate(s, 160);
  EXPECT_EQ(a.stats().blocks_in_use, 0u);
  EXPECT_EQ(a.stats().arenas_mapped, 3u) << "a free never unmaps";
  a.purge();
  EXPECT_EQ(a.stats().arenas_mapped, 1u) << "one empty arena is kept as the reserve";
  EXPECT_EQ(a.stats().pools_committed, 0u) << "the reserve is decommitted";
  a.trim();
  EXPECT_EQ(a.stats().arenas_mapped, 0u);
  EXPECT_TRUE(a.is_valid(2));
}

TEST(AllocReuse, EmptyPoolIsReusedByAnotherClass) {
  SmallObjectAllocator a;
  std::vector<void*> blocks;
  const std::size_t per_pool = class_capacity(class_index(32));
  for (std::size_t i = 0; i < per_pool; ++i) blocks.push_back(a.allocate(32));
  void* keep = a.allocate(32);  // second pool keeps the arena alive
  const std::uintptr_t pool = pool_of(blocks.front());
  for (void* p : blocks) a.deallocate(p, 32);
  EXPECT_EQ(a.stats().pools_retired, 1u);
  void* p = a.allocate(300);
  EXPECT_EQ(pool_of(p), pool) << "a retired pool is preferred to untouched ones";
  EXPECT_EQ(a.stats().pools_retired, 0u);
  a.deallocate(p, 300);
  a.deallocate(keep, 32);
  EXPECT_TRUE(a.is_valid(2));
}
