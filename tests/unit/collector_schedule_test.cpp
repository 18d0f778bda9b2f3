// When automatic collections run: the Scaled schedule (the default) against CPython 3.11's
// (collector.hpp, docs/design.md "Automatic collection"). What a collection finds is the same under
// both; these tests pin the moments.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "pyheap/heap.hpp"

using pyheap::CollectionInfo;
using pyheap::GcPhase;
using pyheap::GcSchedule;
using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;

namespace {

struct N : Object {
  Ref<N> x;
  void trace(Tracer& t) { t(x); }
};

// The generation of every automatic collection that starts.
struct Starts {
  std::vector<int> generations;
  Heap& heap;
  int id;
  explicit Starts(Heap& h) : heap(h) {
    id = h.gc().add_callback([this](GcPhase p, const CollectionInfo& i) {
      if (p == GcPhase::Start) generations.push_back(i.generation);
    });
  }
  ~Starts() { heap.gc().remove_callback(id); }
  Starts(const Starts&) = delete;
  Starts& operator=(const Starts&) = delete;
};

// Makes `n` live objects and one full collection, so that the long-lived total is n.
void settle(Heap& h, std::vector<Ref<N>>& keep, int n) {
  h.gc().disable();
  for (int i = 0; i < n; ++i) keep.push_back(h.make<N>());
  h.gc().collect();
  h.gc().enable();
}

TEST(CollectorSchedule, DefaultIsScaledWithCPythonsThresholds) {
  Heap h;
  EXPECT_EQ(h.gc().schedule(), GcSchedule::Scaled);
  EXPECT_EQ(h.gc().threshold(), (std::array<int, 3>{700, 10, 10}));
  EXPECT_EQ(h.gc().young_limit(), 700u) << "no long-lived objects yet: threshold 0 rules";
  h.gc().disable();
  EXPECT_EQ(h.gc().young_limit(), SIZE_MAX);
  h.gc().enable();
  h.gc().set_threshold(0);
  EXPECT_EQ(h.gc().young_limit(), SIZE_MAX) << "threshold 0 turns automatic collection off";
}

TEST(CollectorSchedule, ScaledYoungLimitIsAQuarterOfTheLongLived) {
  Heap h;
  std::vector<Ref<N>> keep;
  settle(h, keep, 8000);
  EXPECT_EQ(h.gc().young_limit(), 2000u);
  Starts starts(h);
  for (int i = 0; i < 2000; ++i) keep.push_back(h.make<N>());
  EXPECT_TRUE(starts.generations.empty()) << "2000 is not over the limit";
  keep.push_back(h.make<N>());
  EXPECT_EQ(starts.generations, (std::vector<int>{0})) << "the 2001st container collects";
  EXPECT_EQ(h.gc().count()[0], 0u);
  // Below 4 * threshold 0 long-lived objects, threshold 0 is the limit.
  Heap small;
  std::vector<Ref<N>> few;
  settle(small, few, 2000);
  EXPECT_EQ(small.gc().young_limit(), 700u);
  // The CPython311 schedule ignores the long-lived objects.
  h.gc().set_schedule(GcSchedule::CPython311);
  EXPECT_EQ(h.gc().young_limit(), 700u);
  for (int i = 0; i < 701; ++i) keep.push_back(h.make<N>());
  EXPECT_EQ(starts.generations, (std::vector<int>{0, 0}));
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(CollectorSchedule, ScaledLimitFollowsTheLastFullCollection) {
  Heap h;
  std::vector<Ref<N>> keep;
  settle(h, keep, 8000);
  EXPECT_EQ(h.gc().young_limit(), 2000u);
  keep.resize(4000);
  h.gc().collect();
  EXPECT_EQ(h.gc().young_limit(), 1000u);
  keep.clear();
  h.gc().collect();
  EXPECT_EQ(h.gc().young_limit(), 700u);
}

// Generation 2 holds 1000 long-lived objects; then batches of objects are promoted into it. Under
// CPython 3.11's rule every promotion counts toward the full collection, whether the promoted
// object lives on or not; under Scaled only the net growth of generation 2 does.
std::vector<int> full_collections_after_promoting(GcSchedule schedule, bool promoted_die) {
  Heap h;
  h.gc().set_schedule(schedule);
  std::vector<Ref<N>> keep;
  settle(h, keep, 1000);
  h.gc().set_threshold(5, 1, 0);  // every second young collection is of generation 1 or 2
  Starts starts(h);
  std::vector<int> full;
  for (int round = 0; round < 40; ++round) {
    std::vector<Ref<N>> batch;
    for (int i = 0; i < 300; ++i) batch.push_back(h.make<N>());  // over the young limit (250)
    if (!promoted_die) keep.insert(keep.end(), batch.begin(), batch.end());
  }
  for (int g : starts.generations)
    if (g == 2) full.push_back(g);
  EXPECT_TRUE(h.gc().is_valid(2));
  return full;
}

TEST(CollectorSchedule, ScaledFullCollectionCountsOnlyWhatGenerationTwoKept) {
  // Promoted objects that die before the next full collection: CPython 3.11 still runs full
  // collections for them, Scaled does not.
  EXPECT_FALSE(full_collections_after_promoting(GcSchedule::CPython311, true).empty());
  EXPECT_TRUE(full_collections_after_promoting(GcSchedule::Scaled, true).empty());
  // Promoted objects that stay (a growing heap, or cyclic garbage that only a full collection
  // frees): both schedules run full collections.
  EXPECT_FALSE(full_collections_after_promoting(GcSchedule::CPython311, false).empty());
  EXPECT_FALSE(full_collections_after_promoting(GcSchedule::Scaled, false).empty());
}

TEST(CollectorSchedule, ScaledYoungLimitStillBoundsCyclicGarbage) {
  Heap h;
  std::vector<Ref<N>> keep;
  settle(h, keep, 4000);
  h.gc().set_threshold(100, 1, 1);
  EXPECT_EQ(h.gc().young_limit(), 1000u);
  for (int i = 0; i < 200000; ++i) {
    auto a = h.make<N>();
    a->x = a;  // garbage once dropped: only a collection frees it
  }
  // At most the young limit's worth of garbage waits for the next collection.
  EXPECT_LE(h.live_objects(), 4000u + 1001u);
  std::uint64_t collected = 0;
  for (const auto& s : h.gc().stats()) collected += s.collected;
  EXPECT_EQ(collected + h.live_objects(), 200000u + 4000u);
  EXPECT_TRUE(h.gc().is_valid(2));
}

}  // namespace
