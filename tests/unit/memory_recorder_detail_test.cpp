// When MemoryRecorder walks the heap for its by-type and pool views: at every new peak while the
// heap is small, and for a large heap only when the peak grew by a sixteenth (so a heap growing
// statement by statement is not walked after every statement). The page says which sample the
// views are from when it is not the peak.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pyheap/memory_recording.hpp"
#include "pyheap/float.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/list.hpp"
#include "pyheap/memory_report.hpp"

using namespace pyheap;

namespace {

std::size_t floats_in(const MemoryRecording& r) {
  for (const auto& t : r.peak_types)
    if (t.name == "Float") return t.count;
  return 0;
}

}  // namespace

TEST(MemoryRecorderDetail, SmallHeapViewsAreOfThePeak) {
  Heap heap;
  MemoryRecorder rec(heap);
  auto list = List::make(heap);
  for (int i = 0; i < 100; ++i) {
    list->append(Float::make(heap, i + 0.5));
    rec.sample("append " + std::to_string(i));
  }
  const MemoryRecording& r = rec.recording();
  EXPECT_EQ(r.peak_sample, 99u);
  EXPECT_EQ(r.detail_sample, r.peak_sample);
  EXPECT_EQ(floats_in(r), 100u);
  EXPECT_NE(rec.html("small").find("Largest types at the peak"), std::string::npos);
}

TEST(MemoryRecorderDetail, LargeHeapIsWalkedAgainOnlyWhenThePeakGrowsBySixteenth) {
  Heap heap;
  MemoryRecorder rec(heap);
  auto list = List::make(heap);
  const std::size_t base = MemoryRecorder::kExactDetailObjects + 1000;
  for (std::size_t i = 0; i < base; ++i) list->append(Float::make(heap, static_cast<double>(i) + 0.5));
  rec.sample("large");
  const MemoryRecording& r = rec.recording();
  ASSERT_EQ(r.detail_sample, 0u);
  EXPECT_EQ(floats_in(r), base);

  // A few more floats: a new peak, but well under a sixteenth more bytes.
  for (int i = 0; i < 10; ++i) list->append(Float::make(heap, -1.5 - i));
  rec.sample("a little more");
  EXPECT_EQ(r.peak_sample, 1u);
  EXPECT_EQ(r.detail_sample, 0u);
  EXPECT_EQ(floats_in(r), base);
  const std::string page = rec.html("large");
  EXPECT_NE(page.find("Largest types near the peak"), std::string::npos);
  EXPECT_NE(page.find("Taken at sample 1 ("), std::string::npos);
  EXPECT_NE(page.find("came at sample 2."), std::string::npos);

  // Twice as many: well over a sixteenth, so the views are taken again, at the peak.
  for (std::size_t i = 0; i < base; ++i) list->append(Float::make(heap, static_cast<double>(i) + 0.25));
  rec.sample("doubled");
  EXPECT_EQ(r.peak_sample, 2u);
  EXPECT_EQ(r.detail_sample, 2u);
  EXPECT_EQ(floats_in(r), 2 * base + 10);
  EXPECT_NE(rec.html("large").find("Largest types at the peak"), std::string::npos);
}

TEST(MemoryRecorderDetail, TypesAreNamedAsTheSnapshotsNameThem) {
  Heap heap;
  MemoryRecorder rec(heap);
  auto list = List::make(heap);
  list->append(Float::make(heap, 2.5));
  rec.sample("one");
  std::vector<std::string> names;
  for (const auto& t : rec.recording().peak_types) names.push_back(t.name);
  // TypeInfo::name: no namespace, as every output names types.
  EXPECT_EQ(names, (std::vector<std::string>{"List", "Float"}));
}
