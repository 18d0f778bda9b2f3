// GrowthTracker: counts by type between two points, only the types that grew.
#include <gtest/gtest.h>

#include "test_objects.hpp"
#include "pyheap/pyheap.hpp"

using pyheap::testing::Leaf;

namespace {

using namespace pyheap;


TEST(Growth, FirstUpdateListsEverythingThenOnlyGrowth) {
  Heap heap;
  GrowthTracker tracker;
  auto list = List::make(heap);
  for (int i = 0; i < 3; ++i) list->append(Str::make(heap, "s" + std::to_string(i)));
  auto g = tracker.update(heap);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].type, "Str");
  EXPECT_EQ(g[0].count, 3u);
  EXPECT_EQ(g[0].delta, 3u);
  EXPECT_EQ(g[1].type, "List");

  EXPECT_TRUE(tracker.update(heap).empty());  // nothing changed

  std::vector<Ref<Leaf>> leaves;
  for (int i = 0; i < 5; ++i) leaves.push_back(heap.make<Leaf>());
  list->append(Str::make(heap, "more"));
  list->pop(0);  // one Str gone, one new: no net growth
  g = tracker.update(heap);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].type, "Leaf");
  EXPECT_EQ(g[0].count, 5u);
  EXPECT_EQ(g[0].delta, 5u);
  EXPECT_EQ(GrowthTracker::format(g), "Leaf         5        +5\n");

  leaves.resize(2);  // shrinking is not growth
  EXPECT_TRUE(tracker.update(heap).empty());
  leaves.push_back(heap.make<Leaf>());
  g = tracker.update(heap);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].count, 3u);
  EXPECT_EQ(g[0].delta, 1u);
}

TEST(Growth, CountsByTypeMatchTheHeap) {
  Heap heap;
  auto t = Tuple::make(heap, {Int::make(heap, 1000), Int::make(heap, 1001), Float::make(heap, 1)});
  const auto counts = count_objects_by_type(heap);
  EXPECT_EQ(counts.at("Int"), 2u);
  EXPECT_EQ(counts.at("Float"), 1u);
  EXPECT_EQ(counts.at("Tuple"), 1u);
  std::size_t total = 0;
  for (const auto& [type, n] : counts) total += n;
  EXPECT_EQ(total, heap.live_objects());
}

}  // namespace
