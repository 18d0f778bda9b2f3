// Memory limits and the emergency collection (issue 12, part 4): the allocator's limit, the
// collection an object's make runs before it gives up (never a container's storage allocation),
// and a heap that stays consistent when the limit wins. Public API only.
#include <gtest/gtest.h>

#include <new>
#include <string>
#include <vector>

#include "pyheap/heap.hpp"
#include "pyheap/list.hpp"

using pyheap::Heap;
using pyheap::List;
using pyheap::MemoryLimitExceeded;
using pyheap::Object;
using pyheap::Ref;
using pyheap::SmallObjectAllocator;
using pyheap::Tracer;

namespace {

struct Cell : Object {  // a 32-byte container block (8 word + 8 header + 16)
  Ref<Object> next;
  std::int64_t value = 0;
  void trace(Tracer& t) { t(next); }
};

std::size_t held(const Heap& h) {
  const auto s = h.allocator().stats();
  return s.bytes_held + s.large_bytes;
}

bool consistent(const Heap& h) { return h.allocator().is_valid(2) && h.gc().is_valid(2); }

TEST(MemoryLimit, TheAllocatorRefusesWhatWouldPassItAndChangesNothing) {
  SmallObjectAllocator a;
  EXPECT_EQ(a.memory_limit(), 0u);
  a.set_memory_limit(1000);
  EXPECT_EQ(a.memory_limit(), 1000u);
  std::vector<void*> blocks;
  for (int i = 0; i < 15; ++i) blocks.push_back(a.allocate(64));  // 960 bytes held
  EXPECT_EQ(a.held_bytes(), 960u);
  try {
    (void)a.allocate(50);  // a 64-byte block: 1024 > 1000
    FAIL() << "no exception";
  } catch (const MemoryLimitExceeded& e) {
    EXPECT_EQ(e.limit(), 1000u);
    EXPECT_EQ(e.held(), 960u);
    EXPECT_EQ(e.requested(), 50u);
    EXPECT_STREQ(e.what(), "memory limit of 1000 bytes exceeded: 960 bytes held, 50 more requested");
  }
  EXPECT_EQ(a.held_bytes(), 960u);
  EXPECT_EQ(a.stats().blocks_in_use, 15u);
  EXPECT_TRUE(a.is_valid(2));
  void* fits = a.allocate(32);  // 992 <= 1000
  EXPECT_THROW((void)a.allocate(2000), std::bad_alloc) << "large blocks count too, and it is a bad_alloc";
  EXPECT_EQ(a.stats().large_count, 0u);
  a.deallocate(fits, 32);
  for (void* b : blocks) a.deallocate(b, 64);
  EXPECT_EQ(a.held_bytes(), 0u);
  void* big = a.allocate(900);  // large: counted at its size
  EXPECT_EQ(a.held_bytes(), 900u);
  a.set_memory_limit(0);  // no limit
  std::vector<void*> more;
  for (int i = 0; i < 100; ++i) more.push_back(a.allocate(512));
  for (void* b : more) a.deallocate(b, 512);
  a.deallocate(big, 900);
  EXPECT_EQ(a.held_bytes(), 0u);
  EXPECT_TRUE(a.is_valid(2));
}

TEST(MemoryLimit, HeldBytesIsWhatTheStatisticsSay) {
  Heap h;
  std::vector<Ref<Object>> keep;
  for (int i = 0; i < 100; ++i) keep.push_back(h.make<Cell>());
  keep.push_back(List::make(h));
  for (int i = 0; i < 200; ++i) static_cast<List&>(*keep.back()).append(keep[static_cast<std::size_t>(i % 100)]);
  EXPECT_EQ(h.allocator().held_bytes(), held(h));
  EXPECT_GT(held(h), 100u * 32);
}

TEST(MemoryLimit, TheEmergencyCollectionFreesCyclesSoMakeGoesOn) {
  Heap h;
  h.gc().disable();  // no automatic collection: only the emergency one can free the cycles
  h.set_memory_limit(64 * 32);
  EXPECT_EQ(h.memory_limit(), 64u * 32);
  for (int round = 0; round < 1000; ++round) {
    Ref<Cell> a = h.make<Cell>();
    Ref<Cell> b = h.make<Cell>();
    a->next = b;
    b->next = a;
  }
  // The limit holds 64 cells: about one collection per 32 cycles made.
  EXPECT_GE(h.emergency_collections(), 25u);
  EXPECT_LE(h.emergency_collections(), 40u);
  EXPECT_LE(held(h), 64u * 32);
  EXPECT_EQ(h.gc().stats()[2].collections, h.emergency_collections()) << "full collections, one each";
  EXPECT_TRUE(consistent(h));
}

TEST(MemoryLimit, WhenNothingCanBeFreedMakeThrowsAndTheHeapIsUnchanged) {
  Heap h;
  h.gc().disable();
  std::vector<Ref<Cell>> kept;
  for (int i = 0; i < 10; ++i) kept.push_back(h.make<Cell>());
  h.set_memory_limit(held(h));
  const std::size_t live = h.live_objects(), before = held(h);
  try {
    (void)h.make<Cell>();
    FAIL() << "no exception";
  } catch (const MemoryLimitExceeded& e) {
    EXPECT_EQ(e.limit(), before);
    EXPECT_EQ(e.held(), before);
    EXPECT_EQ(e.requested(), 8 + sizeof(Cell));
  }
  EXPECT_EQ(h.emergency_collections(), 1u);
  EXPECT_EQ(h.live_objects(), live);
  EXPECT_EQ(held(h), before);
  EXPECT_EQ(h.gc().count()[0], 0u) << "the full collection reset it; a make that failed counts no container";
  EXPECT_TRUE(consistent(h));
  // Freeing memory lets the next make through.
  kept.pop_back();
  EXPECT_TRUE(h.make<Cell>());
  EXPECT_TRUE(consistent(h));
}

TEST(MemoryLimit, AContainersStorageNeverCollectsAndStaysUnchanged) {
  Heap h;
  h.gc().disable();
  Ref<List> list = List::make(h);
  Ref<Object> item = h.make<Cell>();
  for (int i = 0; i < 8; ++i) list->append(item);
  {  // garbage a collection would free
    Ref<Cell> a = h.make<Cell>();
    a->next = a;
  }
  h.set_memory_limit(held(h));
  const std::size_t collections = h.gc().stats()[2].collections;
  const std::size_t size = list->size(), live = h.live_objects();
  // The list's item array is full at 8: growing it is a storage allocation over the limit.
  std::size_t appended = 0;
  try {
    for (; appended < 100; ++appended) list->append(item);
    FAIL() << "no exception";
  } catch (const MemoryLimitExceeded&) {
  }
  EXPECT_EQ(list->size(), size + appended);
  EXPECT_EQ(h.gc().stats()[2].collections, collections) << "no collection inside a container's growth";
  EXPECT_EQ(h.emergency_collections(), 0u);
  EXPECT_EQ(h.live_objects(), live) << "the garbage cycle is still there";
  EXPECT_EQ(item->refcount(), 1 + list->size());
  EXPECT_TRUE(consistent(h));
  // The next object made collects it, and fits in what it freed.
  Ref<Cell> fits = h.make<Cell>();
  EXPECT_TRUE(fits);
  EXPECT_EQ(h.emergency_collections(), 1u);
  EXPECT_EQ(h.live_objects(), live);
}

// A finalizer that makes an object while the emergency collection runs: that make does not
// collect again (a collection is running); it fails, the failure is reported, the collection goes on.
struct Greedy : Object {
  std::vector<std::string>* log;
  Ref<Object> self;
  explicit Greedy(std::vector<std::string>* l) : log(l) {}
  void trace(Tracer& t) { t(self); }
  void finalize() {
    try {
      (void)pyheap::Heap::of(this).make<Cell>();
      log->push_back("made");
    } catch (const MemoryLimitExceeded&) {
      log->push_back("refused");
    }
  }
};

TEST(MemoryLimit, AFinalizerDoesNotStartASecondEmergencyCollection) {
  Heap h;
  h.gc().disable();
  std::vector<std::string> log;
  std::vector<Ref<Cell>> kept;
  {
    Ref<Greedy> g = h.make<Greedy>(&log);
    g->self = g;
  }
  for (int i = 0; i < 20; ++i) kept.push_back(h.make<Cell>());
  h.set_memory_limit(held(h));
  // Over the limit: the emergency collection finalizes the garbage Greedy, whose make is refused
  // without a nested collection while its own block is still held; then its block is freed and
  // the new Greedy (a block of a Cell's size) fits.
  Ref<Greedy> fresh = h.make<Greedy>(&log);
  EXPECT_TRUE(fresh);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], "refused");
  EXPECT_EQ(h.emergency_collections(), 1u);
  EXPECT_EQ(h.gc().stats()[2].collections, 1u);
  EXPECT_TRUE(consistent(h));
}

TEST(MemoryLimit, AnAllocationTheSystemRefusesIsRetriedAfterACollection) {
  Heap h;
  h.gc().disable();
  {
    Ref<Cell> a = h.make<Cell>();
    a->next = a;
  }
  h.allocator().fail_after(1);  // the next allocation fails once, as if the OS refused it
  Ref<Cell> c = h.make<Cell>();
  EXPECT_TRUE(c);
  EXPECT_EQ(h.emergency_collections(), 1u);
  EXPECT_EQ(h.live_objects(), 1u) << "the cycle was collected by the emergency collection";
  // A container's storage is not retried.
  Ref<List> list = List::make(h);
  h.allocator().fail_after(1);
  EXPECT_THROW(list->append(c), std::bad_alloc);
  EXPECT_EQ(list->size(), 0u);
  EXPECT_EQ(h.emergency_collections(), 1u);
  EXPECT_TRUE(consistent(h));
}

}  // namespace
