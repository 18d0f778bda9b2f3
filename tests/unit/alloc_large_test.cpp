#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "pyheap/internal/access.hpp"
#include "pyheap/internal/check.hpp"
#include "pyheap/small_object_allocator.hpp"

using pyheap::SmallObjectAllocator;

TEST(AllocLarge, CountedFreedAndOwned) {
  SmallObjectAllocator a, b;
  const std::size_t sizes[] = {513, 1000, 4096, 65536, 1 << 20};
  std::vector<void*> mine, theirs;
  std::size_t total = 0;
  for (std::size_t size : sizes) {
    void* p = a.allocate(size);
    void* q = b.allocate(size);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 16, 0u);
    std::memset(p, 0x11, size);
    std::memset(q, 0x22, size);
    EXPECT_EQ(SmallObjectAllocator::owner_of(p, size), &a);
    EXPECT_EQ(SmallObjectAllocator::owner_of(q, size), &b);
    EXPECT_EQ(SmallObjectAllocator::block_size_for(size), size);
    mine.push_back(p);
    theirs.push_back(q);
    total += size;
  }
  auto s = a.stats();
  EXPECT_EQ(s.large_count, 5u);
  EXPECT_EQ(s.large_bytes, total);
  EXPECT_EQ(s.large_count_total, 5u);
  EXPECT_EQ(s.blocks_in_use, 0u) << "large blocks are not small blocks";
  EXPECT_EQ(s.arenas_mapped, 0u);
  for (std::size_t i = 0; i < 5; ++i) {
    a.deallocate(mine[i], sizes[i]);
    b.deallocate(theirs[i], sizes[i]);
  }
  s = a.stats();
  EXPECT_EQ(s.large_count, 0u);
  EXPECT_EQ(s.large_bytes, 0u);
  EXPECT_EQ(s.large_bytes_total, total);
  EXPECT_TRUE(a.is_valid(2));
  EXPECT_TRUE(b.is_valid(2));
}

TEST(AllocLarge, OwnerOfSmallBlocksAndNull) {
  SmallObjectAllocator a, b;
  void* p = a.allocate(100);
  void* q = b.allocate(100);
  EXPECT_EQ(SmallObjectAllocator::owner_of(p, 100), &a);
  EXPECT_EQ(SmallObjectAllocator::owner_of(q, 100), &b);
  EXPECT_EQ(SmallObjectAllocator::owner_of(nullptr, 100), nullptr);
  a.deallocate(nullptr, 100);
  a.deallocate(nullptr, 1000);
  a.deallocate(p, 100);
  b.deallocate(q, 100);
}

TEST(AllocLarge, UserData) {
  SmallObjectAllocator a;
  EXPECT_EQ(a.user_data(), nullptr);
  int x = 0;
  pyheap::detail::AllocatorAccess::set_user_data(a, &x);  // the Heap's door (internal/access.hpp)
  EXPECT_EQ(a.user_data(), &x);
  void* p = a.allocate(40);
  EXPECT_EQ(SmallObjectAllocator::owner_of(p, 40)->user_data(), &x);
  a.deallocate(p, 40);
}

#if PYHEAP_DEBUG_LEVEL >= 1
TEST(AllocLargeDeathTest, WrongSizeOrOwnerIsCaughtInDebugBuilds) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        SmallObjectAllocator a;
        void* p = a.allocate(100);
        a.deallocate(p, 200);
      },
      "PYHEAP_ASSERT failed");
  EXPECT_DEATH(
      {
        SmallObjectAllocator a;  // one declaration each: a comma here would split the macro argument
        SmallObjectAllocator b;
        void* p = a.allocate(1000);
        b.deallocate(p, 1000);
      },
      "PYHEAP_ASSERT failed");
}
#endif
