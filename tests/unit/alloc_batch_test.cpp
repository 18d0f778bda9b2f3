// deallocate_batch(blocks, sizes, n) must leave the allocator exactly as n deallocate() calls in the
// same order would: the same counters, the same pools in the same states, the same list orders
// (seen through where the next allocations land). Two allocators run the same program, one
// freeing block by block, the other in batches.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "alloc/size_class.hpp"  // kArenaSize: a block's arena
#include "pyheap/allocator_stats.hpp"
#include "pyheap/small_object_allocator.hpp"

using pyheap::AllocatorStats;
using pyheap::SmallObjectAllocator;

namespace {

struct Block {
  void* p;
  std::size_t size;
};

// Every counter, and every pool's state and count, in arena order.
void expect_same_state(const SmallObjectAllocator& a, const SmallObjectAllocator& b) {
  ASSERT_TRUE(a.is_valid(2));
  ASSERT_TRUE(b.is_valid(2));
  const AllocatorStats sa = a.stats(), sb = b.stats();
#define PYHEAP_EXPECT_SAME(name, description) EXPECT_EQ(sa.name, sb.name) << #name;
#define PYHEAP_IGNORE_FIELD(name, description)
  PYHEAP_ALLOCATOR_STATS(PYHEAP_IGNORE_FIELD, PYHEAP_EXPECT_SAME)
  for (std::size_t i = 0; i < AllocatorStats::kNumSizeClasses; ++i) {
    const auto &ca = sa.size_classes[i], &cb = sb.size_classes[i];
#define PYHEAP_EXPECT_SAME_CLASS(name, description) EXPECT_EQ(ca.name, cb.name) << "class " << i << " " #name;
    PYHEAP_ALLOCATOR_STATS(PYHEAP_EXPECT_SAME_CLASS, PYHEAP_IGNORE_FIELD)
#undef PYHEAP_EXPECT_SAME_CLASS
  }
#undef PYHEAP_EXPECT_SAME
#undef PYHEAP_IGNORE_FIELD
  EXPECT_EQ(a.held_bytes(), b.held_bytes());
  const auto oa = a.occupancy(), ob = b.occupancy();
  ASSERT_EQ(oa.size(), ob.size());
  for (std::size_t i = 0; i < oa.size(); ++i) {
    ASSERT_EQ(oa[i].pools.size(), ob[i].pools.size());
    for (std::size_t j = 0; j < oa[i].pools.size(); ++j) {
      const auto &pa = oa[i].pools[j], &pb = ob[i].pools[j];
      EXPECT_EQ(pa.state, pb.state) << "arena " << i << " pool " << j;
      EXPECT_EQ(pa.block_size, pb.block_size) << "arena " << i << " pool " << j;
      EXPECT_EQ(pa.blocks_in_use, pb.blocks_in_use) << "arena " << i << " pool " << j;
    }
  }
}

// Where a block lies: its arena's rank among the mapped arenas and its offset in that arena.
std::pair<std::size_t, std::uintptr_t> place(const SmallObjectAllocator& a, const void* p) {
  const auto arenas = a.occupancy();
  const auto x = reinterpret_cast<std::uintptr_t>(p);
  for (std::size_t i = 0; i < arenas.size(); ++i) {
    const std::uintptr_t base = arenas[i].base;
    if (x >= base && x < base + pyheap::alloc::kArenaSize) return {i, x - base};
  }
  return {SIZE_MAX, 0};  // a large block
}

}  // namespace

TEST(AllocBatch, SameResultsAsOneFreeAtATime) {
  SmallObjectAllocator one, batch;
  for (SmallObjectAllocator* a : {&one, &batch}) a->set_purge_delay(std::chrono::hours(1));  // no purge by time
  std::mt19937_64 rng(14);
  // Sizes of a few classes and some large blocks, allocated in runs so that consecutive blocks
  // share pools, pools fill up (leave their lists) and then empty out.
  std::vector<Block> in_one, in_batch;
  for (int i = 0; i < 40'000; ++i) {
    const std::size_t size = rng() % 50 == 0 ? 600 + rng() % 2000 : std::size_t{16} << (rng() % 4);
    in_one.push_back({one.allocate(size), size});
    in_batch.push_back({batch.allocate(size), size});
  }
  expect_same_state(one, batch);

  // Free about two thirds, in an order that makes long runs of one pool (allocation order) mixed
  // with single blocks, in batches of varying length.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < in_one.size(); ++i)
    if (rng() % 3 != 0) order.push_back(i);
  for (std::size_t k = 0; k + 1 < order.size(); k += 7) std::swap(order[k], order[k + 1 + rng() % (order.size() - k - 1)]);
  std::size_t k = 0;
  while (k < order.size()) {
    const std::size_t n = std::min<std::size_t>(order.size() - k, 1 + rng() % 300);
    std::vector<void*> blocks;
    std::vector<std::size_t> sizes;
    for (std::size_t j = k; j < k + n; ++j) {
      one.deallocate(in_one[order[j]].p, in_one[order[j]].size);
      blocks.push_back(in_batch[order[j]].p);
      sizes.push_back(in_batch[order[j]].size);
    }
    batch.deallocate_batch(blocks.data(), sizes.data(), n);
    k += n;
  }
  expect_same_state(one, batch);

  // The lists kept the same orders: the next allocations land in the same places.
  for (int i = 0; i < 20'000; ++i) {
    const std::size_t size = std::size_t{16} << (i % 4);
    void* p = one.allocate(size);
    void* q = batch.allocate(size);
    ASSERT_EQ(place(one, p), place(batch, q)) << "allocation " << i;
    in_one.push_back({p, size});
    in_batch.push_back({q, size});
  }
  expect_same_state(one, batch);

  // Everything else, in one batch, in allocation order (the collector's order).
  std::vector<bool> freed(in_one.size(), false);
  for (std::size_t i : order) freed[i] = true;
  std::vector<void*> blocks;
  std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < in_one.size(); ++i) {
    if (freed[i]) continue;
    one.deallocate(in_one[i].p, in_one[i].size);
    blocks.push_back(in_batch[i].p);
    sizes.push_back(in_batch[i].size);
  }
  batch.deallocate_batch(blocks.data(), sizes.data(), blocks.size());
  expect_same_state(one, batch);
  EXPECT_EQ(batch.stats().blocks_in_use, 0u);
  EXPECT_EQ(batch.stats().large_count, 0u);
  EXPECT_EQ(batch.held_bytes(), 0u);
}
