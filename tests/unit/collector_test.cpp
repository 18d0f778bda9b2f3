// The cycle collector, compared with CPython 3.11's gc module. Every expected collect() value
// was checked by running the quoted Python in python3.11; each snippet assumes
//   import gc; gc.disable(); gc.collect()
//   class N: pass
// has run first (3.11 instances keep their attributes inline: one GC object per instance).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "pyheap/heap.hpp"

using pyheap::CollectionInfo;
using pyheap::GcPhase;
using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;

namespace {

struct N : Object {
  Ref<N> x;
  Ref<N> y;
  Ref<Object> back;
  void trace(Tracer& t) { t(x, y, back); }
};

struct Atom : Object {
  int v = 0;
};

// Holds references in every shape the tracer accepts.
struct Bag : Object {
  std::vector<Ref<N>> vec;
  std::map<int, Ref<N>> by_key;
  std::optional<Ref<N>> maybe;
  std::pair<Ref<N>, int> pair;
  std::array<Ref<N>, 2> arr;
  Ref<Atom> atom;
  void trace(Tracer& t) { t(vec, by_key, maybe, pair, arr, atom); }
};

// Traces non-reference members too, as the tracer allows; they must survive a clear.
struct Named : Object {
  Named(std::string n, std::vector<std::string>* l) : name(std::move(n)), log(l) {}
  ~Named() { log->push_back(name + ":" + std::to_string(numbers.size())); }
  std::string name;
  std::vector<int> numbers{1, 2, 3};
  Ref<Named> other;
  std::vector<std::string>* log;
  void trace(Tracer& t) { t(name, numbers, other); }
};

struct Event {
  GcPhase phase;
  int generation;
  std::size_t collected;
  std::size_t uncollectable;
};

// Detaches itself when destroyed: the heap (declared first, destroyed last) collects once more
// at its destruction and must not call into a dead log.
struct EventLog {
  std::vector<Event> events;
  int id = 0;
  Heap* heap = nullptr;
  EventLog() = default;
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;
  ~EventLog() {
    if (heap) heap->gc().remove_callback(id);
  }
  void attach(Heap& h) {
    heap = &h;
    id = h.gc().add_callback([this](GcPhase p, const CollectionInfo& i) {
      events.push_back({p, i.generation, i.collected, i.uncollectable});
    });
  }
  std::vector<int> started() const {
    std::vector<int> g;
    for (auto& e : events)
      if (e.phase == GcPhase::Start) g.push_back(e.generation);
    return g;
  }
};

Ref<N> ring(Heap& h, int n) {
  Ref<N> first = h.make<N>();
  Ref<N> cur = first;
  for (int i = 1; i < n; ++i) {
    cur->x = h.make<N>();
    cur = cur->x;
  }
  cur->x = first;
  return first;
}

std::size_t count_n(const std::vector<Ref<Object>>& objs) {
  std::size_t n = 0;
  for (auto& o : objs) n += Heap::is_a<N>(o.get());
  return n;
}

}  // namespace

TEST(Collector, TwoCycleIsCollected) {
  // a = N(); b = N(); a.x = b; b.x = a; del a, b; gc.collect()  ->  2
  Heap h;
  h.gc().disable();
  auto a = h.make<N>();
  auto b = h.make<N>();
  a->x = b;
  b->x = a;
  a.reset();
  b.reset();
  EXPECT_EQ(h.live_objects(), 2u);
  EXPECT_TRUE(h.gc().is_valid(2));
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_EQ(h.gc().tracked_count(), 0u);
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(Collector, SelfCycleIsCollected) {
  // a = N(); a.x = a; del a; gc.collect()  ->  1
  Heap h;
  h.gc().disable();
  auto a = h.make<N>();
  a->x = a;
  a.reset();
  EXPECT_EQ(h.gc().collect(), 1u);
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(Collector, CycleWithATailCountsTheTail) {
  // a = N(); b = N(); c = N(); a.x = b; b.x = c; c.x = a; d = N(); c.y = d; e = N(); d.y = e
  // del a, b, c, d, e; gc.collect()  ->  5
  Heap h;
  h.gc().disable();
  auto a = h.make<N>(), b = h.make<N>(), c = h.make<N>(), d = h.make<N>(), e = h.make<N>();
  a->x = b;
  b->x = c;
  c->x = a;
  c->y = d;
  d->y = e;
  a.reset();
  b.reset();
  c.reset();
  d.reset();
  e.reset();
  EXPECT_EQ(h.gc().collect(), 5u);
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(Collector, UntrackedObjectsHangingOffGarbageAreFreedButNotCounted) {
  // a = N(); a.x = a; a.y = 2**70  (an int: not a GC object); del a
  // gc.collect()  ->  1
  Heap h;
  h.gc().disable();
  auto a = h.make<N>();
  a->x = a;
  a->back = h.make<Atom>();
  a.reset();
  EXPECT_EQ(h.live_objects(), 2u);
  EXPECT_EQ(h.gc().collect(), 1u);
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(Collector, ReachableCycleIsNotCollected) {
  // a = N(); b = N(); a.x = b; b.x = a; del b; gc.collect()  ->  0
  Heap h;
  h.gc().disable();
  auto a = h.make<N>();
  a->x = h.make<N>();
  a->x->x = a;
  EXPECT_EQ(h.gc().collect(), 0u);
  EXPECT_EQ(h.live_objects(), 2u);
  EXPECT_EQ(h.gc().generation_of(a.get()), 2);
  a->x->x.reset();
  EXPECT_EQ(h.gc().collect(), 0u);
}

TEST(Collector, YoungCycleHeldByAnOldObjectSurvivesAYoungCollection) {
  // o = N(); gc.collect()
  // a = N(); b = N(); a.x = b; b.x = a; o.y = a; del a, b
  // gc.collect(0)  ->  0;   del o; gc.collect()  ->  2
  Heap h;
  h.gc().disable();
  auto o = h.make<N>();
  h.gc().collect();
  auto a = h.make<N>(), b = h.make<N>();
  a->x = b;
  b->x = a;
  o->y = a;
  a.reset();
  b.reset();
  EXPECT_EQ(h.gc().collect(0), 0u);
  o.reset();  // o itself dies by refcount; the cycle remains
  EXPECT_EQ(h.live_objects(), 2u);
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(Collector, YoungObjectHeldByOldGarbageWaitsForTheOldCollection) {
  // c1 = N(); c1.x = c1; gc.collect(); c1.y = N(); del c1
  // gc.collect(0) -> 0;  gc.collect(1) -> 0;  gc.collect(2) -> 2
  Heap h;
  h.gc().disable();
  auto c1 = h.make<N>();
  c1->x = c1;
  h.gc().collect();
  c1->y = h.make<N>();
  c1.reset();
  EXPECT_EQ(h.gc().collect(0), 0u);
  EXPECT_EQ(h.gc().collect(1), 0u);
  EXPECT_EQ(h.gc().collect(2), 2u);
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(Collector, LongRingIsCollectedWithoutDeepRecursion) {
  Heap h;
  h.gc().disable();
  const int n = 200'000;
  ring(h, n).reset();
  EXPECT_EQ(h.live_objects(), static_cast<std::size_t>(n));
  EXPECT_EQ(h.gc().collect(), static_cast<std::size_t>(n));
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(Collector, EveryTracerShapeIsFollowedAndCleared) {
  Heap h;
  h.gc().disable();
  auto bag = h.make<Bag>();
  // Each N points back at the bag: six cycles through six different member shapes.
  auto back = [&] {
    auto n = h.make<N>();
    n->back = bag;
    return n;
  };
  bag->vec = {back(), back()};
  bag->by_key[1] = back();
  bag->maybe = back();
  bag->pair = {back(), 7};
  bag->arr = {back(), Ref<N>()};
  bag->atom = h.make<Atom>();
  auto refs = h.gc().get_referents(bag.get());
  EXPECT_EQ(refs.size(), 7u);  // 6 Ns + the atom
  EXPECT_EQ(count_n(refs), 6u);
  EXPECT_EQ(h.gc().get_referrers(bag.get()).size(), 6u);
  refs.clear();  // its counts would keep the Ns alive
  bag.reset();
  EXPECT_EQ(h.live_objects(), 8u);
  EXPECT_EQ(h.gc().collect(), 7u) << "the bag and six Ns; the untracked atom is not counted";
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(Collector, ClearingLeavesNonReferenceMembersAlone) {
  // The trace hook may list strings and vectors of ints ("accepted and ignored"): clearing
  // garbage must drop only references, so destructors still see the other members.
  Heap h;
  h.gc().disable();
  std::vector<std::string> log;
  auto a = h.make<Named>("alpha", &log);
  auto b = h.make<Named>("beta", &log);
  a->other = b;
  b->other = a;
  a.reset();
  b.reset();
  EXPECT_EQ(h.gc().collect(), 2u);
  ASSERT_EQ(log.size(), 2u);
  std::sort(log.begin(), log.end());
  EXPECT_EQ(log, (std::vector<std::string>{"alpha:3", "beta:3"}));
}

TEST(Collector, InvalidGenerationIsRejected) {
  // gc.collect(3)  ->  ValueError: invalid generation
  Heap h;
  EXPECT_THROW(h.gc().collect(3), std::invalid_argument);
  EXPECT_THROW(h.gc().collect(-1), std::invalid_argument);
  EXPECT_THROW(h.gc().get_objects(3), std::invalid_argument);
}

TEST(Collector, SurvivorsMoveUpOneGeneration) {
  // a = N(); a.x = a; l = [N() for i in range(3)]
  // gc.collect(0): gc.get_objects(1) holds the 4 N, gc.get_objects(0) none
  // gc.collect(1): gc.get_objects(2) holds the 4 N
  Heap h;
  h.gc().disable();
  auto a = h.make<N>();
  a->x = a;
  std::vector<Ref<N>> l{h.make<N>(), h.make<N>(), h.make<N>()};
  EXPECT_EQ(count_n(h.gc().get_objects(0)), 4u);
  EXPECT_EQ(h.gc().collect(0), 0u);
  EXPECT_EQ(count_n(h.gc().get_objects(0)), 0u);
  EXPECT_EQ(count_n(h.gc().get_objects(1)), 4u);
  EXPECT_EQ(h.gc().generation_of(a.get()), 1);
  auto young = h.make<N>();
  EXPECT_EQ(h.gc().generation_of(young.get()), 0);
  EXPECT_EQ(h.gc().collect(1), 0u);
  EXPECT_EQ(count_n(h.gc().get_objects(2)), 5u);
  EXPECT_EQ(count_n(h.gc().get_objects(1)), 0u);
  EXPECT_EQ(count_n(h.gc().get_objects()), 5u);
  EXPECT_EQ(h.gc().collect(2), 0u);
  EXPECT_EQ(h.gc().generation_of(a.get()), 2) << "the oldest generation stays the oldest";
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(Collector, CountsFollowCPython) {
  // gc.get_count() -> (0, 0, 0); gc.collect(0) -> (0, 1, 0); gc.collect(0) -> (0, 2, 0)
  // gc.collect(1) -> (0, 0, 1); gc.collect(2) -> (0, 0, 0)
  Heap h;
  h.gc().disable();
  using C = std::array<std::size_t, 3>;
  EXPECT_EQ(h.gc().count(), (C{0, 0, 0}));
  std::vector<Ref<N>> keep;
  for (int i = 0; i < 3; ++i) keep.push_back(h.make<N>());
  auto atom = h.make<Atom>();  // untracked: not counted
  EXPECT_EQ(h.gc().count(), (C{3, 0, 0}));
  keep.pop_back();  // a freed container is taken off the count
  EXPECT_EQ(h.gc().count(), (C{2, 0, 0}));
  h.gc().collect(0);
  EXPECT_EQ(h.gc().count(), (C{0, 1, 0}));
  h.gc().collect(0);
  EXPECT_EQ(h.gc().count(), (C{0, 2, 0}));
  h.gc().collect(1);
  EXPECT_EQ(h.gc().count(), (C{0, 0, 1}));
  h.gc().collect(2);
  EXPECT_EQ(h.gc().count(), (C{0, 0, 0}));
}

TEST(Collector, AllocationCountsTriggerCollectionsAsCPythonDoes) {
  // keep = [None] * 2000; log = []
  // gc.callbacks.append(lambda ph, info: ph == 'start' and log.append(info['generation']))
  // gc.set_threshold(5, 2, 2); gc.enable()
  // for i in range(60): keep[i] = N()
  // log  ->  [0, 0, 0, 1, 0, 0, 0, 1, 0, 0]
  Heap h;
  EXPECT_TRUE(h.gc().is_enabled());
  EXPECT_EQ(h.gc().threshold(), (std::array<int, 3>{700, 10, 10}));
  h.gc().set_schedule(pyheap::GcSchedule::CPython311);  // CPython's timing, whatever the heap's size
  h.gc().set_threshold(5, 2, 2);
  EXPECT_EQ(h.gc().threshold(), (std::array<int, 3>{5, 2, 2}));
  EventLog log;
  log.attach(h);
  std::vector<Ref<N>> keep;
  for (int i = 0; i < 60; ++i) keep.push_back(h.make<N>());
  EXPECT_EQ(log.started(), (std::vector<int>{0, 0, 0, 1, 0, 0, 0, 1, 0, 0}));
  // Untracked objects never count.
  for (int i = 0; i < 100; ++i) (void)h.make<Atom>();
  EXPECT_EQ(log.started().size(), 10u);
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(Collector, SixthAllocationOverThresholdFiveCollects) {
  Heap h;
  h.gc().set_threshold(5);
  EXPECT_EQ(h.gc().threshold(), (std::array<int, 3>{5, 10, 10})) << "-1 keeps the others";
  EventLog log;
  log.attach(h);
  std::vector<Ref<N>> keep;
  for (int i = 0; i < 5; ++i) keep.push_back(h.make<N>());
  EXPECT_TRUE(log.events.empty());
  EXPECT_EQ(h.gc().count()[0], 5u);
  // The collection runs before the sixth object exists and resets the count; the new object
  // is not counted (CPython's _PyObject_GC_Link does the same).
  keep.push_back(h.make<N>());
  ASSERT_EQ(log.events.size(), 2u);
  EXPECT_EQ(log.events[0].phase, GcPhase::Start);
  EXPECT_EQ(log.events[0].generation, 0);
  EXPECT_EQ(log.events[1].phase, GcPhase::Stop);
  EXPECT_EQ(h.gc().count()[0], 0u);
  EXPECT_EQ(h.gc().count()[1], 1u);
  EXPECT_EQ(h.gc().generation_of(keep[0].get()), 1);
  EXPECT_EQ(h.gc().generation_of(keep[5].get()), 0);
}

TEST(Collector, AutomaticCollectionFreesGarbage) {
  Heap h;
  h.gc().set_threshold(10);
  for (int i = 0; i < 1000; ++i) {
    auto a = h.make<N>();
    a->x = a;
  }
  EXPECT_LE(h.live_objects(), 11u);
  std::uint64_t collected = 0;
  for (auto& s : h.gc().stats()) collected += s.collected;
  EXPECT_EQ(collected + h.live_objects(), 1000u);
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(Collector, FullCollectionWaitsForAQuarterOfTheLongLivedObjects) {
  Heap h;
  h.gc().set_schedule(pyheap::GcSchedule::CPython311);  // CPython's count of promotions
  h.gc().disable();
  std::vector<Ref<N>> keep;
  for (int i = 0; i < 1000; ++i) keep.push_back(h.make<N>());
  h.gc().collect();  // long-lived total: 1000
  h.gc().set_threshold(5, 2, 0);
  std::vector<std::size_t> gen2_size_at_full;
  std::vector<std::size_t> gen2_size_at_gen1;
  const int cb = h.gc().add_callback([&](GcPhase p, const CollectionInfo& i) {
    if (p != GcPhase::Start) return;
    const std::size_t g2 = h.gc().get_objects(2).size();
    (i.generation == 2 ? gen2_size_at_full : gen2_size_at_gen1).push_back(g2);
  });
  h.gc().enable();
  for (int i = 0; i < 600; ++i) keep.push_back(h.make<N>());
  ASSERT_FALSE(gen2_size_at_full.empty());
  // With threshold2 == 0 a full collection is due after every gen1 collection, but it waits until
  // more than 1000 / 4 objects were promoted into generation 2 since the last one.
  EXPECT_GE(gen2_size_at_full[0], 1250u);
  // Each gen1 collection promotes the 24 objects allocated since the previous one.
  EXPECT_LT(gen2_size_at_full[0], 1250u + 24u);
  ASSERT_FALSE(gen2_size_at_gen1.empty());
  EXPECT_EQ(gen2_size_at_gen1[0], 1000u) << "the first gen1 collection came before any full one";
  EXPECT_TRUE(h.gc().is_valid(2));
  h.gc().remove_callback(cb);
}

TEST(Collector, DisableStopsAutomaticCollectionOnly) {
  Heap h;
  h.gc().set_threshold(3);
  h.gc().disable();
  EXPECT_FALSE(h.gc().is_enabled());
  EventLog log;
  log.attach(h);
  for (int i = 0; i < 100; ++i) {
    auto a = h.make<N>();
    a->x = a;
  }
  EXPECT_TRUE(log.events.empty());
  EXPECT_EQ(h.gc().count()[0], 100u);
  EXPECT_EQ(h.live_objects(), 100u);
  // gc.disable(); ...; gc.collect() still collects.
  EXPECT_EQ(h.gc().collect(), 100u);
  EXPECT_EQ(log.events.size(), 2u);
  h.gc().enable();
  EXPECT_TRUE(h.gc().is_enabled());
  std::vector<Ref<N>> keep;  // a freed container takes itself off the count
  for (int i = 0; i < 4; ++i) keep.push_back(h.make<N>());
  EXPECT_EQ(log.events.size(), 4u) << "the 4th allocation over threshold 3 collected";
  // Threshold 0 disables automatic collection too (gc.set_threshold(0)).
  h.gc().set_threshold(0);
  for (int i = 0; i < 50; ++i) keep.push_back(h.make<N>());
  EXPECT_EQ(log.events.size(), 4u);
}

TEST(Collector, FreezeHidesObjectsFromCollectionUntilUnfrozen) {
  // a = N(); a.x = a; gc.freeze(); gc.get_count() -> (0, 0, 0); del a
  // gc.collect() -> 0;  gc.unfreeze(); gc.collect() -> 1;  gc.get_freeze_count() -> 0
  Heap h;
  h.gc().disable();
  auto a = h.make<N>();
  a->x = a;
  auto b = h.make<N>();
  EXPECT_EQ(h.gc().freeze_count(), 0u);
  h.gc().freeze();
  EXPECT_EQ(h.gc().freeze_count(), 2u);
  EXPECT_EQ(h.gc().count()[0], 0u);
  EXPECT_EQ(h.gc().generation_of(a.get()), 3);
  EXPECT_TRUE(h.gc().is_tracked(a.get()));
  EXPECT_TRUE(h.gc().get_objects().empty()) << "get_objects() leaves the permanent generation out";
  EXPECT_EQ(h.gc().tracked_count(), 2u);
  a.reset();
  EXPECT_EQ(h.gc().collect(), 0u);
  EXPECT_EQ(h.live_objects(), 2u);
  // New objects are collectable as usual while others are frozen.
  auto c = h.make<N>();
  c->x = c;
  c.reset();
  EXPECT_EQ(h.gc().collect(), 1u);
  EXPECT_TRUE(h.gc().is_valid(2));
  h.gc().unfreeze();
  EXPECT_EQ(h.gc().freeze_count(), 0u);
  EXPECT_EQ(h.gc().generation_of(b.get()), 2);
  EXPECT_EQ(h.gc().collect(), 1u);
  EXPECT_EQ(h.live_objects(), 1u);
  EXPECT_TRUE(h.gc().is_valid(2));
  // A frozen object dying by refcount leaves the permanent generation consistent.
  h.gc().freeze();
  b.reset();
  EXPECT_EQ(h.gc().freeze_count(), 0u);
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(Collector, CallbacksSeeStartAndStopWithGenerationAndCounts) {
  // log = []; gc.callbacks.append(lambda ph, info: log.append((ph, info['generation'],
  //                                 info['collected'], info['uncollectable'])))
  // a = N(); b = N(); a.x = b; b.x = a; del a, b
  // gc.collect(1) -> 2, log == [('start', 1, 0, 0), ('stop', 1, 2, 0)]
  Heap h;
  h.gc().disable();
  EventLog log;
  log.attach(h);
  auto a = h.make<N>(), b = h.make<N>();
  a->x = b;
  b->x = a;
  a.reset();
  b.reset();
  EXPECT_EQ(h.gc().collect(1), 2u);
  ASSERT_EQ(log.events.size(), 2u);
  EXPECT_EQ(log.events[0].phase, GcPhase::Start);
  EXPECT_EQ(log.events[0].generation, 1);
  EXPECT_EQ(log.events[0].collected, 0u);
  EXPECT_EQ(log.events[0].uncollectable, 0u);
  EXPECT_EQ(log.events[1].phase, GcPhase::Stop);
  EXPECT_EQ(log.events[1].generation, 1);
  EXPECT_EQ(log.events[1].collected, 2u);
  EXPECT_EQ(log.events[1].uncollectable, 0u);
  h.gc().remove_callback(log.id);
  log.heap = nullptr;
  h.gc().collect(0);
  EXPECT_EQ(log.events.size(), 2u);
}

TEST(Collector, CallbackExceptionIsReportedAndCollectionGoesOn) {
  std::vector<std::string> where;
  int seen = 0;
  Heap h;
  h.gc().disable();
  h.set_unraisable_hook([&](const pyheap::UnraisableInfo& i) { where.push_back(i.where); });
  const int thrower = h.gc().add_callback([](GcPhase, const CollectionInfo&) { throw std::runtime_error("cb"); });
  h.gc().add_callback([&](GcPhase, const CollectionInfo&) { ++seen; });
  auto a = h.make<N>();
  a->x = a;
  a.reset();
  EXPECT_EQ(h.gc().collect(), 1u);
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(where, (std::vector<std::string>{"gc callback", "gc callback"}));
  h.gc().remove_callback(thrower);
}

TEST(Collector, CallbackThatCollectsGetsZero) {
  std::vector<std::size_t> nested;
  std::vector<bool> collecting;
  Heap h;
  h.gc().disable();
  h.gc().add_callback([&](GcPhase, const CollectionInfo&) {
    collecting.push_back(h.gc().is_collecting());
    nested.push_back(h.gc().collect());
  });
  auto a = h.make<N>();
  a->x = a;
  a.reset();
  EXPECT_FALSE(h.gc().is_collecting());
  EXPECT_EQ(h.gc().collect(), 1u);
  EXPECT_EQ(nested, (std::vector<std::size_t>{0, 0}));
  EXPECT_EQ(collecting, (std::vector<bool>{true, true}));
  EXPECT_EQ(h.gc().stats()[2].collections, 1u) << "nested requests are not collections";
}

TEST(Collector, StatsAddUpPerGeneration) {
  Heap h;
  h.gc().disable();
  auto garbage = [&](int n) {
    for (int i = 0; i < n; ++i) {
      auto a = h.make<N>();
      a->x = a;
    }
  };
  garbage(3);
  h.gc().collect(0);
  garbage(2);
  h.gc().collect(0);
  garbage(4);
  h.gc().collect(1);
  h.gc().collect(2);
  auto s = h.gc().stats();
  EXPECT_EQ(s[0].collections, 2u);
  EXPECT_EQ(s[0].collected, 5u);
  EXPECT_EQ(s[1].collections, 1u);
  EXPECT_EQ(s[1].collected, 4u);
  EXPECT_EQ(s[2].collections, 1u);
  EXPECT_EQ(s[2].collected, 0u);
  for (auto& g : s) {
    EXPECT_EQ(g.uncollectable, 0u);
    EXPECT_GE(g.seconds, 0.0);
    EXPECT_LE(g.longest, g.seconds);  // one pause, of the collections summed in seconds
    if (g.collections == 1) {
      EXPECT_EQ(g.longest, g.seconds);
    }
  }
}

TEST(Collector, IntrospectionMatchesTheGraph) {
  Heap h;
  h.gc().disable();
  auto a = h.make<N>(), b = h.make<N>(), c = h.make<N>();
  auto atom = h.make<Atom>();
  a->x = b;
  a->y = c;
  c->x = b;
  EXPECT_TRUE(h.gc().is_tracked(a.get()));
  EXPECT_FALSE(h.gc().is_tracked(atom.get()));
  EXPECT_EQ(h.gc().generation_of(atom.get()), -1);
  EXPECT_EQ(h.gc().tracked_count(), 3u);
  EXPECT_EQ(h.gc().get_objects().size(), 3u);
  auto referents = h.gc().get_referents(a.get());
  ASSERT_EQ(referents.size(), 2u);
  EXPECT_EQ(referents[0].get(), b.get());
  EXPECT_EQ(referents[1].get(), c.get());
  EXPECT_TRUE(h.gc().get_referents(atom.get()).empty());
  auto referrers = h.gc().get_referrers(b.get());
  ASSERT_EQ(referrers.size(), 2u);
  EXPECT_TRUE((referrers[0] == a && referrers[1] == c) || (referrers[0] == c && referrers[1] == a));
  EXPECT_TRUE(h.gc().get_referrers(a.get()).empty());
  EXPECT_EQ(b->refcount(), 4u) << "a->x, c->x, b, and the referents list";
  referents.clear();
  referrers.clear();
  EXPECT_EQ(b->refcount(), 3u) << "introspection results hold no counts once dropped";
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(Collector, SaveAllKeepsTheGarbage) {
  // class F:
  //     n = 0
  //     def __del__(self): F.n += 1
  // gc.set_debug(gc.DEBUG_SAVEALL)
  // a = F(); b = F(); a.x = b; b.x = a; del a, b
  // gc.collect() -> 2, len(gc.garbage) == 2, F.n == 2
  // gc.collect() -> 0 (gc.garbage holds them)
  // gc.set_debug(0); del gc.garbage[:]; gc.collect() -> 2, F.n == 2
  struct F : Object {
    Ref<F> x;
    int* finalized = nullptr;
    void trace(Tracer& t) { t(x); }
    void finalize() { ++*finalized; }
  };
  Heap h;
  h.gc().disable();
  int fin = 0;
  auto a = h.make<F>(), b = h.make<F>();
  a->finalized = b->finalized = &fin;
  a->x = b;
  b->x = a;
  F* ra = a.get();
  a.reset();
  b.reset();
  h.gc().set_debug_saveall(true);
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(h.gc().garbage().size(), 2u);
  EXPECT_EQ(fin, 2);
  EXPECT_EQ(h.live_objects(), 2u);
  EXPECT_TRUE(ra->x) << "saved garbage is not cleared";
  EXPECT_TRUE(h.gc().is_valid(2));
  EXPECT_EQ(h.gc().collect(), 0u);
  EXPECT_EQ(h.gc().garbage().size(), 2u);
  h.gc().set_debug_saveall(false);
  h.gc().garbage().clear();
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(fin, 2);
  EXPECT_EQ(h.live_objects(), 0u);
}

namespace {
// Garbage whose finalizer works the heap during the collection: allocates containers (past the
// threshold), drops the last count of an unrelated live object and of another garbage cycle's
// outside holder, and asks for a collection.
struct Busy : Object {
  Ref<Busy> x;
  Heap* heap = nullptr;
  std::vector<Ref<N>>* made = nullptr;
  Ref<N>* drop = nullptr;
  std::size_t* nested = nullptr;
  bool* valid = nullptr;
  void trace(Tracer& t) { t(x); }
  void finalize() {
    for (int i = 0; i < 50; ++i) {
      auto n = heap->make<N>();
      if (i % 2 == 0) n->x = n;  // new garbage: left for a later collection
      else made->push_back(n);
    }
    drop->reset();
    *nested = heap->gc().collect();
    *valid = heap->gc().is_valid(2);
  }
};
}  // namespace

TEST(Collector, FinalizerThatAllocatesDropsAndCollectsDuringACollection) {
  // class C:
  //     def __del__(self): r.append(gc.collect()); junk = [C2() for i in range(1000)]
  // a = C(); a.x = a; del a; gc.collect()  ->  1, r == [0]
  Heap h;
  h.gc().set_threshold(10);
  std::vector<Ref<N>> made;
  Ref<N> droppable = h.make<N>();
  droppable->x = h.make<N>();  // a chain that dies by refcount when dropped
  std::size_t nested = 99;
  bool valid = false;
  {
    auto b = h.make<Busy>();
    b->heap = &h;
    b->made = &made;
    b->drop = &droppable;
    b->nested = &nested;
    b->valid = &valid;
    b->x = b;
  }
  const std::size_t runs_before = h.gc().stats()[2].collections;
  EXPECT_EQ(h.gc().collect(), 1u);
  EXPECT_EQ(nested, 0u);
  EXPECT_TRUE(valid);
  EXPECT_FALSE(droppable);
  EXPECT_EQ(made.size(), 25u);
  EXPECT_EQ(h.gc().stats()[2].collections, runs_before + 1);
  EXPECT_TRUE(h.gc().is_valid(2));
  // The 25 self-cycles made during the collection are found by the next one.
  EXPECT_EQ(h.gc().collect(), 25u);
  made.clear();
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(Collector, FinalizerThatFreesOtherGarbageDuringTheCollection) {
  // Two objects in one garbage cycle; the first finalizer breaks the cycle, so the second dies
  // by refcount in the middle of the collection. Everything still ends up freed exactly once.
  struct Breaker : Object {
    Ref<Breaker> x;
    int* fin = nullptr;
    int* dtor = nullptr;
    ~Breaker() { ++*dtor; }
    void trace(Tracer& t) { t(x); }
    void finalize() {
      ++*fin;
      x.reset();
    }
  };
  Heap h;
  h.gc().disable();
  int fin = 0, dtor = 0;
  auto a = h.make<Breaker>(), b = h.make<Breaker>();
  a->fin = b->fin = &fin;
  a->dtor = b->dtor = &dtor;
  a->x = b;
  b->x = a;
  a.reset();
  b.reset();
  // a's finalizer drops b (count 1 -> 0): b is finalized and destroyed on the spot, and a dies
  // when its finalizer returns; nothing is left for the count (3.11 counts after finalizers).
  //   class B:
  //       def __del__(self): self.x = None
  //   a = B(); b = B(); a.x = b; b.x = a; del a, b; gc.collect()  ->  0, both finalized
  EXPECT_EQ(h.gc().collect(), 0u);
  EXPECT_EQ(fin, 2);
  EXPECT_EQ(dtor, 2);
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(Collector, HeapDestructionCollectsCyclesAndReportsLeaks) {
  std::vector<std::string> where;
  {
    Heap h;
    h.gc().disable();
    h.set_unraisable_hook([&](const pyheap::UnraisableInfo& i) { where.push_back(i.where); });
    auto a = h.make<N>();
    a->x = a;
    a.reset();
    h.gc().freeze();  // frozen garbage is collected at teardown too
  }
  EXPECT_TRUE(where.empty());
  {
    Heap h;
    h.set_unraisable_hook([&](const pyheap::UnraisableInfo& i) { where.push_back(i.where); });
    (void)h.make<Atom>().release();  // a count nobody will ever give back
  }
  EXPECT_EQ(where, (std::vector<std::string>{"heap destruction"}));
}

TEST(Collector, HeapDestructionReleasesSavedGarbage) {
  std::vector<std::string> where;
  int dtors = 0;
  {
    struct D : Object {
      Ref<D> x;
      int* dtors = nullptr;
      ~D() { ++*dtors; }
      void trace(Tracer& t) { t(x); }
    };
    Heap h;
    h.gc().disable();
    h.set_unraisable_hook([&](const pyheap::UnraisableInfo& i) { where.push_back(i.where); });
    h.gc().set_debug_saveall(true);
    auto a = h.make<D>();
    a->dtors = &dtors;
    a->x = a;
    a.reset();
    EXPECT_EQ(h.gc().collect(), 1u);
    EXPECT_EQ(h.gc().garbage().size(), 1u);
    EXPECT_EQ(dtors, 0);
  }
  EXPECT_EQ(dtors, 1);
  EXPECT_TRUE(where.empty());
}

namespace {
// A node of a random graph: records its own destruction by id.
struct G : Object {
  G(int i, std::vector<char>* d) : id(i), dead(d) {}
  ~G() { (*dead)[static_cast<std::size_t>(id)] = 1; }
  void trace(Tracer& t) { t(out); }
  int id;
  std::vector<char>* dead;
  std::vector<Ref<G>> out;
};
}  // namespace

namespace {
void random_graph_walk(bool automatic) {
  // A model of the graph (ids and edges) is kept beside the heap. After every operation the
  // collector's lists must be valid; after every collection no node reachable from a root may
  // be dead, and a full collection must return exactly the number of unreachable nodes that
  // reference counting alone could not free.
  std::uint32_t seed = 12345;
  auto rnd = [&](std::uint32_t n) {
    seed = seed * 1664525u + 1013904223u;
    return (seed >> 8) % n;
  };
  std::vector<char> dead;
  std::size_t counted = 0;
  Heap h;
  if (automatic) {
    h.gc().set_threshold(7, 3, 3);  // collections also start in the middle of the walk
  } else {
    h.gc().disable();
  }
  std::vector<Ref<G>> roots;
  std::vector<G*> nodes;  // every node ever made, by id (only dereferenced while alive)
  auto live_reachable = [&] {
    std::vector<char> seen(nodes.size(), 0);
    std::vector<G*> stack;
    for (auto& r : roots)
      if (r && !seen[r->id]) {
        seen[r->id] = 1;
        stack.push_back(r.get());
      }
    while (!stack.empty()) {
      G* g = stack.back();
      stack.pop_back();
      for (auto& c : g->out)
        if (c && !seen[c->id]) {
          seen[c->id] = 1;
          stack.push_back(c.get());
        }
    }
    return seen;
  };
  for (int step = 0; step < 3000; ++step) {
    const auto op = rnd(20);
    if (op < 5 || roots.empty()) {  // new node, held as a root or by a root
      dead.push_back(0);
      auto g = h.make<G>(static_cast<int>(nodes.size()), &dead);
      nodes.push_back(g.get());
      if (roots.size() > 4 && rnd(2)) {
        roots[rnd(static_cast<std::uint32_t>(roots.size()))]->out.push_back(std::move(g));
      } else {
        roots.push_back(std::move(g));
      }
    } else if (op < 11) {  // edge between two live nodes reachable from roots
      auto reach = live_reachable();
      std::vector<G*> alive;
      for (std::size_t i = 0; i < nodes.size(); ++i)
        if (reach[i]) alive.push_back(nodes[i]);
      G* from = alive[rnd(static_cast<std::uint32_t>(alive.size()))];
      G* to = alive[rnd(static_cast<std::uint32_t>(alive.size()))];
      from->out.push_back(Ref<G>::borrow(to));
    } else if (op < 15) {  // drop a root
      roots.erase(roots.begin() + rnd(static_cast<std::uint32_t>(roots.size())));
    } else if (op < 18) {  // drop an edge
      G* g = roots[rnd(static_cast<std::uint32_t>(roots.size()))].get();
      if (!g->out.empty()) g->out.erase(g->out.begin() + rnd(static_cast<std::uint32_t>(g->out.size())));
    } else {
      const int gen = static_cast<int>(rnd(3));
      std::size_t dead_before = 0;
      for (char d : dead) dead_before += d;
      auto reach = live_reachable();
      std::size_t garbage = 0;
      for (std::size_t i = 0; i < nodes.size(); ++i) garbage += !reach[i] && !dead[i];
      const std::size_t n = h.gc().collect(gen);
      std::size_t dead_after = 0;
      for (char d : dead) dead_after += d;
      if (gen == 2) {
        ASSERT_EQ(n, garbage) << "step " << step;
        ASSERT_EQ(dead_after - dead_before, n) << "a full collection frees what it counts";
      } else {
        // Older garbage that only young garbage held dies by refcount, uncounted (as in CPython).
        ASSERT_LE(n, garbage) << "step " << step;
        ASSERT_GE(dead_after - dead_before, n) << "step " << step;
      }
      counted += n;
    }
    auto reach = live_reachable();
    for (std::size_t i = 0; i < nodes.size(); ++i) ASSERT_FALSE(reach[i] && dead[i]) << "step " << step;
    ASSERT_TRUE(h.gc().is_valid(2)) << "step " << step;
  }
  if (!automatic) {
    EXPECT_GT(counted, 100u) << "the walk must produce real cyclic garbage to be a test";
  }
  roots.clear();
  h.gc().collect();
  EXPECT_EQ(h.live_objects(), 0u);
}
}  // namespace

TEST(Collector, RandomGraphsLoseExactlyTheirUnreachableNodes) { random_graph_walk(false); }
TEST(Collector, RandomGraphsWithAutomaticCollections) { random_graph_walk(true); }
