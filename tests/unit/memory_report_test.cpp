#include <gtest/gtest.h>

#include <string>

#include "pyheap/memory_recording.hpp"
#include "pyheap/float.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/list.hpp"
#include "pyheap/memory_report.hpp"
#include "pyheap/size.hpp"
#include "pyheap/small_object_allocator.hpp"
#include "report_xml_check.hpp"

using namespace pyheap;

TEST(AllocatorOccupancy, AgreesWithTheStatistics) {
  SmallObjectAllocator a;
  EXPECT_TRUE(a.occupancy().empty());
  std::vector<void*> blocks;
  for (int i = 0; i < 3000; ++i) blocks.push_back(a.allocate(16 + (i % 7) * 16));
  for (int i = 0; i < 3000; i += 3) a.deallocate(blocks[i], 16 + (i % 7) * 16);

  const auto map = a.occupancy();
  const auto stats = a.stats();
  ASSERT_EQ(map.size(), stats.arenas_mapped);
  std::uint64_t pools = 0, used_blocks = 0, held = 0;
  for (std::size_t i = 0; i < map.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(map[i - 1].base, map[i].base);  // address order
    }
    for (const auto& p : map[i].pools) {
      if (p.state != PoolOccupancy::State::InUse) continue;
      ++pools;
      used_blocks += p.blocks_in_use;
      held += std::uint64_t{p.blocks_in_use} * p.block_size;
      EXPECT_GT(p.blocks_in_use, 0u);
      EXPECT_LE(p.blocks_in_use, p.capacity);
    }
  }
  EXPECT_EQ(pools, stats.pools_in_use);
  EXPECT_EQ(used_blocks, stats.blocks_in_use);
  EXPECT_EQ(held, stats.bytes_held);
  for (int i = 0; i < 3000; ++i)
    if (i % 3 != 0) a.deallocate(blocks[i], 16 + (i % 7) * 16);
  for (const auto& arena : a.occupancy())
    for (const auto& p : arena.pools) EXPECT_NE(p.state, PoolOccupancy::State::InUse);
}

namespace {
struct Cell : Object {
  Ref<Object> next;
  void trace(Tracer& t) { t(next); }
};
}  // namespace

TEST(MemoryRecorder, RecordsSamplesCollectionsTypesAndPools) {
  Heap heap;
  heap.gc().disable();
  MemoryRecorder rec(heap);
  rec.sample("start");

  auto list = List::make(heap);
  for (int i = 0; i < 1000; ++i) list->append(Float::make(heap, i));
  rec.sample("floats");
  {
    auto a = heap.make<Cell>(), b = heap.make<Cell>();
    a->next = b;
    b->next = a;
  }
  rec.sample("cycle dropped");  // the peak: floats and the unreachable cycle
  const std::uint64_t peak = rec.peak_bytes();
  EXPECT_EQ(heap.gc().collect(), 2u);
  rec.sample("collected");

  const MemoryRecording& r = rec.recording();
  ASSERT_EQ(r.samples.size(), 4u);
  EXPECT_EQ(r.peak_sample, 2u);
  EXPECT_EQ(r.samples[2].total(), peak);
  EXPECT_EQ(r.samples[3].total() + 2 * Heap::allocated_size(heap.make<Cell>().get()), peak);
  EXPECT_EQ(r.samples[1].total() - r.samples[0].total(), deep_size(list));

  ASSERT_EQ(r.collections.size(), 1u);
  EXPECT_EQ(r.collections[0].collected, 2u);
  EXPECT_EQ(r.collections[0].generation, 2);
  EXPECT_EQ(r.collections[0].during_sample, 3u);
  EXPECT_EQ(r.collections[0].bytes_before - r.collections[0].bytes_after, r.samples[2].total() - r.samples[3].total());

  // At the peak: 1000 Floats, a List and two Cells, by getsizeof.
  bool floats = false, cells = false;
  for (const auto& t : r.peak_types) {
    if (t.name.find("Float") != std::string::npos) {
      floats = true;
      EXPECT_EQ(t.count, 1000u);
      EXPECT_EQ(t.bytes, 1000 * getsizeof(Float::make(heap, 0.5)));
    }
    if (t.name.find("Cell") != std::string::npos) {
      cells = true;
      EXPECT_EQ(t.count, 2u);
    }
  }
  EXPECT_TRUE(floats);
  EXPECT_TRUE(cells);
  EXPECT_EQ(r.peak_types.front().bytes, r.peak_types.front().name.find("Float") != std::string::npos
                                            ? 1000 * getsizeof(Float::make(heap, 0.5))
                                            : r.peak_types.front().bytes);
  EXPECT_FALSE(r.peak_arenas.empty());

  const std::string html = rec.html("memory <test>");
  const std::size_t b = html.find("<body>"), e = html.find("</body>");
  EXPECT_EQ(report_test::xml_problem(html.substr(b, e + 7 - b)), "");
  EXPECT_NE(html.find("memory &lt;test&gt;"), std::string::npos);
  EXPECT_EQ(report_test::count(html, "data-chart=\"line\""), 1u);
  EXPECT_EQ(report_test::count(html, "data-chart=\"grid\""), 1u);
  EXPECT_EQ(report_test::count(html, "data-chart=\"bar\""), 4u);  // pauses, yields, types, advice
  // What to change: the 1000 boxed floats still in their list.
  EXPECT_NE(html.find("id=\"advice-savings\""), std::string::npos);
  EXPECT_NE(html.find("#1 typed-array"), std::string::npos);
  EXPECT_EQ(report_test::count(html, "<line class=\"marker\""), 1u);
  EXPECT_NE(html.find("<title>gen 2: 2 collected"), std::string::npos);
}

TEST(MemoryRecorder, EmptyRecordingStillMakesAPage) {
  Heap heap;
  MemoryRecorder rec(heap);
  EXPECT_EQ(rec.sample_count(), 0u);
  EXPECT_NE(rec.html("nothing").find("Nothing was sampled."), std::string::npos);
}
