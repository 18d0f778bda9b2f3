// The make and release fast paths (pyheap/internal/alloc_fast.hpp, Heap::release_plain): what they
// do to the allocator's counters must be what its out-of-line paths do, whichever path served each
// block. These tests mix both on purpose: full pools coming back (the out-of-line finish of a
// free), fail_after (which sends every allocation to the slow path), a memory limit (checked inline
// first), objects with weak references (which leave the short release path).
#include <gtest/gtest.h>

#include <cstdint>
#include <new>
#include <vector>

#include "pyheap/heap.hpp"
#include "pyheap/memory_limit.hpp"
#include "pyheap/weakref.hpp"

using pyheap::Heap;
using pyheap::MemoryLimitExceeded;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;

namespace {

struct Cell : Object {  // 8 word + 8 header + 16: a 32-byte block
  Ref<Cell> next;
  std::int64_t value = 0;
  void trace(Tracer& t) { t(next); }
};

struct Atom : Object {  // untracked: 8 header + 8, a 16-byte block
  std::int64_t value = 0;
};

std::size_t held(const Heap& h) {
  const auto s = h.allocator().stats();
  return s.bytes_held + s.large_bytes;
}

std::size_t blocks(const Heap& h) { return h.allocator().stats().blocks_in_use; }

bool consistent(const Heap& h) { return h.allocator().is_valid(2) && h.gc().is_valid(2); }

TEST(MakeFastPath, CountersFollowEveryMakeAndRelease) {
  Heap h;
  h.gc().disable();
  std::vector<Ref<Cell>> cells;
  std::vector<Ref<Atom>> atoms;
  // Several pools per class: pools fill, detach, and come back when a block of theirs is freed.
  for (int i = 0; i < 5000; ++i) {
    cells.push_back(h.make<Cell>());
    atoms.push_back(h.make<Atom>());
  }
  EXPECT_EQ(blocks(h), 10000u);
  EXPECT_EQ(h.allocator().held_bytes(), 5000u * 32 + 5000u * 16);
  EXPECT_EQ(h.allocator().held_bytes(), held(h));
  EXPECT_EQ(h.gc().count()[0], 5000u);
  EXPECT_TRUE(consistent(h));
  // Every other one: each full pool gets a block back and rejoins its list.
  for (std::size_t i = 0; i < cells.size(); i += 2) {
    cells[i] = nullptr;
    atoms[i] = nullptr;
  }
  EXPECT_EQ(blocks(h), 5000u);
  EXPECT_EQ(h.allocator().held_bytes(), held(h));
  EXPECT_EQ(h.gc().count()[0], 2500u) << "a freed container takes itself off the count";
  EXPECT_EQ(h.gc().tracked_count(), 2500u);
  EXPECT_TRUE(consistent(h));
  // Reuse, then everything: pools empty and retire.
  for (int i = 0; i < 2500; ++i) cells.push_back(h.make<Cell>());
  cells.clear();
  atoms.clear();
  EXPECT_EQ(blocks(h), 0u);
  EXPECT_EQ(h.allocator().held_bytes(), 0u);
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_EQ(h.gc().tracked_count(), 0u);
  EXPECT_TRUE(consistent(h));
}

TEST(MakeFastPath, AnInjectedFailureReachesTheSlowPathAndIsCountedOnce) {
  Heap h;
  h.gc().disable();
  std::vector<Ref<Cell>> keep;
  for (int i = 0; i < 100; ++i) keep.push_back(h.make<Cell>());  // the fast path has a pool now
  h.allocator().fail_after(3);
  // The third allocation fails; make runs its emergency collection and tries again, so every make
  // succeeds, and the failure is counted once.
  for (int i = 0; i < 10; ++i) keep.push_back(h.make<Cell>());
  EXPECT_EQ(h.allocator().stats().injected_failures, 1u);
  EXPECT_EQ(h.emergency_collections(), 1u);
  EXPECT_EQ(blocks(h), 110u);
  EXPECT_EQ(h.allocator().held_bytes(), held(h));
  EXPECT_TRUE(consistent(h));
}

TEST(MakeFastPath, TheMemoryLimitStopsTheInlinePathAndNothingChanges) {
  Heap h;
  h.gc().disable();
  std::vector<Ref<Cell>> keep;
  for (int i = 0; i < 10; ++i) keep.push_back(h.make<Cell>());
  // Room for exactly 20 more blocks of 32 bytes: the 21st make throws with the heap unchanged.
  h.set_memory_limit(h.allocator().held_bytes() + 20 * 32);
  for (int i = 0; i < 20; ++i) keep.push_back(h.make<Cell>());
  const std::size_t held_before = h.allocator().held_bytes();
  EXPECT_THROW((void)h.make<Cell>(), MemoryLimitExceeded);
  EXPECT_EQ(h.emergency_collections(), 1u) << "nothing to free, but it was tried";
  EXPECT_EQ(h.allocator().held_bytes(), held_before);
  // The emergency collection reset the count; the failed make's own count was taken back.
  EXPECT_EQ(h.gc().count()[0], 0u);
  EXPECT_EQ(h.live_objects(), 30u);
  EXPECT_EQ(blocks(h), 30u);
  // A release makes room again, for the inline path too.
  keep.pop_back();
  keep.push_back(h.make<Cell>());
  EXPECT_EQ(h.allocator().held_bytes(), held_before);
  EXPECT_TRUE(consistent(h));
}

TEST(MakeFastPath, ObjectsWithWeakReferencesLeaveTheShortReleasePath) {
  Heap h;
  h.gc().disable();
  int called = 0;
  Ref<Cell> c = h.make<Cell>();
  pyheap::WeakRef<Cell> wr(c, [&](pyheap::WeakReference&) { ++called; });
  c = nullptr;
  EXPECT_EQ(called, 1);
  EXPECT_TRUE(wr.expired());
  EXPECT_EQ(h.live_objects(), 1u);  // the weak reference itself
  EXPECT_TRUE(consistent(h));
}

TEST(MakeFastPath, DeepChainsStillGoThroughTheTrashcan) {
  Heap h;
  h.gc().disable();
  Ref<Cell> head;
  for (int i = 0; i < 200000; ++i) {
    Ref<Cell> c = h.make<Cell>();
    c->next = std::move(head);
    head = std::move(c);
  }
  head = nullptr;  // 200,000 nested releases: deferred past depth 50, drained iteratively
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_EQ(blocks(h), 0u);
  EXPECT_TRUE(consistent(h));
}

}  // namespace
