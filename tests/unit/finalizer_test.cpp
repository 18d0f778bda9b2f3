// Finalizers (PEP 442): run at most once in an object's life, whether it dies by reference
// counting or as cyclic garbage; resurrection; exceptions go to the unraisable hook.
// Python equivalents (checked with python3.11, after `gc.disable(); gc.collect()`) are quoted.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "pyheap/heap.hpp"

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;

namespace {

struct Counts {
  int finalized = 0;
  int destroyed = 0;
};

// Untracked, with a finalizer.
struct Fin : Object {
  explicit Fin(Counts* c) : counts(c) {}
  ~Fin() { ++counts->destroyed; }
  void finalize() { ++counts->finalized; }
  Counts* counts;
};

// A container with a finalizer that may resurrect it into *stash.
struct CFin : Object {
  CFin(Counts* c, Ref<CFin>* s = nullptr) : counts(c), stash(s) {}
  ~CFin() { ++counts->destroyed; }
  void finalize() {
    ++counts->finalized;
    order.push_back(id);
    if (stash) *stash = Ref<CFin>::borrow(this);
  }
  void trace(Tracer& t) { t(next); }
  Counts* counts;
  Ref<CFin>* stash;
  Ref<CFin> next;
  int id = 0;
  static inline std::vector<int> order;
};

struct Thrower : Object {
  explicit Thrower(Counts* c) : counts(c) {}
  ~Thrower() { ++counts->destroyed; }
  void finalize() {
    ++counts->finalized;
    throw std::runtime_error("finalizer failed");
  }
  void trace(Tracer& t) { t(next); }
  Counts* counts;
  Ref<Thrower> next;
};

struct ThrowsNonStd : Object {
  void finalize() { throw 42; }
};

struct Unraisables {
  std::vector<pyheap::UnraisableInfo> infos;
  std::vector<std::string> what;
  void install(Heap& h) {
    h.set_unraisable_hook([this](const pyheap::UnraisableInfo& info) {
      infos.push_back(info);
      try {
        std::rethrow_exception(info.error);
      } catch (const std::exception& e) {
        what.push_back(e.what());
      } catch (...) {
        what.push_back("non-std");
      }
    });
  }
};

}  // namespace

TEST(Finalizer, RunsOnceBeforeTheDestructorWhenTheCountReachesZero) {
  Heap h;
  Counts c;
  auto f = h.make<Fin>(&c);
  EXPECT_FALSE(f->is_finalized());
  EXPECT_EQ(c.finalized, 0);
  f.reset();
  EXPECT_EQ(c.finalized, 1);
  EXPECT_EQ(c.destroyed, 1);
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(Finalizer, FinalizerSeesALiveObjectWithOneCount) {
  struct Probe : Object {
    void finalize() {
      count_seen = refcount();
      tracked_seen = Heap::of(this).gc().is_tracked(this);
      gen_seen = Heap::of(this).gc().generation_of(this);
      *out = count_seen * 100 + (tracked_seen ? 10 : 0) + gen_seen;
    }
    void trace(Tracer&) {}
    std::uint32_t count_seen = 0;
    bool tracked_seen = false;
    int gen_seen = -2;
    int* out = nullptr;
  };
  Heap h;
  int seen = 0;
  auto p = h.make<Probe>();
  p->out = &seen;
  h.gc().collect();  // now in generation 2: the finalizer must see it back in generation 0
  ASSERT_EQ(h.gc().generation_of(p.get()), 2);
  p.reset();
  EXPECT_EQ(seen, 100 + 10 + 0) << "count 1, tracked, generation 0 (CPython re-tracks it)";
}

TEST(Finalizer, ResurrectionKeepsTheObjectAndTheFinalizerDoesNotRerun) {
  // saved = []
  // class R:
  //     def __del__(self): print('R del'); saved.append(self)
  // r = R(); del r        -> 'R del', len(saved) == 1
  // saved.clear()         -> nothing printed: __del__ does not run a second time
  Heap h;
  Counts c;
  Ref<CFin> stash;
  auto r = h.make<CFin>(&c, &stash);
  CFin* raw = r.get();
  r.reset();
  EXPECT_EQ(c.finalized, 1);
  EXPECT_EQ(c.destroyed, 0);
  ASSERT_EQ(stash.get(), raw);
  EXPECT_EQ(raw->refcount(), 1u);
  EXPECT_TRUE(raw->is_finalized());
  EXPECT_TRUE(h.gc().is_tracked(raw));
  EXPECT_EQ(h.gc().generation_of(raw), 0);
  EXPECT_EQ(h.live_objects(), 1u);
  EXPECT_TRUE(h.gc().is_valid(2));
  raw->stash = nullptr;
  stash.reset();
  EXPECT_EQ(c.finalized, 1);
  EXPECT_EQ(c.destroyed, 1);
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_EQ(h.gc().tracked_count(), 0u);
}

TEST(Finalizer, ResurrectedObjectStashedAgainIsNotFinalizedAgain) {
  // The stash stays set: the second death must not call finalize (which would resurrect again).
  Heap h;
  Counts c;
  Ref<CFin> stash;
  auto r = h.make<CFin>(&c, &stash);
  r.reset();
  ASSERT_TRUE(stash);
  Ref<CFin> moved = std::move(stash);
  moved.reset();
  EXPECT_EQ(c.finalized, 1);
  EXPECT_EQ(c.destroyed, 1);
  EXPECT_FALSE(stash);
}

TEST(Finalizer, ExceptionIsReportedAndDestructionGoesOn) {
  Unraisables u;
  Heap h;
  u.install(h);
  Counts c;
  auto t = h.make<Thrower>(&c);
  const Object* raw = t.get();
  t.reset();
  EXPECT_EQ(c.finalized, 1);
  EXPECT_EQ(c.destroyed, 1);
  ASSERT_EQ(u.infos.size(), 1u);
  EXPECT_EQ(u.infos[0].object, raw);
  EXPECT_NE(u.infos[0].where.find("finalizer of"), std::string::npos) << u.infos[0].where;
  EXPECT_NE(u.infos[0].where.find("Thrower"), std::string::npos) << u.infos[0].where;
  EXPECT_EQ(u.what[0], "finalizer failed");
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(Finalizer, NonStandardExceptionIsReportedToo) {
  Unraisables u;
  Heap h;
  u.install(h);
  h.make<ThrowsNonStd>().reset();
  ASSERT_EQ(u.what.size(), 1u);
  EXPECT_EQ(u.what[0], "non-std");
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(Finalizer, ExceptionInAGarbageCycleIsReportedAndTheCycleIsFreed) {
  Unraisables u;
  Heap h;
  h.gc().disable();
  u.install(h);
  Counts c;
  auto a = h.make<Thrower>(&c);
  auto b = h.make<Thrower>(&c);
  a->next = b;
  b->next = a;
  a.reset();
  b.reset();
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(c.finalized, 2);
  EXPECT_EQ(c.destroyed, 2);
  EXPECT_EQ(u.infos.size(), 2u);
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(Finalizer, GarbageCycleFinalizersRunOnceEachThenTheCycleIsFreed) {
  // class G:
  //     n = 0
  //     def __del__(self): G.n += 1
  // a = G(); b = G(); a.x = b; b.x = a; del a, b
  // gc.collect()  ->  2, G.n == 2
  Heap h;
  h.gc().disable();
  Counts c;
  CFin::order.clear();
  auto a = h.make<CFin>(&c);
  auto b = h.make<CFin>(&c);
  a->id = 1;
  b->id = 2;
  a->next = b;
  b->next = a;
  a.reset();
  b.reset();
  EXPECT_EQ(c.finalized, 0);
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(c.finalized, 2);
  EXPECT_EQ(c.destroyed, 2);
  // Finalizers run in the order the garbage was found (allocation order here, as in CPython).
  EXPECT_EQ(CFin::order, (std::vector<int>{1, 2}));
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_EQ(h.gc().collect(), 0u);
  EXPECT_EQ(c.finalized, 2);
}

TEST(Finalizer, ResurrectingCycleSurvivesAndIsFreedLaterWithoutRefinalizing) {
  // saved = []
  // class F:
  //     n = 0
  //     def __del__(self): F.n += 1; saved.append(self)
  // a = F(); b = F(); a.x = b; b.x = a; del a, b
  // gc.collect() -> 0, F.n == 2, len(saved) == 2
  // gc.collect() -> 0, F.n == 2
  // saved.clear(); gc.collect() -> 2, F.n == 2
  Heap h;
  h.gc().disable();
  Counts c;
  Ref<CFin> s1, s2;
  auto a = h.make<CFin>(&c, &s1);
  auto b = h.make<CFin>(&c, &s2);
  a->next = b;
  b->next = a;
  a.reset();
  b.reset();
  EXPECT_EQ(h.gc().collect(), 0u);
  EXPECT_EQ(c.finalized, 2);
  EXPECT_EQ(c.destroyed, 0);
  ASSERT_TRUE(s1);
  ASSERT_TRUE(s2);
  EXPECT_EQ(s1->next.get(), s2.get()) << "resurrected objects keep their references";
  EXPECT_EQ(h.gc().generation_of(s1.get()), 2);
  EXPECT_TRUE(h.gc().is_valid(2));
  EXPECT_EQ(h.gc().collect(), 0u);
  EXPECT_EQ(c.finalized, 2);
  s1.reset();
  s2.reset();
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(c.finalized, 2);
  EXPECT_EQ(c.destroyed, 2);
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(Finalizer, PartlyResurrectingCycleKeepsAllOfIt) {
  // class R:
  //     def __del__(self):
  //         if self.tag == 'a': saved.append(self)
  // a = R(); a.tag = 'a'; b = R(); b.tag = 'b'; a.x = b; b.x = a; del a, b
  // gc.collect() -> 0, len(saved) == 1;   saved.clear(); gc.collect() -> 2
  Heap h;
  h.gc().disable();
  Counts c;
  Ref<CFin> s1;
  auto a = h.make<CFin>(&c, &s1);
  auto b = h.make<CFin>(&c);
  a->next = b;
  b->next = a;
  a.reset();
  b.reset();
  EXPECT_EQ(h.gc().collect(), 0u);
  EXPECT_EQ(c.finalized, 2);
  EXPECT_EQ(c.destroyed, 0);
  EXPECT_EQ(h.live_objects(), 2u);
  s1.reset();
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(c.finalized, 2);
  EXPECT_EQ(c.destroyed, 2);
}

TEST(Finalizer, FinalizedByRefcountThenPartOfACycle) {
  // An object resurrected by its finalizer, later found in a cycle: not finalized again.
  Heap h;
  h.gc().disable();
  Counts c;
  Ref<CFin> stash;
  auto a = h.make<CFin>(&c, &stash);
  a.reset();
  ASSERT_EQ(c.finalized, 1);
  stash->stash = nullptr;
  stash->next = stash;  // a self-cycle now
  stash.reset();
  EXPECT_EQ(h.live_objects(), 1u);
  EXPECT_EQ(h.gc().collect(), 1u);
  EXPECT_EQ(c.finalized, 1);
  EXPECT_EQ(c.destroyed, 1);
}

TEST(Finalizer, HeapDestructionFinalizesWhatIsLeft) {
  Counts c;
  {
    Heap h;
    h.gc().disable();
    auto a = h.make<CFin>(&c);
    auto b = h.make<CFin>(&c);
    a->next = b;
    b->next = a;
    a.reset();
    b.reset();
  }
  EXPECT_EQ(c.finalized, 2);
  EXPECT_EQ(c.destroyed, 2);
}
