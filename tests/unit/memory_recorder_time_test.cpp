// MemoryRecorder places samples and collections on one clock (seconds since the recorder was
// made), so a C++ program's report can say when each collection ran, not only after which sample.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "pyheap/memory_recording.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/memory_report.hpp"

using namespace pyheap;

namespace {
struct Pair : Object {
  Ref<Object> other;
  void trace(Tracer& t) { t(other); }
};

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }
}  // namespace

TEST(MemoryRecorderTime, SamplesAndCollectionsShareOneClock) {
  Heap heap;
  heap.gc().disable();
  MemoryRecorder rec(heap);
  rec.sample("start");
  sleep_ms(20);
  {
    auto a = heap.make<Pair>(), b = heap.make<Pair>();
    a->other = b;
    b->other = a;
  }
  rec.sample("cycle dropped");
  sleep_ms(20);
  EXPECT_EQ(heap.gc().collect(), 2u);
  sleep_ms(20);
  rec.sample("collected");

  const MemoryRecording& r = rec.recording();
  ASSERT_EQ(r.samples.size(), 3u);
  ASSERT_EQ(r.collections.size(), 1u);
  const double s0 = r.samples[0].at_seconds, s1 = r.samples[1].at_seconds, s2 = r.samples[2].at_seconds;
  const double c = r.collections[0].at_seconds;
  EXPECT_GE(s0, 0.0);
  EXPECT_GE(s1 - s0, 0.015);  // the sleeps, with room for a coarse clock
  EXPECT_GE(c - s1, 0.015);
  EXPECT_GE(s2 - (c + r.collections[0].seconds), 0.015);
  EXPECT_EQ(r.collections[0].during_sample, 2u);
  EXPECT_NE(rec.html("time").find("at (since start)"), std::string::npos);
}
