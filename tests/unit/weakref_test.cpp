// Weak references: lock/expired, callbacks on death by reference counting and by collection,
// following CPython 3.11 (each expectation below was checked against python3.11; the Python
// equivalent is quoted next to it, with `gc.disable(); gc.collect()` run first).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "test_objects.hpp"
#include "pyheap/heap.hpp"

using pyheap::testing::Leaf;

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;
using pyheap::WeakRef;
using pyheap::WeakReference;

namespace {


// A container that can hold other nodes and weak references (as a Python instance can).
struct Node : Object {
  Ref<Node> a;
  Ref<Node> b;
  WeakRef<Node> w;
  void trace(Tracer& t) { t(a, b, w); }
};

// Stores itself in *stash from its finalizer (resurrection).
struct Phoenix : Object {
  explicit Phoenix(Ref<Phoenix>* s) : stash(s) {}
  void finalize() {
    ++finalized;
    *stash = Ref<Phoenix>::borrow(this);
  }
  void trace(Tracer& t) { t(self); }
  Ref<Phoenix>* stash;
  Ref<Phoenix> self;
  int finalized = 0;
};

// Records whether its weak reference still reaches it while it is being finalized.
struct Introspective : Object {
  void finalize() { alive_in_finalizer = static_cast<bool>(w->lock()); }
  WeakReference* w = nullptr;
  bool* out = nullptr;
  bool alive_in_finalizer = false;
  ~Introspective() { *out = alive_in_finalizer; }
};

struct UnraisableLog {
  std::vector<std::string> where;
  std::vector<std::string> what;
  void install(Heap& h) {
    h.set_unraisable_hook([this](const pyheap::UnraisableInfo& info) {
      where.push_back(info.where);
      try {
        std::rethrow_exception(info.error);
      } catch (const std::exception& e) {
        what.push_back(e.what());
      }
    });
  }
};

}  // namespace

TEST(WeakRef, LockWhileAliveExpiredAfterDeath) {
  Heap h;
  auto p = h.make<Leaf>();
  p->value = 11;
  WeakRef<Leaf> w(p);
  EXPECT_TRUE(w);
  EXPECT_FALSE(w.expired());
  EXPECT_TRUE(p->has_weakrefs());
  EXPECT_EQ(h.weakref_count(p.get()), 1u);
  EXPECT_EQ(p->refcount(), 1u) << "a weak reference holds no count";
  {
    Ref<Leaf> l = w.lock();
    ASSERT_TRUE(l);
    EXPECT_EQ(l.get(), p.get());
    EXPECT_EQ(p->refcount(), 2u);
  }
  EXPECT_EQ(w.handle()->peek(), p.get());
  EXPECT_FALSE(w.handle()->has_callback());
  Leaf* raw = p.get();
  p.reset();
  EXPECT_TRUE(w.expired());
  EXPECT_FALSE(w.lock());
  EXPECT_EQ(w.handle()->peek(), nullptr);
  EXPECT_EQ(h.weakref_count(raw), 0u);
  EXPECT_EQ(h.live_objects(), 1u) << "the weak reference object itself lives on";
  w.reset();
  EXPECT_FALSE(w);
  EXPECT_TRUE(w.expired());
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(WeakRef, WeakReferenceObjectIsATrackedHeapObject) {
  Heap h;
  auto p = h.make<Leaf>();
  WeakRef<Leaf> w(p);
  EXPECT_TRUE(h.gc().is_tracked(w.handle().get())) << "gc.is_tracked(weakref.ref(o)) is True";
  EXPECT_FALSE(h.gc().is_tracked(p.get()));
  EXPECT_EQ(&Heap::of(w.handle().get()), &h);
  EXPECT_TRUE(pyheap::type_of(*w.handle()).is_weakref);
}

TEST(WeakRef, DroppingTheWeakReferenceUnlinksIt) {
  Heap h;
  auto p = h.make<Leaf>();
  WeakRef<Leaf> w1(p), w2(p), w3(p);
  EXPECT_EQ(h.weakref_count(p.get()), 3u);
  w2.reset();  // middle of the list
  EXPECT_EQ(h.weakref_count(p.get()), 2u);
  w3.reset();  // head (newest)
  EXPECT_EQ(h.weakref_count(p.get()), 1u);
  EXPECT_TRUE(p->has_weakrefs());
  w1.reset();
  EXPECT_EQ(h.weakref_count(p.get()), 0u);
  EXPECT_FALSE(p->has_weakrefs());
}

TEST(WeakRef, WeakReferenceToAWeakReferenceIsRefused) {
  Heap h;
  auto p = h.make<Leaf>();
  WeakRef<Leaf> w(p);
  // weakref.ref(weakref.ref(o))  ->  TypeError: cannot create weak reference to
  //                                 'weakref.ReferenceType' object
  EXPECT_THROW(WeakRef<WeakReference>{w.handle()}, std::invalid_argument);
  EXPECT_EQ(h.live_objects(), 2u);
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(WeakRef, CallbackRunsWhenReferentDiesByRefcount) {
  Heap h;
  auto p = h.make<Leaf>();
  int calls = 0;
  WeakReference* seen = nullptr;
  bool expired_in_callback = false;
  WeakRef<Leaf> w(p, [&](WeakReference& wr) {
    ++calls;
    seen = &wr;
    expired_in_callback = wr.expired() && !wr.lock();
  });
  EXPECT_TRUE(w.handle()->has_callback());
  EXPECT_EQ(calls, 0);
  p.reset();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, w.handle().get()) << "the callback gets its own weak reference object";
  EXPECT_TRUE(expired_in_callback);
}

TEST(WeakRef, CallbackDoesNotRunIfTheWeakReferenceDiedFirst) {
  // o = N(); w = weakref.ref(o, lambda r: log.append('cb')); del w; del o  ->  log == []
  Heap h;
  auto p = h.make<Leaf>();
  int calls = 0;
  WeakRef<Leaf> w(p, [&](WeakReference&) { ++calls; });
  w.reset();
  p.reset();
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(WeakRef, SeveralCallbacksRunNewestFirstAfterAllAreCleared) {
  // o = N(); log = []
  // w1 = weakref.ref(o, lambda r: log.append(('w1', w1() is None, w2() is None, w3() is None)))
  // w2 = weakref.ref(o, lambda r: log.append(('w2', w1() is None)))
  // w3 = weakref.ref(o, lambda r: log.append(('w3',)))
  // del o   ->  log == [('w3',), ('w2', True), ('w1', True, True, True)]
  Heap h;
  auto p = h.make<Leaf>();
  std::vector<std::string> log;
  WeakRef<Leaf> w1, w2, w3;
  auto all_dead = [&] { return w1.expired() && w2.expired() && w3.expired(); };
  w1 = WeakRef<Leaf>(p, [&](WeakReference&) { log.push_back(all_dead() ? "w1 all-dead" : "w1"); });
  w2 = WeakRef<Leaf>(p, [&](WeakReference&) { log.push_back(all_dead() ? "w2 all-dead" : "w2"); });
  w3 = WeakRef<Leaf>(p, [&](WeakReference&) { log.push_back(all_dead() ? "w3 all-dead" : "w3"); });
  WeakRef<Leaf> plain(p);  // no callback: cleared, nothing called
  p.reset();
  EXPECT_EQ(log, (std::vector<std::string>{"w3 all-dead", "w2 all-dead", "w1 all-dead"}));
  EXPECT_TRUE(plain.expired());
}

TEST(WeakRef, CallbackMayDropItsOwnWeakReference) {
  Heap h;
  auto p = h.make<Leaf>();
  std::vector<WeakRef<Leaf>> holder;
  int calls = 0;
  holder.emplace_back(p, [&](WeakReference& wr) {
    ++calls;
    holder.clear();  // the last outside count of wr: it must stay valid until we return
    EXPECT_TRUE(wr.expired());
  });
  p.reset();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(WeakRef, CallbackExceptionGoesToTheUnraisableHookAndOthersStillRun) {
  // def boom(r): raise ValueError('x')
  // o = N(); w1 = weakref.ref(o, cb); w2 = weakref.ref(o, boom); w3 = weakref.ref(o, cb)
  // sys.unraisablehook = ...; del o   ->  cb ran twice, one ValueError reported
  UnraisableLog u;
  Heap h;
  u.install(h);
  auto p = h.make<Leaf>();
  int calls = 0;
  WeakRef<Leaf> w1(p, [&](WeakReference&) { ++calls; });
  WeakRef<Leaf> w2(p, [&](WeakReference&) { throw std::runtime_error("boom"); });
  WeakRef<Leaf> w3(p, [&](WeakReference&) { ++calls; });
  p.reset();
  EXPECT_EQ(calls, 2);
  ASSERT_EQ(u.where.size(), 1u);
  EXPECT_EQ(u.where[0], "weakref callback");
  EXPECT_EQ(u.what[0], "boom");
  EXPECT_EQ(h.live_objects(), 3u);
}

TEST(WeakRef, ReferentStillReachableFromItsFinalizer) {
  // class F:
  //     def __del__(self): print(w() is self)
  // f = F(); w = weakref.ref(f); del f   ->  True (weak references are cleared after __del__)
  Heap h;
  bool alive = false;
  auto f = h.make<Introspective>();
  WeakRef<Introspective> w(f);
  f->w = w.handle().get();
  f->out = &alive;
  f.reset();
  EXPECT_TRUE(alive);
  EXPECT_TRUE(w.expired());
}

TEST(WeakRef, ReferentInAGarbageCycleIsClearedAndOutsideCallbacksRun) {
  // a = N(); b = N(); a.x = b; b.x = a
  // wa = weakref.ref(a, lambda r: log.append('wa')); wb = weakref.ref(b, lambda r: log.append('wb'))
  // del a, b; gc.collect()  ->  2, log == ['wa', 'wb'], wa() is None, wb() is None
  Heap h;
  h.gc().disable();
  std::vector<std::string> log;
  auto a = h.make<Node>();
  auto b = h.make<Node>();
  a->a = b;
  b->a = a;
  WeakRef<Node> wa(a, [&](WeakReference& r) {
    log.push_back(r.expired() ? "wa" : "wa-not-cleared");
  });
  WeakRef<Node> wb(b, [&](WeakReference&) { log.push_back("wb"); });
  a.reset();
  b.reset();
  EXPECT_TRUE(log.empty());
  EXPECT_FALSE(wa.expired()) << "only the collector can find the cycle";
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(log, (std::vector<std::string>{"wa", "wb"}));
  EXPECT_TRUE(wa.expired());
  EXPECT_TRUE(wb.expired());
  EXPECT_EQ(h.live_objects(), 2u);  // wa, wb
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(WeakRef, WeakReferenceInsideTheGarbageGetsNoCallback) {
  // def cb(r): log.append('cb')
  // a = N(); a.x = a; a.w = weakref.ref(a, cb); del a; gc.collect()  ->  2, log == []
  Heap h;
  h.gc().disable();
  int calls = 0;
  auto a = h.make<Node>();
  a->a = a;
  a->w = WeakRef<Node>(a, [&](WeakReference&) { ++calls; });
  a.reset();
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(WeakRef, GarbageWeakReferenceToALiveObjectIsClearedWithoutCallback) {
  // keep = N(); a = N(); a.x = a; a.w = weakref.ref(keep, cb); del a
  // gc.collect() -> 2, log == []; del keep -> log == []
  Heap h;
  h.gc().disable();
  int calls = 0;
  auto keep = h.make<Node>();
  auto a = h.make<Node>();
  a->a = a;
  a->w = WeakRef<Node>(keep, [&](WeakReference&) { ++calls; });
  a.reset();
  EXPECT_EQ(h.weakref_count(keep.get()), 1u);
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(h.weakref_count(keep.get()), 0u);
  EXPECT_FALSE(keep->has_weakrefs());
  keep.reset();
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(h.live_objects(), 0u);
}

namespace {
// Garbage whose finalizer looks at a weak reference it owns.
struct Inspector : Object {
  Ref<Inspector> self;
  WeakRef<Node> w;
  std::vector<int>* log = nullptr;
  void trace(Tracer& t) { t(self, w); }
  void finalize() { log->push_back(w.expired() ? 1 : 0); }
};
}  // namespace

TEST(WeakRef, GarbageWeakReferenceIsClearedBeforeFinalizersRun) {
  // class F:
  //     def __del__(self): log.append(self.w() is None)
  // keep = N(); a = F(); a.x = a; a.w = weakref.ref(keep); del a
  // gc.collect()  ->  2, log == [True] (keep is alive, but the weak reference is garbage)
  Heap h;
  h.gc().disable();
  std::vector<int> log;
  auto keep = h.make<Node>();
  auto a = h.make<Inspector>();
  a->self = a;
  a->log = &log;
  a->w = WeakRef<Node>(keep);
  a.reset();
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(log, (std::vector<int>{1}));
  EXPECT_EQ(h.weakref_count(keep.get()), 0u);
}

TEST(WeakRef, SeveralWeakReferencesToACyclicObjectCallNewestFirst) {
  // a = N(); a.x = a
  // w1 = weakref.ref(a, lambda r: log.append(1)); w2 = ...append(2); w3 = ...append(3)
  // del a; gc.collect()  ->  1, log == [3, 2, 1]
  Heap h;
  h.gc().disable();
  std::vector<int> log;
  auto a = h.make<Node>();
  a->a = a;
  WeakRef<Node> w1(a, [&](WeakReference&) { log.push_back(1); });
  WeakRef<Node> w2(a, [&](WeakReference&) { log.push_back(2); });
  WeakRef<Node> w3(a, [&](WeakReference&) { log.push_back(3); });
  a.reset();
  EXPECT_EQ(h.gc().collect(), 1u);
  EXPECT_EQ(log, (std::vector<int>{3, 2, 1}));
}

TEST(WeakRef, WeakReferenceFreedByItsOwnCallbackIsCounted) {
  // a = N(); a.x = a
  // holder = [weakref.ref(a, lambda r: (log.append('drop'), holder.clear()))]
  // del a; gc.collect()  ->  2 (a, and the weak reference its callback let go), log == ['drop']
  Heap h;
  h.gc().disable();
  std::vector<WeakRef<Node>> holder;
  int calls = 0;
  auto a = h.make<Node>();
  a->a = a;
  holder.emplace_back(a, [&](WeakReference&) {
    ++calls;
    holder.clear();
  });
  a.reset();
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_EQ(h.gc().stats()[2].collected, 2u);
}

TEST(WeakRef, WeakReferenceThatSurvivesItsCallbackIsNotCounted) {
  // a = N(); a.x = a; w = weakref.ref(a, lambda r: log.append('keep')); del a
  // gc.collect()  ->  1, log == ['keep']
  Heap h;
  h.gc().disable();
  int calls = 0;
  auto a = h.make<Node>();
  a->a = a;
  WeakRef<Node> w(a, [&](WeakReference&) { ++calls; });
  a.reset();
  EXPECT_EQ(h.gc().collect(0), 1u);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(h.gc().generation_of(w.handle().get()), 1) << "moved on to the next generation";
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(WeakRef, ResurrectedReferentKeepsItsWeakReferencesCleared) {
  // saved = []
  // class F:
  //     def __del__(self): saved.append(self)
  // a = F(); a.x = a; w = weakref.ref(a, cb); del a
  // gc.collect()  ->  0, log == ['cb'], w() is None, len(saved) == 1
  Heap h;
  h.gc().disable();
  int calls = 0;
  Ref<Phoenix> stash;
  auto a = h.make<Phoenix>(&stash);
  a->self = a;
  WeakRef<Phoenix> w(a, [&](WeakReference&) { ++calls; });
  Phoenix* raw = a.get();
  a.reset();
  EXPECT_EQ(h.gc().collect(), 0u);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(w.expired());
  ASSERT_EQ(stash.get(), raw);
  EXPECT_EQ(raw->finalized, 1);
  EXPECT_FALSE(raw->has_weakrefs());
  // A new weak reference to the resurrected object works as usual.
  WeakRef<Phoenix> w2(stash);
  EXPECT_EQ(w2.lock().get(), raw);
  stash->self.reset();
  stash.reset();
  EXPECT_TRUE(w2.expired());
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(WeakRef, CallbackDuringCollectionMayAllocateAndCollect) {
  Heap h;
  h.gc().set_threshold(1);
  std::size_t nested = 99;
  auto a = h.make<Node>();
  a->a = a;
  std::vector<Ref<Node>> made;
  WeakRef<Node> w(a, [&](WeakReference&) {
    for (int i = 0; i < 10; ++i) made.push_back(h.make<Node>());  // over threshold, but collecting
    nested = h.gc().collect();
  });
  a.reset();
  EXPECT_EQ(h.gc().collect(), 1u);
  EXPECT_EQ(nested, 0u);
  EXPECT_EQ(made.size(), 10u);
  EXPECT_TRUE(h.gc().is_valid(2));
}
