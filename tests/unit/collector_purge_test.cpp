// The allocator's purge rule at the Heap's level (docs/design.md section 1): a full collect()
// returns the memory of what it freed to the OS, an automatic collection what has waited the purge
// delay, Heap::idle() is the event loop's step. Nothing is returned inside a free: dropping objects
// only retires their pools.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "manual_clock.hpp"
#include "pyheap/heap.hpp"

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;
using pyheap::testing::ManualClock;

namespace {

struct Cell : Object {
  Ref<Cell> next;
  char payload[40] = {};
  void trace(Tracer& t) { t(next); }
};

// n cells in a ring, held by nothing: cyclic garbage for the collector.
void make_ring(Heap& heap, std::size_t n) {
  Ref<Cell> first = heap.make<Cell>();
  Cell* last = first.get();
  for (std::size_t i = 1; i < n; ++i) {
    Ref<Cell> c = heap.make<Cell>();
    Cell* raw = c.get();
    last->next = std::move(c);
    last = raw;
  }
  last->next = first;  // the ring closes; `first` goes out of scope
}

constexpr std::size_t kCells = 100'000;  // about 6 MiB of blocks, 400 pools

}  // namespace

TEST(CollectorPurge, AFullCollectionReturnsWhatItFreed) {
  Heap heap;
  heap.gc().disable();
  make_ring(heap, kCells);
  const auto before = heap.allocator().stats();
  ASSERT_GT(before.pools_in_use, 300u);
  EXPECT_EQ(heap.gc().collect(), kCells);
  const auto s = heap.allocator().stats();
  EXPECT_EQ(s.blocks_in_use, 0u);
  EXPECT_EQ(s.pools_retired, 0u);
  EXPECT_EQ(s.pools_committed, 0u) << "everything the collection freed was purged";
  EXPECT_GT(s.madvise_calls + s.arenas_unmapped_total, before.madvise_calls + before.arenas_unmapped_total);
  EXPECT_LE(s.arenas_mapped, 1u);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(CollectorPurge, AnAutomaticFullCollectionRunsTheDelayedStep) {
  Heap heap;
  heap.allocator().set_purge_delay(std::chrono::hours(1));
  heap.gc().set_threshold(1000, 1, 1);
  // Rings of 1000 cells, dropped one after the other: automatic collections of every generation
  // free them.
  for (int i = 0; i < 200 && heap.gc().stats()[2].collections < 2; ++i) make_ring(heap, 1000);
  ASSERT_GE(heap.gc().stats()[2].collections, 2u);
  const auto s = heap.allocator().stats();
  EXPECT_GT(s.pools_retired, 0u) << "emptied pools wait for the delay";
  EXPECT_EQ(s.madvise_calls, 0u);
  EXPECT_EQ(s.arenas_unmapped_total, 0u);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(CollectorPurge, AYoungCollectionRunsTheDelayedStep) {
  Heap heap;
  heap.gc().disable();
  // Time moves only when the test says (a collection under ThreadSanitizer or on a loaded
  // machine can outlast any real delay): what a young collection just freed waits.
  heap.allocator().set_clock(&ManualClock::read);
  heap.allocator().set_purge_delay(std::chrono::milliseconds(1));
  make_ring(heap, kCells);
  EXPECT_EQ(heap.gc().collect(0), kCells);
  auto s = heap.allocator().stats();
  EXPECT_GT(s.pools_retired, 300u);
  EXPECT_EQ(s.madvise_calls, 0u);
  EXPECT_EQ(s.arenas_unmapped_total, 0u);
  // Once the delay has passed, the next young collection returns it.
  ManualClock::advance(std::chrono::milliseconds(1));
  EXPECT_EQ(heap.gc().collect(0), 0u);
  s = heap.allocator().stats();
  EXPECT_EQ(s.pools_retired, 0u);
  EXPECT_EQ(s.pools_committed, 0u);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(CollectorPurge, DroppingObjectsOnlyRetiresTheirPoolsIdleReturnsThem) {
  Heap heap;
  heap.allocator().set_clock(&ManualClock::read);
  heap.allocator().set_purge_delay(std::chrono::milliseconds(5));
  std::vector<Ref<Cell>> cells;
  for (std::size_t i = 0; i < kCells; ++i) cells.push_back(heap.make<Cell>());
  const auto before = heap.allocator().stats();
  cells.clear();  // reference counting frees every cell here
  auto s = heap.allocator().stats();
  EXPECT_EQ(s.blocks_in_use, 0u);
  EXPECT_EQ(s.madvise_calls, before.madvise_calls) << "no madvise inside a free";
  EXPECT_EQ(s.arenas_unmapped_total, before.arenas_unmapped_total) << "no munmap inside a free";
  EXPECT_GT(s.pools_retired, 300u);
  // An event loop: idle() says how long to wait (the whole delay: the clock has not moved since
  // the frees), nothing is returned before that, and everything once it has passed.
  auto wait = heap.idle();
  EXPECT_EQ(wait, std::chrono::milliseconds(5));
  EXPECT_EQ(heap.allocator().stats().pools_committed, s.pools_committed);
  ManualClock::advance(wait);
  EXPECT_EQ(heap.idle(), std::chrono::nanoseconds::max());
  s = heap.allocator().stats();
  EXPECT_EQ(s.pools_committed, 0u);
  EXPECT_LE(s.arenas_mapped, 1u);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}
