// Objects and the Heap: make<T>, counts, cascade destruction (trashcan), immortals, header
// sizes, one heap per thread, Heap::of.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <stdexcept>
#include <thread>
#include <vector>

#include "test_objects.hpp"
#include "alloc/sanitizer.hpp"  // PYHEAP_ASAN: the one way to ask "is this an ASan build"
#include "pyheap/heap.hpp"

using pyheap::testing::Leaf;
using pyheap::testing::ThrowingContainer;

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;


namespace {

struct Empty : Object {};


// Untracked (no trace hook): dies by reference counting only.
struct Link : Object {
  Ref<Link> next;
};

// Logs its id when destroyed.
struct Logged : Object {
  Logged(std::vector<int>* l, int i) : log(l), id(i) {}
  ~Logged() { log->push_back(id); }
  std::vector<int>* log;
  int id;
  Ref<Logged> first;
  Ref<Logged> second;
};

struct Tracked : Object {
  Ref<Tracked> next;
  void trace(Tracer& t) { t(next); }
};

struct alignas(16) TrackedAligned : Object {
  double d[2];
  void trace(Tracer&) {}
};

struct Counted : Object {
  explicit Counted(int* d) : dtors(d) {}
  ~Counted() { ++*dtors; }
  void finalize() { ++finalized; }
  int* dtors;
  int finalized = 0;
};


// A destructor that records the finalize -> weakref callback -> destructor order.
struct Staged : Object {
  explicit Staged(std::vector<std::string>* l) : log(l) {}
  ~Staged() { log->push_back("dtor"); }
  void finalize() { log->push_back("finalize"); }
  std::vector<std::string>* log;
};

Ref<Link> make_chain(Heap& h, std::size_t n) {
  Ref<Link> head;
  for (std::size_t i = 0; i < n; ++i) {
    Ref<Link> node = h.make<Link>();
    node->next = std::move(head);
    head = std::move(node);
  }
  return head;
}

// A chain link whose destructor notes the lowest stack frame any of them ran in.
struct ProbedLink : Object {
  Ref<ProbedLink> next;
  static inline std::uintptr_t lowest_frame = UINTPTR_MAX;
  ~ProbedLink() {
    const auto frame = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    if (frame < lowest_frame) lowest_frame = frame;
  }
};

// What dropping the head of an n-link chain cost, counted, not timed.
struct ChainDeath {
  std::uintptr_t stack_bytes;  // from the frame that dropped the head to the deepest destructor
  Heap::TrashcanStats trashcan;
  std::size_t live_after;
};

// noinline: the frame that drops the head is this function's, whatever the optimizer does.
[[gnu::noinline]] ChainDeath destroy_chain(std::size_t n) {
  Heap h;
  Ref<ProbedLink> head;
  for (std::size_t i = 0; i < n; ++i) {
    Ref<ProbedLink> node = h.make<ProbedLink>();
    node->next = std::move(head);
    head = std::move(node);
  }
  EXPECT_EQ(h.live_objects(), n);
  const auto top = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  ProbedLink::lowest_frame = UINTPTR_MAX;
  head.reset();
  return ChainDeath{top - ProbedLink::lowest_frame, h.trashcan_stats(), h.live_objects()};
}

}  // namespace

TEST(Object, MakeGivesOneCountAndTheConstructedValue) {
  Heap h;
  Ref<Leaf> a = h.make<Leaf>(42);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, 42);
  EXPECT_EQ(a->refcount(), 1u);
  EXPECT_FALSE(a->is_immortal());
  EXPECT_FALSE(a->is_finalized());
  EXPECT_FALSE(a->has_weakrefs());
  EXPECT_EQ(h.live_objects(), 1u);
  EXPECT_TRUE(Heap::is_a<Leaf>(a.get()));
  EXPECT_FALSE(Heap::is_a<Empty>(a.get()));
  EXPECT_EQ(pyheap::type_of(*a).size, sizeof(Leaf));
  EXPECT_NE(pyheap::type_of(*a).name.find("Leaf"), std::string::npos);
  {
    Ref<Leaf> b = a;
    EXPECT_EQ(a->refcount(), 2u);
  }
  EXPECT_EQ(a->refcount(), 1u);
  a.reset();
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_TRUE(h.allocator().is_valid(2));
}

TEST(Object, DistinctTypesGetDistinctIds) {
  Heap h;
  auto a = h.make<Leaf>(1);
  auto b = h.make<Empty>();
  auto c = h.make<Leaf>(2);
  EXPECT_NE(a->type_id(), 0u);
  EXPECT_NE(a->type_id(), b->type_id());
  EXPECT_EQ(a->type_id(), c->type_id());
}

TEST(Object, ConstructorExceptionLeavesTheHeapUnchanged) {
  Heap h;
  h.gc().disable();
  const auto before = h.gc().count()[0];
  EXPECT_THROW(h.make<ThrowingContainer>(true), std::runtime_error);
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_EQ(h.gc().count()[0], before);
  EXPECT_EQ(h.gc().tracked_count(), 0u);
  EXPECT_EQ(h.allocator().stats().blocks_in_use, 0u);
  auto ok = h.make<ThrowingContainer>(false);
  EXPECT_EQ(h.gc().tracked_count(), 1u);
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(Object, CascadeDestroysOwnerBeforeWhatItOwns) {
  Heap h;
  std::vector<int> log;
  {
    auto root = h.make<Logged>(&log, 1);
    root->first = h.make<Logged>(&log, 2);
    root->first->first = h.make<Logged>(&log, 3);
    root->second = h.make<Logged>(&log, 4);
    root->second->first = h.make<Logged>(&log, 5);
    EXPECT_EQ(h.live_objects(), 5u);
  }
  // ~Logged's body runs first, then members in reverse declaration order: second, then first.
  EXPECT_EQ(log, (std::vector<int>{1, 4, 5, 2, 3}));
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(Object, SharedChildOutlivesOneOwner) {
  Heap h;
  std::vector<int> log;
  auto a = h.make<Logged>(&log, 1);
  auto b = h.make<Logged>(&log, 2);
  auto shared = h.make<Logged>(&log, 3);
  a->first = shared;
  b->first = shared;
  shared.reset();
  EXPECT_EQ(a->first->refcount(), 2u);
  a.reset();
  EXPECT_EQ(log, (std::vector<int>{1}));
  b.reset();
  EXPECT_EQ(log, (std::vector<int>{1, 2, 3}));
}

TEST(Object, DeathRunsFinalizerThenWeakrefCallbacksThenDestructor) {
  Heap h;
  std::vector<std::string> log;
  auto s = h.make<Staged>(&log);
  pyheap::WeakRef<Staged> w(s, [&](pyheap::WeakReference&) { log.push_back("callback"); });
  s.reset();
  EXPECT_EQ(log, (std::vector<std::string>{"finalize", "callback", "dtor"}));
  EXPECT_TRUE(w.expired());
}

TEST(Object, ShortChainIsDestroyedInOrder) {
  // Below the trashcan depth the order is the plain recursive one.
  Heap h;
  std::vector<int> log;
  Ref<Logged> head;
  for (int i = Heap::kTrashcanDepth - 1; i >= 0; --i) {
    auto n = h.make<Logged>(&log, i);
    n->first = std::move(head);
    head = std::move(n);
  }
  head.reset();
  ASSERT_EQ(log.size(), static_cast<std::size_t>(Heap::kTrashcanDepth));
  for (int i = 0; i < Heap::kTrashcanDepth; ++i) EXPECT_EQ(log[i], i);
}

TEST(Object, DeepChainDestroyedEveryNodeOnce) {
  Heap h;
  std::vector<int> log;
  const int n = 10'000;
  Ref<Logged> head;
  for (int i = n - 1; i >= 0; --i) {
    auto node = h.make<Logged>(&log, i);
    node->first = std::move(head);
    head = std::move(node);
  }
  head.reset();
  ASSERT_EQ(log.size(), static_cast<std::size_t>(n));
  std::vector<int> seen(n, 0);
  for (int id : log) ++seen[id];
  for (int i = 0; i < n; ++i) ASSERT_EQ(seen[i], 1) << i;
  // The trashcan defers, but never reverses, a chain: ids come out in increasing order.
  for (int i = 0; i < n; ++i) ASSERT_EQ(log[i], i);
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_TRUE(h.allocator().is_valid(2));
}

// No stack overflow, and work linear in the length: checked by what the release did, not by
// how long it took (a timing ratio is at the mercy of the machine's load). The stack the cascade
// uses does not grow with the chain (without the trashcan it grows by a destructor's frames per
// link, and 10^6 links overflow an 8 MiB stack), and the trashcan's work per link is constant:
// one deferral per kTrashcanDepth - 2 links, and a backlog that never holds more than one.
TEST(Object, ChainsOfAnyLengthDieInBoundedStackWithConstantWorkPerLink) {
#if PYHEAP_ASAN
  const std::size_t big = 1'000'000;  // ASan's shadow makes 10^7 slow; depth shows the same at 10^6
#else
  const std::size_t big = 10'000'000;
#endif
  const ChainDeath small = destroy_chain(10'000), mid = destroy_chain(100'000), large = destroy_chain(big);
  for (const ChainDeath* d : {&small, &mid, &large}) {
    EXPECT_EQ(d->live_after, 0u);
    EXPECT_GT(d->trashcan.deferred, 0u) << "the trashcan deferred nothing: the stack grows with the chain";
    EXPECT_EQ(d->trashcan.longest_backlog, 1u) << "a chain defers one link at a time";
    // Under 1 MiB whatever the length: kTrashcanDepth nested destructions, a few hundred bytes each.
    EXPECT_LT(d->stack_bytes, std::uintptr_t{1} << 20);
    EXPECT_EQ(d->stack_bytes, small.stack_bytes) << "the deepest destructor ran as deep for every length";
  }
  // Deferrals in proportion to the length (the drain re-enters at depth 2: CPython's rule, heap.cpp).
  const auto per_link = [](const ChainDeath& d, std::size_t n) { return double(d.trashcan.deferred) / double(n); };
  EXPECT_NEAR(per_link(small, 10'000), 1.0 / (Heap::kTrashcanDepth - 2), 1e-3);
  EXPECT_NEAR(per_link(mid, 100'000), per_link(small, 10'000), 1e-4);
  EXPECT_NEAR(per_link(large, big), per_link(small, 10'000), 1e-4);
}

TEST(Object, DeepTrackedChainWithCollectorEnabled) {
  Heap h;
  Ref<Tracked> head;
  for (int i = 0; i < 200'000; ++i) {
    auto n = h.make<Tracked>();
    n->next = std::move(head);
    head = std::move(n);
  }
  EXPECT_EQ(h.gc().tracked_count(), 200'000u);
  head.reset();
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_EQ(h.gc().tracked_count(), 0u);
  EXPECT_TRUE(h.gc().is_valid(2));
}

namespace {
struct DrainProbe {
  bool ran = false;
  bool valid = false;
  std::size_t collected = 99;
};
// Members are destroyed in reverse order: `chain` (deep enough for the trashcan to defer part
// of it) first, then `caller`, whose finalizer runs a collection while the deferred nodes, with
// a count of zero, have not been destroyed yet.
struct CollectsInFinalizer : Object {
  CollectsInFinalizer(Heap* h, DrainProbe* p) : heap(h), probe(p) {}
  void finalize() {
    probe->ran = true;
    probe->valid = heap->gc().is_valid(2);  // level 2 rejects a tracked object with count 0
    if (probe->valid) probe->collected = heap->gc().collect();
  }
  Heap* heap;
  DrainProbe* probe;
};
struct Holder : Object {
  Ref<CollectsInFinalizer> caller;
  Ref<Tracked> chain;
};
}  // namespace

TEST(Object, CollectionWhileTrashcanHoldsDeferredObjectsIgnoresThem) {
  Heap h;
  h.gc().disable();
  DrainProbe probe;
  auto holder = h.make<Holder>();
  holder->caller = h.make<CollectsInFinalizer>(&h, &probe);
  for (int i = 0; i < 3 * Heap::kTrashcanDepth; ++i) {
    auto n = h.make<Tracked>();
    n->next = std::move(holder->chain);
    holder->chain = std::move(n);
  }
  holder.reset();
  EXPECT_TRUE(probe.ran);
  EXPECT_TRUE(probe.valid) << "a deferred (count 0) object was still tracked";
  EXPECT_EQ(probe.collected, 0u) << "nothing was cyclic garbage";
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_EQ(h.gc().tracked_count(), 0u);
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(Object, ImmortalObjectsNeverDie) {
  int dtors = 0;
  {
    Heap h;
    auto c = h.make<Counted>(&dtors);
    Counted* raw = c.get();
    h.make_immortal(raw);
    EXPECT_TRUE(raw->is_immortal());
    EXPECT_EQ(raw->refcount(), pyheap::detail::kImmortalBase + 1);
    h.make_immortal(raw);  // idempotent
    EXPECT_EQ(raw->refcount(), pyheap::detail::kImmortalBase + 1);
    {
      std::vector<Ref<Counted>> copies(1000, c);
      EXPECT_EQ(raw->refcount(), pyheap::detail::kImmortalBase + 1001);
    }
    c.reset();
    EXPECT_EQ(raw->refcount(), pyheap::detail::kImmortalBase);
    EXPECT_EQ(dtors, 0);
    EXPECT_EQ(raw->finalized, 0);
    EXPECT_EQ(h.live_objects(), 1u);
    // Unbalanced decrements (owners that never held a count) still cannot bring it down.
    for (int i = 0; i < 1000; ++i) (void)Ref<Counted>::adopt(raw);
    EXPECT_EQ(raw->refcount(), pyheap::detail::kImmortalBase - 1000);
    EXPECT_EQ(dtors, 0);
    for (int i = 0; i < 1000; ++i) (void)Ref<Counted>::borrow(raw).release();
    EXPECT_EQ(raw->refcount(), pyheap::detail::kImmortalBase);
    EXPECT_EQ(h.gc().collect(), 0u);
    EXPECT_EQ(dtors, 0);
  }
  // The heap's destruction takes the immortal base back and frees it, finalizer first.
  EXPECT_EQ(dtors, 1);
}

TEST(Object, ImmortalCountThatReachesZeroIsRestored) {
#if PYHEAP_ASAN
  GTEST_SKIP() << "2^30 decrements: too slow under ASan";
#else
  int dtors = 0;
  {
    Heap h;
    auto c = h.make<Counted>(&dtors);
    Counted* raw = c.release();
    h.make_immortal(raw);
    // kImmortalBase + 1 unbalanced decrements reach zero: the slow path restores the base.
    const std::uint64_t n = static_cast<std::uint64_t>(pyheap::detail::kImmortalBase) + 1;
    for (std::uint64_t i = 0; i < n; ++i) raw->decref();
    EXPECT_EQ(raw->refcount(), pyheap::detail::kImmortalBase);
    EXPECT_EQ(dtors, 0);
    EXPECT_EQ(raw->finalized, 0);
    EXPECT_EQ(h.live_objects(), 1u);
  }
  EXPECT_EQ(dtors, 1);
#endif
}

TEST(Object, HeaderSizes) {
  static_assert(sizeof(pyheap::ObjectHeader) == 8);
  static_assert(sizeof(Object) == 8, "an untracked object pays 8 bytes of header");
  static_assert(sizeof(Empty) == 8);
  static_assert(sizeof(Link) == 16);
  static_assert(sizeof(Tracked) == 16);
  Heap h;
  auto e = h.make<Empty>();
  auto l = h.make<Link>();
  auto t = h.make<Tracked>();
  auto a = h.make<TrackedAligned>();
  EXPECT_EQ(pyheap::type_of(*e).prefix, 0u);
  EXPECT_FALSE(pyheap::type_of(*e).tracked);
  EXPECT_EQ(pyheap::type_of(*l).prefix, 0u);
  EXPECT_EQ(pyheap::type_of(*t).prefix, 8u) << "a container pays one more 8-byte word";
  EXPECT_TRUE(pyheap::type_of(*t).tracked);
  EXPECT_EQ(pyheap::type_of(*a).prefix, 16u) << "16-byte aligned types keep their alignment";
  // Header + payload, rounded to 16: untracked 8 + 8 = 16; tracked 8 + 8 + 8 = 24 -> 32.
  EXPECT_EQ(Heap::allocated_size(l.get()), 16u);
  EXPECT_EQ(Heap::allocated_size(t.get()), 32u);
  EXPECT_EQ(Heap::allocated_size(e.get()), 16u);
  EXPECT_EQ(Heap::allocated_size(a.get()), 48u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a.get()) % 16, 0u);
  // The two untracked objects use 16 bytes each, the containers 32 and 48.
  EXPECT_EQ(h.allocator().stats().blocks_in_use, 4u);
}

TEST(Object, HeapOfFindsTheOwningHeap) {
  Heap h1;
  Heap h2;
  auto a = h1.make<Leaf>(1);
  auto b = h2.make<Leaf>(2);
  auto t = h2.make<Tracked>();
  EXPECT_EQ(&Heap::of(a.get()), &h1);
  EXPECT_EQ(&Heap::of(b.get()), &h2);
  EXPECT_EQ(&Heap::of(t.get()), &h2);
  EXPECT_EQ(h1.live_objects(), 1u);
  EXPECT_EQ(h2.live_objects(), 2u);
  b.reset();
  EXPECT_EQ(h1.live_objects(), 1u);
  EXPECT_EQ(h2.live_objects(), 1u);
}

TEST(Object, HeapsOnSeveralThreadsSideBySide) {
  constexpr int kThreads = 4;
  std::vector<std::size_t> collected(kThreads, 0), live_after(kThreads, 99), of_ok(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Heap h;
      h.gc().disable();
      std::vector<Ref<Tracked>> keep;
      for (int i = 0; i < 2000 + t; ++i) {
        auto a = h.make<Tracked>();
        auto b = h.make<Tracked>();
        a->next = b;
        b->next = a;  // a two-object cycle, dropped at once
        if (i % 100 == 0) keep.push_back(a);
        of_ok[t] += &Heap::of(a.get()) == &h;
        auto leaf = h.make<Leaf>(i);
      }
      collected[t] = h.gc().collect();
      for (auto& k : keep) k->next->next.reset();
      keep.clear();
      live_after[t] = h.live_objects();
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    const std::size_t pairs = 2000 + t, kept = (pairs + 99) / 100;
    EXPECT_EQ(collected[t], 2 * (pairs - kept)) << t;
    EXPECT_EQ(live_after[t], 0u) << t;
    EXPECT_EQ(of_ok[t], static_cast<std::size_t>(2000 + t)) << t;
  }
}

#if PYHEAP_DEBUG_LEVEL >= 1
TEST(ObjectDeathTest, UsingAHeapFromAnotherThreadAbortsInDebugBuilds) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Heap h;
        std::thread other([&h] { auto x = h.make<Leaf>(1); });
        other.join();
      },
      "thread that does not own it");
}
#endif

namespace {
struct Big : Object {
  char data[1000];
};
struct BigTracked : Object {
  Ref<BigTracked> next;
  char data[1000];
  void trace(Tracer& t) { t(next); }
};
}  // namespace

TEST(Object, LargeObjectsLiveInTheHeapToo) {
  Heap h;
  auto b = h.make<Big>();
  auto t = h.make<BigTracked>();
  EXPECT_EQ(&Heap::of(b.get()), &h);
  EXPECT_EQ(&Heap::of(t.get()), &h);
  EXPECT_EQ(Heap::allocated_size(b.get()), sizeof(Big));
  EXPECT_EQ(Heap::allocated_size(t.get()), sizeof(BigTracked) + 8);
  t->next = t;
  t.reset();
  EXPECT_EQ(h.gc().collect(), 1u);
  b.reset();
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_EQ(h.allocator().stats().large_count, 0u);
}

// The type table lookup is inline and unchecked in Release; at debug level 1 and up a header
// naming an id that no registration handed out (a stray write, a use after free) stops the
// program before the table's empty slot is followed.
TEST(ObjectDeathTest, AnUnregisteredTypeIdIsCaughtInDebugBuilds) {
#if PYHEAP_DEBUG_LEVEL >= 1
  EXPECT_DEATH((void)pyheap::detail::type_info(0xFFFF), "never registered");
#else
  GTEST_SKIP() << "checked at PYHEAP_DEBUG_LEVEL >= 1 only";
#endif
}
