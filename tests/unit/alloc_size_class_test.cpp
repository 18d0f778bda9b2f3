#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "alloc/pool.hpp"
#include "alloc/size_class.hpp"
#include "pyheap/small_object_allocator.hpp"

using pyheap::SmallObjectAllocator;

static_assert(SmallObjectAllocator::block_size_for(0) == 16);
static_assert(SmallObjectAllocator::block_size_for(1) == 16);
static_assert(SmallObjectAllocator::block_size_for(16) == 16);
static_assert(SmallObjectAllocator::block_size_for(17) == 32);
static_assert(SmallObjectAllocator::block_size_for(511) == 512);
static_assert(SmallObjectAllocator::block_size_for(512) == 512);
static_assert(SmallObjectAllocator::block_size_for(513) == 513);

TEST(AllocSizeClass, EverySmallSizeMapsToItsClass) {
  SmallObjectAllocator a;
  for (std::size_t size = 0; size <= SmallObjectAllocator::kMaxSmallSize; ++size) {
    const std::size_t expected = size == 0 ? 16 : (size + 15) / 16 * 16;
    ASSERT_EQ(SmallObjectAllocator::block_size_for(size), expected) << size;
    ASSERT_EQ(pyheap::alloc::class_block_size(pyheap::alloc::class_index(size)), expected) << size;

    const auto before = a.stats().size_classes[expected / 16 - 1].blocks_in_use;
    void* p = a.allocate(size);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(a.stats().size_classes[expected / 16 - 1].blocks_in_use, before + 1) << size;
    EXPECT_EQ(pyheap::alloc::PoolRecord::of(p)->block_size(), expected) << size;
    EXPECT_EQ(SmallObjectAllocator::owner_of(p, size), &a);
    std::memset(p, 0xAB, size);
  }
  EXPECT_EQ(a.stats().blocks_in_use, 513u);
  EXPECT_TRUE(a.is_valid(2));
}

TEST(AllocSizeClass, BlocksAreSixteenByteAlignedAndDisjoint) {
  SmallObjectAllocator a;
  std::vector<std::pair<std::uintptr_t, std::size_t>> blocks;
  std::vector<std::pair<void*, std::size_t>> requests;
  for (std::size_t size : {0, 1, 7, 8, 15, 16, 24, 33, 100, 255, 256, 257, 500, 512, 513, 777, 4096, 100000}) {
    for (int i = 0; i < 50; ++i) {
      void* p = a.allocate(size);
      const auto addr = reinterpret_cast<std::uintptr_t>(p);
      EXPECT_EQ(addr % 16, 0u) << "size " << size;
      blocks.emplace_back(addr, SmallObjectAllocator::block_size_for(size));
      requests.emplace_back(p, size);
    }
  }
  std::sort(blocks.begin(), blocks.end());
  for (std::size_t i = 1; i < blocks.size(); ++i)
    EXPECT_LE(blocks[i - 1].first + blocks[i - 1].second, blocks[i].first);
  // Large blocks come from malloc and outlive the allocator unless freed.
  for (auto [p, size] : requests) a.deallocate(p, size);
  EXPECT_EQ(a.stats().blocks_in_use, 0u);
}
