// Allocation tracing (tracing.hpp) and the collector's garbage summary (collector.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "test_objects.hpp"
#include "pyheap/array.hpp"
#include "pyheap/dict.hpp"
#include "pyheap/float.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/instance.hpp"
#include "pyheap/int.hpp"
#include "pyheap/list.hpp"
#include "pyheap/record.hpp"
#include "pyheap/str.hpp"
#include "pyheap/table.hpp"
#include "pyheap/tracing.hpp"
#include "pyheap/tuple.hpp"
#include "pyheap/weakref.hpp"

using pyheap::testing::Leaf;
using pyheap::testing::ThrowingAtom;
using pyheap::testing::Blob;

using pyheap::AllocationSite;
using pyheap::CollectionInfo;
using pyheap::GarbageSummary;
using pyheap::GcPhase;
using pyheap::GroupBy;
using pyheap::GrowthOrder;
using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Snapshot;
using pyheap::SourceLocation;
using pyheap::TraceFilter;
using pyheap::TraceOptions;
using pyheap::Tracer;

namespace {

struct Node : Object {
  Ref<Node> next;
  Ref<Object> other;
  void trace(Tracer& t) { t(next, other); }
};

// Variable-size: `n` bytes of inline data after the object.

std::size_t requested(const Object* o) { return pyheap::detail::block_request(o); }

// Everything the allocator holds for live requests, small and large.
std::size_t allocator_bytes(const Heap& heap) {
  const auto s = heap.allocator().stats();
  return s.bytes_requested + s.large_bytes;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

const std::string kThisFile = "tracing_test.cpp";

TEST(Tracing, OffByDefaultAndRecordsNothing) {
  Heap heap;
  EXPECT_FALSE(heap.tracing().is_tracing());
  auto a = heap.make<Leaf>(1);
  EXPECT_FALSE(heap.allocation_site(a.get()).has_value());
  EXPECT_EQ(heap.tracing().traced_memory().current, 0u);
  EXPECT_EQ(heap.tracing().traced_memory().peak, 0u);
  EXPECT_THROW(heap.tracing().snapshot(), std::logic_error);
}

TEST(Tracing, RecordsTheCallSiteOfMake) {
  Heap heap;
  heap.tracing().start();
  const std::uint32_t line = __LINE__ + 1;
  auto a = heap.make<Leaf>(7);
  const auto site = heap.allocation_site(a.get());
  ASSERT_TRUE(site.has_value());
  EXPECT_TRUE(ends_with(site->file, kThisFile)) << site->file;
  EXPECT_EQ(site->line, line);
  EXPECT_NE(site->function.find("RecordsTheCallSiteOfMake"), std::string::npos) << site->function;
  EXPECT_NE(site->type.find("Leaf"), std::string::npos) << site->type;
  EXPECT_TRUE(site->frames.empty());
  EXPECT_EQ(site->location(), site->file + ':' + std::to_string(line));

  // Every argument count goes through the same capture; make_var too.
  const std::uint32_t line2 = __LINE__ + 1;
  auto n = heap.make<Node>();
  const std::uint32_t line3 = __LINE__ + 1;
  auto b = heap.make_var<Blob>(40, std::size_t{40});
  EXPECT_EQ(heap.allocation_site(n.get())->line, line2);
  EXPECT_EQ(heap.allocation_site(b.get())->line, line3);
  EXPECT_NE(heap.allocation_site(b.get())->type.find("Blob"), std::string::npos);
  // An explicit site, for factories that pass their caller's along.
  const auto here = SourceLocation::current();
  auto c = heap.make_at<Leaf>(here, 3);
  EXPECT_EQ(heap.allocation_site(c.get())->line, here.line());
  EXPECT_EQ(c->value, 3);
}

TEST(Tracing, SameLineSameTypeSharesOneSite) {
  Heap heap;
  heap.tracing().start();
  std::vector<Ref<Leaf>> leaves;
  for (int i = 0; i < 10; ++i) leaves.push_back(heap.make<Leaf>(i));
  const std::uint32_t id = heap.tracing().site_id(leaves[0].get());
  ASSERT_NE(id, 0u);
  for (const auto& l : leaves) EXPECT_EQ(heap.tracing().site_id(l.get()), id);
  auto other = heap.make<Leaf>(0);
  EXPECT_NE(heap.tracing().site_id(other.get()), id);
}

// One line that makes objects of two types (a template instantiated twice): the same
// SourceLocation, two sites. The inline record path keys its last site by location *and*
// type, so interleaving the two must never file one under the other's site.
template <class T>
Ref<T> make_here(Heap& heap) {
  return heap.make<T>();
}

TEST(Tracing, InlinePathKeepsSitesTypesAndLeavesApart) {
  Heap heap;
  heap.tracing().start();
  std::vector<Ref<Object>> held;
  for (int i = 0; i < 64; ++i) {
    held.push_back(make_here<Leaf>(heap));
    held.push_back(make_here<Node>(heap));
  }
  const std::uint32_t leaf_site = heap.tracing().site_id(held[0].get());
  const std::uint32_t node_site = heap.tracing().site_id(held[1].get());
  ASSERT_NE(leaf_site, 0u);
  ASSERT_NE(node_site, 0u);
  EXPECT_NE(leaf_site, node_site);
  for (std::size_t i = 0; i < held.size(); ++i)
    EXPECT_EQ(heap.tracing().site_id(held[i].get()), i % 2 == 0 ? leaf_site : node_site) << i;
  EXPECT_NE(heap.tracing().site(leaf_site).type.find("Leaf"), std::string::npos);
  EXPECT_NE(heap.tracing().site(node_site).type.find("Node"), std::string::npos);

  // One line alternating a small block with a large one (allocated outside the arenas, so in
  // another 2 MiB leaf of the side table): the inline path's cached leaf changes every time.
  std::vector<Ref<Blob>> blobs;
  std::size_t bytes = 0;
  const std::size_t before = heap.tracing().traced_memory().current;
  for (int i = 0; i < 32; ++i) {
    const std::size_t n = i % 2 == 0 ? 8 : (std::size_t{1} << 20);
    blobs.push_back(heap.make_var<Blob>(n, n));
    bytes += requested(blobs.back().get());
  }
  const std::uint32_t blob_site = heap.tracing().site_id(blobs[0].get());
  ASSERT_NE(blob_site, 0u);
  for (const auto& b : blobs) EXPECT_EQ(heap.tracing().site_id(b.get()), blob_site);
  EXPECT_EQ(heap.tracing().traced_memory().current, before + bytes);
  EXPECT_EQ(heap.tracing().traced_count(), held.size() + blobs.size());
  // Freed in another order than made: every record goes, whichever leaf it is in.
  for (std::size_t i = 1; i < blobs.size(); i += 2) blobs[i].reset();
  blobs.clear();
  EXPECT_EQ(heap.tracing().traced_memory().current, before);
  held.clear();
  EXPECT_EQ(heap.tracing().traced_memory().current, 0u);
  EXPECT_EQ(heap.tracing().traced_count(), 0u);
  EXPECT_GE(heap.tracing().traced_memory().peak, before + bytes);
  EXPECT_EQ(heap.tracing().snapshot().total_count(), 0u);
  EXPECT_EQ(heap.tracing().dropped(), 0u);
}

// The inline path remembers the last site; a new session must not inherit it (its ids restart).
TEST(Tracing, RestartForgetsTheRememberedSite) {
  Heap heap;
  heap.tracing().start();
  auto warm = make_here<Leaf>(heap);  // the remembered site of the first session
  const auto first = heap.tracing().site(heap.tracing().site_id(warm.get()));
  heap.tracing().stop();
  heap.tracing().start();
  auto other = heap.make<Node>();  // id 1 of the new session
  auto again = make_here<Leaf>(heap);
  const std::uint32_t id = heap.tracing().site_id(again.get());
  ASSERT_NE(id, 0u);
  EXPECT_NE(id, heap.tracing().site_id(other.get()));
  EXPECT_EQ(heap.tracing().site(id).line, first.line);
  EXPECT_NE(heap.tracing().site(id).type.find("Leaf"), std::string::npos);
  EXPECT_EQ(heap.tracing().traced_count(), 2u);  // warm stays untraced in the new session
}

// Container factories forward their caller's site: a traced Str::make names this file and line,
// not src/containers/.
TEST(Tracing, ContainerFactoriesRecordTheirCallersLine) {
  Heap heap;
  heap.tracing().start();
  std::vector<std::pair<Ref<Object>, std::uint32_t>> made;  // object, the line that made it
  auto expect = [&](Ref<Object> o, std::uint32_t line) { made.emplace_back(std::move(o), line); };
  auto one = pyheap::Int::make(heap, 1000);
  expect(pyheap::Str::make(heap, "a string"), __LINE__);
  expect(pyheap::Str::intern(heap, "an interned string"), __LINE__);
  expect(pyheap::Int::make(heap, 1 << 20), __LINE__);
  expect(pyheap::Int::make(heap, 7), __LINE__);  // a small int, cached: made here, first
  expect(pyheap::Float::make(heap, 2.5), __LINE__);
  expect(pyheap::Tuple::make(heap, {one, one}), __LINE__);
  expect(pyheap::Tuple::make(heap, {}), __LINE__);  // the shared empty tuple, made here, first
  expect(pyheap::List::make(heap), __LINE__);
  expect(pyheap::List::make(heap, {one}), __LINE__);
  expect(pyheap::Dict::make(heap), __LINE__);
  const auto point = pyheap::RecordType::make({"x", "y"});
  expect(pyheap::Record::make(heap, point), __LINE__);
  expect(pyheap::Record::make(heap, point, {one, one}), __LINE__);
  auto cls = pyheap::Class::make(heap, "C");
  const std::uint32_t cls_line = __LINE__ - 1;
  expect(cls, cls_line);
  expect(pyheap::Instance::make(heap, cls), __LINE__);
  expect(pyheap::Array<double>::make(heap), __LINE__);
  expect(pyheap::Array<std::int64_t>::make(heap, {1, 2, 3}), __LINE__);
  using pyheap::Table;
  auto table = Table::make(heap, {{"n", Table::Kind::Int64}, {"o", Table::Kind::Object}});
  const std::uint32_t table_line = __LINE__ - 1;
  expect(table, table_line);
  expect(table->ints("n"), table_line);  // its columns: made by the same call
  expect(table->objects("o"), table_line);
  for (const auto& [o, line] : made) {
    const auto site = heap.allocation_site(o.get());
    ASSERT_TRUE(site.has_value()) << pyheap::type_of(*o).name;
    EXPECT_TRUE(ends_with(site->file, kThisFile)) << pyheap::type_of(*o).name << " at " << site->file;
    EXPECT_EQ(site->line, line) << pyheap::type_of(*o).name;
    EXPECT_NE(site->function.find("ContainerFactoriesRecordTheirCallersLine"), std::string::npos)
        << site->function;
  }
  // A cached object keeps the site of the call that made it; later calls share it.
  auto again = pyheap::Str::intern(heap, "an interned string");
  EXPECT_EQ(again.get(), made[1].first.get());
  EXPECT_EQ(heap.allocation_site(again.get())->line, made[1].second);
}

TEST(Tracing, ObjectsMadeBeforeStartStayUntraced) {
  Heap heap;
  auto before = heap.make<Leaf>(1);
  heap.tracing().start();
  auto after = heap.make<Leaf>(2);
  EXPECT_FALSE(heap.allocation_site(before.get()).has_value());
  EXPECT_TRUE(heap.allocation_site(after.get()).has_value());
  EXPECT_EQ(heap.tracing().traced_count(), 1u);
  EXPECT_EQ(heap.tracing().traced_memory().current, requested(after.get()));
  before.reset();  // freeing an untraced object changes nothing traced
  EXPECT_EQ(heap.tracing().traced_memory().current, requested(after.get()));
  EXPECT_EQ(heap.tracing().snapshot().total_count(), 1u);
}

TEST(Tracing, CurrentAndPeakAreExactAgainstTheAllocator) {
  Heap heap;
  heap.gc().disable();
  heap.tracing().start();
  const std::size_t base = allocator_bytes(heap);
  std::vector<Ref<Object>> held;
  std::size_t peak = 0;
  auto check = [&] {
    const auto m = heap.tracing().traced_memory();
    EXPECT_EQ(m.current, allocator_bytes(heap) - base);
    peak = std::max(peak, m.current);
    EXPECT_EQ(m.peak, peak);
  };
  for (int i = 0; i < 50; ++i) {
    held.push_back(heap.make<Leaf>(i));
    held.push_back(heap.make<Node>());
    held.push_back(heap.make_var<Blob>(static_cast<std::size_t>(i) * 7, static_cast<std::size_t>(i) * 7));
    check();
  }
  held.push_back(heap.make_var<Blob>(4000, std::size_t{4000}));  // a large (malloc'd) block
  check();
  // Drop every other object: current follows, peak stays.
  for (std::size_t i = 0; i < held.size(); i += 2) held[i].reset();
  check();
  EXPECT_LT(heap.tracing().traced_memory().current, heap.tracing().traced_memory().peak);
  heap.tracing().reset_peak();
  EXPECT_EQ(heap.tracing().traced_memory().peak, heap.tracing().traced_memory().current);
  peak = heap.tracing().traced_memory().peak;
  held.clear();
  check();
  EXPECT_EQ(heap.tracing().traced_memory().current, 0u);
  EXPECT_EQ(heap.tracing().traced_count(), 0u);
}

TEST(Tracing, FreeRemovesTheRecordAndTheAddressIsReusedCleanly) {
  Heap heap;
  heap.tracing().start();
  auto a = heap.make<Leaf>(1);
  const Object* address = a.get();
  a.reset();
  EXPECT_EQ(heap.tracing().traced_count(), 0u);
  EXPECT_EQ(heap.tracing().traced_memory().current, 0u);
  EXPECT_EQ(heap.tracing().snapshot().total_count(), 0u);
  const std::uint32_t line = __LINE__ + 1;
  auto b = heap.make<Leaf>(2);
  EXPECT_EQ(b.get(), address);  // the allocator hands the block straight back
  EXPECT_EQ(heap.allocation_site(b.get())->line, line);
}

TEST(Tracing, CollectedCyclesAreForgotten) {
  Heap heap;
  heap.tracing().start();
  {
    auto a = heap.make<Node>();
    auto b = heap.make<Node>();
    a->next = b;
    b->next = a;
  }
  EXPECT_EQ(heap.tracing().traced_count(), 2u);
  EXPECT_EQ(heap.gc().collect(), 2u);
  EXPECT_EQ(heap.tracing().traced_count(), 0u);
  EXPECT_EQ(heap.tracing().traced_memory().current, 0u);
}

TEST(Tracing, StopForgetsAndRestartBeginsFromNothing) {
  Heap heap;
  heap.tracing().start();
  auto a = heap.make<Leaf>(1);
  heap.tracing().stop();
  EXPECT_FALSE(heap.tracing().is_tracing());
  EXPECT_FALSE(heap.allocation_site(a.get()).has_value());
  EXPECT_EQ(heap.tracing().traced_memory().current, 0u);
  heap.tracing().start();
  EXPECT_FALSE(heap.allocation_site(a.get()).has_value());  // made in the earlier session
  auto b = heap.make<Leaf>(2);
  a.reset();  // carries the traced flag of the old session: must not touch the new one's count
  EXPECT_EQ(heap.tracing().traced_count(), 1u);
  EXPECT_EQ(heap.tracing().traced_memory().current, requested(b.get()));
}

TEST(Tracing, StartTwiceAndBadOptions) {
  Heap heap;
  heap.tracing().start();
  EXPECT_NO_THROW(heap.tracing().start());  // same options: nothing happens
  EXPECT_THROW(heap.tracing().start(TraceOptions{.backtrace_depth = 3}), std::logic_error);
  heap.tracing().stop();
  EXPECT_THROW(heap.tracing().start(TraceOptions{.backtrace_depth = TraceOptions::kMaxBacktraceDepth + 1}),
               std::invalid_argument);
  EXPECT_FALSE(heap.tracing().is_tracing());
  heap.tracing().start(TraceOptions{.backtrace_depth = 3});
  EXPECT_EQ(heap.tracing().options().backtrace_depth, 3u);
}

TEST(Tracing, FailedAllocationLeavesTracingConsistent) {
  Heap heap;
  heap.gc().disable();
  heap.tracing().start();
  auto kept = heap.make<Leaf>(1);
  const auto before = heap.tracing().traced_memory();
  // A failure that persists through the emergency collection (a one-time fail_after would be
  // retried after it, and succeed).
  heap.set_memory_limit(heap.allocator().held_bytes());
  EXPECT_THROW(heap.make<Leaf>(2), std::bad_alloc);
  heap.set_memory_limit(0);
  EXPECT_EQ(heap.tracing().traced_memory().peak, before.peak);
  EXPECT_THROW(heap.make<ThrowingAtom>(true), std::runtime_error);
  EXPECT_EQ(heap.tracing().traced_memory().current, before.current);
  // The object was recorded before its constructor ran (its header says Traced from the start:
  // issue 19), as tracemalloc counts an object's allocation before its __init__ can raise.
  EXPECT_EQ(heap.tracing().traced_memory().peak, before.current + sizeof(ThrowingAtom));
  EXPECT_EQ(heap.tracing().traced_count(), 1u);
  EXPECT_EQ(heap.tracing().snapshot().total_count(), 1u);
  auto next = heap.make<Leaf>(3);
  EXPECT_TRUE(heap.allocation_site(next.get()).has_value());
  EXPECT_EQ(heap.tracing().traced_memory().current, requested(kept.get()) + requested(next.get()));
  EXPECT_EQ(heap.tracing().dropped(), 0u);
}

// Two call paths into the same make line: one site without backtraces, two with.
[[gnu::noinline]] Ref<Leaf> make_in_helper(Heap& heap) { return heap.make<Leaf>(0); }
[[gnu::noinline]] Ref<Leaf> first_caller(Heap& heap) { return make_in_helper(heap); }
[[gnu::noinline]] Ref<Leaf> second_caller(Heap& heap) { return make_in_helper(heap); }

TEST(Tracing, BacktraceDepthIsHonouredAndSeparatesCallPaths) {
  for (unsigned depth : {1u, 4u, 8u}) {
    Heap heap;
    heap.tracing().start(TraceOptions{.backtrace_depth = depth});
    auto a = make_in_helper(heap);
    const auto site = heap.allocation_site(a.get());
    ASSERT_TRUE(site.has_value());
    EXPECT_EQ(site->frames.size(), depth);  // gtest's stack is deeper than 8
    EXPECT_EQ(site->symbolized_frames().size(), depth);
    EXPECT_EQ(site->symbolized_frames()[0].rfind("0x", 0), 0u);
  }
  {
    Heap heap;
    heap.tracing().start();
    auto a = first_caller(heap), b = second_caller(heap);
    EXPECT_EQ(heap.tracing().site_id(a.get()), heap.tracing().site_id(b.get()));
  }
  {
    Heap heap;
    heap.tracing().start(TraceOptions{.backtrace_depth = 8});
    std::vector<Ref<Leaf>> firsts;
    volatile int times = 2;  // not a constant: a loop of two known iterations would be unrolled
    for (int i = 0; i < times; ++i) firsts.push_back(first_caller(heap));  // one call path, twice
    auto b = second_caller(heap);
    EXPECT_NE(heap.tracing().site_id(firsts[0].get()), heap.tracing().site_id(b.get()));
    EXPECT_EQ(heap.tracing().site_id(firsts[0].get()), heap.tracing().site_id(firsts[1].get()));
    const auto stats = heap.tracing().snapshot().statistics(GroupBy::Site);
    ASSERT_EQ(stats.size(), 2u);
    EXPECT_EQ(stats[0].count, 2u);
    EXPECT_EQ(stats[0].traceback.size(), 8u);
    EXPECT_EQ(heap.tracing().snapshot().statistics(GroupBy::Line).size(), 1u);
  }
}

TEST(Snapshot, GroupsBySiteLineFileAndType) {
  Heap heap;
  heap.tracing().start();
  std::vector<Ref<Object>> held;
  const std::uint32_t leaf_line = __LINE__ + 1;
  for (int i = 0; i < 3; ++i) held.push_back(heap.make<Leaf>(i));
  const std::uint32_t node_line = __LINE__ + 1;
  for (int i = 0; i < 2; ++i) held.push_back(heap.make<Node>());
  const std::uint32_t blob_line = __LINE__ + 1;
  for (std::size_t n : {8u, 8u, 100u}) held.push_back(heap.make_var<Blob>(n, n));

  const Snapshot snap = heap.tracing().snapshot();
  const std::size_t leaf = requested(held[0].get()), node = requested(held[3].get());
  const std::size_t blob8 = requested(held[5].get()), blob100 = requested(held[7].get());
  EXPECT_EQ(snap.total_count(), 8u);
  EXPECT_EQ(snap.total_bytes(), heap.tracing().traced_memory().current);
  EXPECT_EQ(snap.traces().size(), 4u);  // the blob site has two sizes

  const auto by_line = snap.statistics(GroupBy::Line);
  ASSERT_EQ(by_line.size(), 3u);
  auto find = [](const auto& stats, const std::string& key) {
    auto it = std::find_if(stats.begin(), stats.end(), [&](const auto& s) { return s.key == key; });
    EXPECT_NE(it, stats.end()) << key;
    return *it;
  };
  const std::string file = snap.sites()[0].file;
  EXPECT_EQ(find(by_line, file + ':' + std::to_string(leaf_line)).count, 3u);
  EXPECT_EQ(find(by_line, file + ':' + std::to_string(leaf_line)).bytes, 3 * leaf);
  EXPECT_EQ(find(by_line, file + ':' + std::to_string(node_line)).bytes, 2 * node);
  EXPECT_EQ(find(by_line, file + ':' + std::to_string(blob_line)).bytes, 2 * blob8 + blob100);
  // Sorted by bytes, largest first.
  for (std::size_t i = 1; i < by_line.size(); ++i) EXPECT_GE(by_line[i - 1].bytes, by_line[i].bytes);

  const auto by_file = snap.statistics(GroupBy::File);
  ASSERT_EQ(by_file.size(), 1u);
  EXPECT_EQ(by_file[0].count, 8u);

  const auto by_type = snap.statistics(GroupBy::Type);
  ASSERT_EQ(by_type.size(), 3u);
  EXPECT_EQ(find(by_type, heap.allocation_site(held[0].get())->type).count, 3u);
  EXPECT_EQ(find(by_type, heap.allocation_site(held[3].get())->type).bytes, 2 * node);
  EXPECT_EQ(find(by_type, heap.allocation_site(held[5].get())->type).bytes, 2 * blob8 + blob100);

  const auto by_site = snap.statistics(GroupBy::Site);
  EXPECT_EQ(by_site.size(), 3u);
  const std::string text = pyheap::format(by_line);
  EXPECT_NE(text.find(file + ':' + std::to_string(leaf_line) + ": " + std::to_string(3 * leaf) + " B in 3 objects"),
            std::string::npos)
      << text;
}

TEST(Snapshot, CompareOrdersByGrowthAndKeepsTheTopN) {
  Heap heap;
  heap.tracing().start();
  std::vector<Ref<Object>> held;
  const std::uint32_t steady_line = __LINE__ + 1;
  for (int i = 0; i < 5; ++i) held.push_back(heap.make<Leaf>(i));
  const std::uint32_t shrinking_line = __LINE__ + 1;
  for (int i = 0; i < 4; ++i) held.push_back(heap.make<Node>());
  const Snapshot before = heap.tracing().snapshot();

  held.resize(6);  // 3 of the 4 nodes go
  const std::uint32_t leak_line = __LINE__ + 1;
  for (int i = 0; i < 10; ++i) held.push_back(heap.make<Leaf>(i));
  const std::uint32_t big_line = __LINE__ + 1;
  held.push_back(heap.make_var<Blob>(400, std::size_t{400}));
  const Snapshot after = heap.tracing().snapshot();

  const std::string file = before.sites()[0].file;
  auto key = [&](std::uint32_t line) { return file + ':' + std::to_string(line); };
  const std::size_t leaf = requested(held[0].get());

  const auto by_bytes = pyheap::compare(before, after, GroupBy::Line);
  ASSERT_EQ(by_bytes.size(), 4u);
  EXPECT_EQ(by_bytes[0].key, key(big_line));  // 1 object but the most bytes
  EXPECT_EQ(by_bytes[1].key, key(leak_line));
  EXPECT_EQ(by_bytes[1].count_diff, 10);
  EXPECT_EQ(by_bytes[1].bytes_diff, static_cast<std::ptrdiff_t>(10 * leaf));
  EXPECT_EQ(by_bytes[2].key, key(steady_line));
  EXPECT_EQ(by_bytes[2].count_diff, 0);
  EXPECT_EQ(by_bytes[3].key, key(shrinking_line));
  EXPECT_EQ(by_bytes[3].count_diff, -3);
  EXPECT_EQ(by_bytes[3].count, 1u);

  const auto by_count = after.compare_to(before, GroupBy::Line, GrowthOrder::Count, 2);
  ASSERT_EQ(by_count.size(), 2u);
  EXPECT_EQ(by_count[0].key, key(leak_line));
  EXPECT_EQ(by_count[1].key, key(big_line));

  const std::string text = pyheap::format(by_count);
  EXPECT_NE(text.find(key(leak_line) + ": " + std::to_string(10 * leaf) + " B (+" + std::to_string(10 * leaf) +
                      " B) in 10 objects (+10)"),
            std::string::npos)
      << text;

  // A group present only in the older snapshot shows up with a count of 0.
  held.resize(5);  // the last node goes too; the new leaves and the blob go
  const auto gone = heap.tracing().snapshot().compare_to(before, GroupBy::Line);
  auto it = std::find_if(gone.begin(), gone.end(), [&](const auto& d) { return d.key == key(shrinking_line); });
  ASSERT_NE(it, gone.end());
  EXPECT_EQ(it->count, 0u);
  EXPECT_EQ(it->count_diff, -4);
}

TEST(Snapshot, FiltersByFileTypeAndSize) {
  Heap heap;
  heap.tracing().start();
  std::vector<Ref<Object>> held;
  for (int i = 0; i < 3; ++i) held.push_back(heap.make<Leaf>(i));
  for (std::size_t n : {16u, 64u, 256u}) held.push_back(heap.make_var<Blob>(n, n));
  const Snapshot snap = heap.tracing().snapshot();
  const std::string leaf_type = heap.allocation_site(held[0].get())->type;

  EXPECT_EQ(snap.filter(TraceFilter{.file = "*/tracing_test.cpp"}).total_count(), 6u);  // glob
  EXPECT_EQ(snap.filter(TraceFilter{.file = "tracing_test"}).total_count(), 6u);        // substring
  EXPECT_EQ(snap.filter(TraceFilter{.file = "*/other.cpp"}).total_count(), 0u);
  EXPECT_EQ(snap.filter(TraceFilter{.include = false, .file = "tracing_test"}).total_count(), 0u);
  EXPECT_EQ(snap.filter(TraceFilter{.type = leaf_type}).total_count(), 3u);
  EXPECT_EQ(snap.filter(TraceFilter{.include = false, .type = leaf_type}).total_count(), 3u);

  const std::size_t mid = requested(held[4].get());
  const Snapshot sized = snap.filter(TraceFilter{.min_size = mid, .max_size = mid});
  EXPECT_EQ(sized.total_count(), 1u);
  EXPECT_EQ(sized.total_bytes(), mid);
  EXPECT_EQ(snap.filter(TraceFilter{.min_size = mid}).total_count(), 2u);
  // Filters compose by chaining.
  EXPECT_EQ(snap.filter(TraceFilter{.type = leaf_type}).filter(TraceFilter{.min_size = mid}).total_count(), 0u);
}

// ---- the collector's garbage summary ------------------------------------------------------------

struct SummaryLog {
  std::vector<GarbageSummary> summaries;
  std::vector<std::size_t> collected;
  int stop_without_summary = 0;
};

int record_summaries(Heap& heap, SummaryLog& log) {
  return heap.gc().add_callback([&log](GcPhase phase, const CollectionInfo& info) {
    if (phase == GcPhase::Start) {
      EXPECT_EQ(info.garbage, nullptr);
      return;
    }
    if (info.garbage == nullptr) {
      ++log.stop_without_summary;
      return;
    }
    log.summaries.push_back(*info.garbage);
    log.collected.push_back(info.collected);
  });
}

TEST(GarbageSummary, ListsTypesCountsAndBytesOfACollectedCycle) {
  SummaryLog log;  // outlives the heap, whose teardown collections still report to it
  Heap heap;
  heap.gc().disable();
  record_summaries(heap, log);
  std::size_t node_bytes = 0, leaf_bytes = 0;
  {
    auto a = heap.make<Node>(), b = heap.make<Node>(), c = heap.make<Node>();
    a->next = b;
    b->next = c;
    c->next = a;
    a->other = heap.make<Leaf>(1);  // not a container: freed by the cascade, not counted
    node_bytes = requested(a.get());
    leaf_bytes = requested(a->other.get());
  }
  EXPECT_EQ(heap.gc().collect(), 3u);
  ASSERT_EQ(log.summaries.size(), 1u);
  const GarbageSummary& s = log.summaries[0];
  EXPECT_EQ(s.objects, 3u);
  EXPECT_EQ(s.objects, log.collected[0]);
  EXPECT_EQ(s.bytes, 3 * node_bytes);
  ASSERT_EQ(s.by_type.size(), 1u);
  EXPECT_NE(s.by_type[0].type.find("Node"), std::string::npos);
  EXPECT_EQ(s.by_type[0].count, 3u);
  EXPECT_EQ(s.by_type[0].bytes, 3 * node_bytes);
  EXPECT_TRUE(s.by_site.empty());  // tracing is off
  EXPECT_EQ(s.untraced, 3u);
  EXPECT_NE(s.format().find("garbage: 3 objects, " + std::to_string(3 * node_bytes) + " bytes"), std::string::npos)
      << s.format();
  (void)leaf_bytes;

  // An empty collection has an empty summary.
  EXPECT_EQ(heap.gc().collect(), 0u);
  ASSERT_EQ(log.summaries.size(), 2u);
  EXPECT_EQ(log.summaries[1].objects, 0u);
  EXPECT_TRUE(log.summaries[1].by_type.empty());
}

TEST(GarbageSummary, NamesTheAllocationSiteWhenTracing) {
  SummaryLog log;  // outlives the heap, whose teardown collections still report to it
  Heap heap;
  heap.gc().disable();
  heap.tracing().start();
  record_summaries(heap, log);
  std::uint32_t line = 0;
  std::size_t node_bytes = 0;
  for (int i = 0; i < 4; ++i) {
    line = __LINE__ + 1;
    auto n = heap.make<Node>();
    n->next = n;  // a self-cycle
    node_bytes = requested(n.get());
  }
  EXPECT_EQ(heap.gc().collect(), 4u);
  ASSERT_EQ(log.summaries.size(), 1u);
  const GarbageSummary& s = log.summaries[0];
  ASSERT_EQ(s.by_site.size(), 1u);
  EXPECT_TRUE(ends_with(s.by_site[0].site, kThisFile + ':' + std::to_string(line))) << s.by_site[0].site;
  EXPECT_EQ(s.by_site[0].count, 4u);
  EXPECT_EQ(s.by_site[0].bytes, 4 * node_bytes);
  EXPECT_EQ(s.untraced, 0u);
  const std::string text = s.format("# ");
  EXPECT_NE(text.find("# garbage: 4 objects"), std::string::npos) << text;
  EXPECT_NE(text.find(kThisFile + ':' + std::to_string(line) + " ["), std::string::npos) << text;
}

TEST(GarbageSummary, CountsWeakReferencesThatDieInTheirCallbackPhase) {
  // A weak reference object outside the garbage whose callback drops the last reference to it is
  // counted by collect(), so the summary counts it too: its objects always equal collected.
  SummaryLog log;  // outlives the heap, whose teardown collections still report to it
  Heap heap;
  heap.gc().disable();
  record_summaries(heap, log);
  Ref<pyheap::WeakReference> wr;
  {
    auto a = heap.make<Node>();
    a->next = a;
    wr = pyheap::detail::make_weak_reference(a.get(), [&wr](pyheap::WeakReference&) { wr.reset(); });
  }
  const std::size_t n = heap.gc().collect();
  ASSERT_EQ(log.summaries.size(), 1u);
  EXPECT_EQ(log.summaries[0].objects, n);
  EXPECT_EQ(log.stop_without_summary, 0);
}

}  // namespace
