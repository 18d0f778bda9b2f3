// SmallObjectAllocator::occupancy() tells the four states of a pool apart (in use, empty but
// committed, decommitted, never touched) and reports the blocks of each used pool as the
// allocator's counters do. (memory_report_test.cpp checks the totals on a mixed workload.)
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "alloc/size_class.hpp"
#include "pyheap/small_object_allocator.hpp"

using pyheap::PoolOccupancy;
using pyheap::SmallObjectAllocator;

namespace {

std::map<PoolOccupancy::State, int> count_states(const pyheap::ArenaOccupancy& arena) {
  std::map<PoolOccupancy::State, int> n;
  for (const auto& p : arena.pools) ++n[p.state];
  return n;
}

}  // namespace

TEST(AllocatorOccupancy, TellsThePoolStatesApart) {
  SmallObjectAllocator a;
  // 16-byte blocks: three pools' worth, so pools 1, 2 and 3 of the first arena are used (pool 0
  // is the arena's header).
  const std::size_t per_pool = pyheap::alloc::class_capacity(0);
  std::vector<void*> blocks;
  for (std::size_t i = 0; i < 2 * per_pool + 10; ++i) blocks.push_back(a.allocate(16));
  {
    const auto map = a.occupancy();
    ASSERT_EQ(map.size(), 1u);
    ASSERT_EQ(map[0].pools.size(), 64u);
    EXPECT_EQ(map[0].pools[0].state, PoolOccupancy::State::Header);
    auto n = count_states(map[0]);
    EXPECT_EQ(n[PoolOccupancy::State::InUse], 3);
    EXPECT_EQ(n[PoolOccupancy::State::Untouched], 60);
    std::size_t full = 0;
    for (const auto& p : map[0].pools) {
      if (p.state != PoolOccupancy::State::InUse) continue;
      EXPECT_EQ(p.block_size, 16u);
      EXPECT_EQ(p.capacity, per_pool);
      if (p.blocks_in_use == p.capacity) {
        ++full;
      } else {
        EXPECT_EQ(p.blocks_in_use, 10u);
      }
    }
    EXPECT_EQ(full, 2u);
  }
  // Keep the first block (its pool stays in use, so the arena stays mapped); free the rest. The
  // second and third pools empty in turn and are retired: empty, pages kept.
  for (std::size_t i = 1; i < blocks.size(); ++i) a.deallocate(blocks[i], 16);
  {
    const auto map = a.occupancy();
    ASSERT_EQ(map.size(), 1u);
    auto n = count_states(map[0]);
    EXPECT_EQ(n[PoolOccupancy::State::InUse], 1);
    EXPECT_EQ(n[PoolOccupancy::State::Empty], 2);
    EXPECT_EQ(n[PoolOccupancy::State::Untouched], 60);
    for (const auto& p : map[0].pools) {
      if (p.state == PoolOccupancy::State::InUse) {
        EXPECT_EQ(p.blocks_in_use, 1u);
      }
    }
    EXPECT_EQ(a.stats().pools_retired, 2u);
  }
  // The purge returns them to the OS.
  a.purge();
  {
    auto n = count_states(a.occupancy()[0]);
    EXPECT_EQ(n[PoolOccupancy::State::Decommitted], 2);
    EXPECT_EQ(n[PoolOccupancy::State::Empty], 0);
    const auto stats = a.stats();
    EXPECT_EQ(stats.pools_decommitted, 2u);
    EXPECT_EQ(stats.madvise_calls, 1u) << "pools 2 and 3 are contiguous";
  }
  a.deallocate(blocks[0], 16);
  // The last pool of its class, emptied, stays with its class until the purge rule retires it.
  EXPECT_EQ(count_states(a.occupancy()[0])[PoolOccupancy::State::Empty], 1);
}

TEST(AllocatorOccupancy, SeparatesArenasAndSizeClasses) {
  SmallObjectAllocator a;
  // 512-byte blocks hold 31 to a pool: 70 pools need two arenas of 64.
  const std::size_t per_pool = pyheap::alloc::class_capacity(pyheap::alloc::class_index(512));
  std::vector<void*> big;
  for (std::size_t i = 0; i < 70 * per_pool; ++i) big.push_back(a.allocate(512));
  void* small = a.allocate(48);
  const auto map = a.occupancy();
  ASSERT_EQ(map.size(), 2u);
  EXPECT_LT(map[0].base, map[1].base);
  std::map<std::uint32_t, int> pools_by_block_size;
  std::uint64_t blocks = 0;
  for (const auto& arena : map)
    for (const auto& p : arena.pools)
      if (p.state == PoolOccupancy::State::InUse) {
        ++pools_by_block_size[p.block_size];
        blocks += p.blocks_in_use;
      }
  EXPECT_EQ(pools_by_block_size[512], 70);
  EXPECT_EQ(pools_by_block_size[48], 1);
  EXPECT_EQ(blocks, a.stats().blocks_in_use);
  for (void* p : big) a.deallocate(p, 512);
  a.deallocate(small, 48);
}
