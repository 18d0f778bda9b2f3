#include <gtest/gtest.h>

#include <list>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pyheap/pool_allocator.hpp"

using pyheap::PoolAllocator;
using pyheap::SmallObjectAllocator;

TEST(AllocPoolAllocator, VectorOfInt) {
  SmallObjectAllocator a;
  {
    std::vector<int, PoolAllocator<int>> v{PoolAllocator<int>(a)};
    for (int i = 0; i < 10000; ++i) v.push_back(i);
    for (int i = 0; i < 10000; ++i) ASSERT_EQ(v[static_cast<std::size_t>(i)], i);
    EXPECT_EQ(&v.get_allocator().resource(), &a);
    EXPECT_EQ(a.stats().large_count, 1u);  // 40 KB buffer
    std::vector<int, PoolAllocator<int>> small{PoolAllocator<int>(a)};
    small.assign(10, 7);
    EXPECT_EQ(a.stats().blocks_in_use, 1u);  // 40 bytes -> one 48-byte block
    EXPECT_TRUE(a.is_valid(2));
  }
  EXPECT_EQ(a.stats().blocks_in_use, 0u);
  EXPECT_EQ(a.stats().large_count, 0u);
}

TEST(AllocPoolAllocator, MapAndListUseRebind) {
  SmallObjectAllocator a;
  {
    using Alloc = PoolAllocator<std::pair<const int, std::string>>;
    std::map<int, std::string, std::less<int>, Alloc> m{Alloc(a)};
    for (int i = 0; i < 2000; ++i) m.emplace(i, std::to_string(i));
    EXPECT_EQ(a.stats().blocks_in_use, 2000u);  // one node each (rebound allocator)
    for (int i = 0; i < 2000; i += 2) m.erase(i);
    EXPECT_EQ(m.size(), 1000u);
    EXPECT_EQ(m.at(1999), "1999");

    std::list<double, PoolAllocator<double>> l{PoolAllocator<double>(a)};
    for (int i = 0; i < 500; ++i) l.push_back(i * 0.5);
    EXPECT_EQ(a.stats().blocks_in_use, 1500u);
    EXPECT_TRUE(a.is_valid(2));
  }
  EXPECT_EQ(a.stats().blocks_in_use, 0u);
}

TEST(AllocPoolAllocator, EqualityAndRebind) {
  SmallObjectAllocator a, b;
  PoolAllocator<int> ia(a), ib(b);
  PoolAllocator<double> da(ia);
  EXPECT_TRUE(ia == da);
  EXPECT_FALSE(ia == ib);
  EXPECT_TRUE(ia != ib);
  using Traits = std::allocator_traits<PoolAllocator<int>>;
  static_assert(std::is_same_v<Traits::rebind_alloc<long>, PoolAllocator<long>>);
  static_assert(!Traits::is_always_equal::value);
  long* p = Traits::rebind_alloc<long>(ia).allocate(3);
  EXPECT_EQ(SmallObjectAllocator::owner_of(p, 3 * sizeof(long)), &a);
  Traits::rebind_alloc<long>(ia).deallocate(p, 3);
}

TEST(AllocPoolAllocator, DefaultConstructedUsesThePerThreadAllocator) {
  PoolAllocator<int> x, y;
  EXPECT_TRUE(x == y);
  EXPECT_EQ(&x.resource(), &pyheap::default_allocator());
  std::vector<int, PoolAllocator<int>> v;
  v.assign(100, 3);
  EXPECT_EQ(SmallObjectAllocator::owner_of(v.data(), 100 * sizeof(int)), &pyheap::default_allocator());
  SmallObjectAllocator* other = nullptr;
  std::thread t([&] {
    std::vector<int, PoolAllocator<int>> w(50, 1);
    other = &w.get_allocator().resource();
    EXPECT_EQ(other->stats().blocks_in_use, 1u);
  });
  t.join();
  EXPECT_NE(other, &pyheap::default_allocator());
}
