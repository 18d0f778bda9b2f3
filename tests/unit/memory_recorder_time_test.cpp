// MemoryRecorder places samples and collections on one clock (seconds since the recorder was
// made), so a C++ program's report can say when each collection ran, not only after which sample.
#include <gtest/gtest.h>

#include "pyheap/memory_recording.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/memory_report.hpp"

using namespace pyheap;

namespace {
struct Pair : Object {
  Ref<Object> other;
  void trace(Tracer& t) { t(other); }
};
}  // namespace

TEST(MemoryRecorderTime, SamplesAndCollectionsShareOneClock) {
  Heap heap;
  heap.gc().disable();
  MemoryRecorder rec(heap);
  rec.sample("start");
  {
    auto a = heap.make<Pair>(), b = heap.make<Pair>();
    a->other = b;
    b->other = a;
  }
  rec.sample("cycle dropped");
  EXPECT_EQ(heap.gc().collect(), 2u);
  rec.sample("collected");

  const MemoryRecording& r = rec.recording();
  ASSERT_EQ(r.samples.size(), 3u);
  ASSERT_EQ(r.collections.size(), 1u);
  const double s0 = r.samples[0].at_seconds, s1 = r.samples[1].at_seconds, s2 = r.samples[2].at_seconds;
  const double c = r.collections[0].at_seconds;
  // One monotonic clock orders them as they happened (a collection stamped on another clock, say
  // the collector's own since boot, would land far outside the samples); no sleeps, no bounds on
  // how long anything took.
  EXPECT_GE(s0, 0.0);
  EXPECT_LE(s0, s1);
  EXPECT_LE(s1, c);
  EXPECT_GE(r.collections[0].seconds, 0.0);
  EXPECT_LE(c + r.collections[0].seconds, s2);
  EXPECT_EQ(r.collections[0].during_sample, 2u);
  EXPECT_NE(rec.html("time").find("at (since start)"), std::string::npos);
}
