// Tuple: inline items, release order, CPython 3.11's tracking rule and collect() counts.
// Every expected collect() value and is_tracked() answer was checked in python3.11 after
//   import gc; gc.disable(); gc.collect()
// (tuple([1, 2]) rather than the literal (1, 2): a literal is a compile-time constant, created
// before the snippet runs.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pyheap/float.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/int.hpp"
#include "pyheap/list.hpp"
#include "pyheap/size.hpp"
#include "pyheap/str.hpp"
#include "pyheap/tuple.hpp"

#include "container_test_support.hpp"

using pyheap::Float;
using pyheap::Heap;
using pyheap::Int;
using pyheap::List;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Str;
using pyheap::Tuple;

namespace {

using pyheap::testing::held;

// An atom that records when it dies.
struct Tag : Object {
  Tag(int i, std::vector<int>* l) : id(i), log(l) {}
  ~Tag() { log->push_back(id); }
  int id;
  std::vector<int>* log;
};

Ref<Object> num(Heap& h, std::int64_t v) { return Int::make(h, v); }

TEST(TupleTest, ItemsAreInlineAndCounted) {
  Heap heap;
  Ref<Object> a = num(heap, 1000);
  Ref<Object> s = Str::make(heap, "x");
  const auto before = held(heap);
  Ref<Tuple> t = Tuple::make(heap, {a, s, a});
  EXPECT_EQ(t->size(), 3u);
  EXPECT_EQ(t->at(0).get(), a.get());
  EXPECT_EQ((*t)[1].get(), s.get());
  EXPECT_THROW((void)t->at(3), std::out_of_range);
  EXPECT_EQ(a->refcount(), 3u);
  int n = 0;
  for (const Ref<Object>& item : *t) n += item ? 1 : 0;
  EXPECT_EQ(n, 3);
  // 8 (collector word) + 16 + 3 * 8: CPython's (1, 2, 3) takes 64.
  EXPECT_EQ(sizeof(Tuple), 16u);
  EXPECT_EQ(pyheap::getsizeof(t), 48u);
  EXPECT_EQ(held(heap) - before, 48u);
  t.reset();
  EXPECT_EQ(a->refcount(), 1u);
  EXPECT_EQ(held(heap), before);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(TupleTest, NullItemsAreRejected) {
  Heap heap;
  Ref<Object> a = num(heap, 1000);
  EXPECT_THROW(Tuple::make(heap, {a, Ref<Object>()}), std::invalid_argument);
  EXPECT_EQ(a->refcount(), 1u);
  EXPECT_EQ(heap.live_objects(), 1u);
}

TEST(TupleTest, EmptyTupleIsSharedImmortalAndUntracked) {
  // python3.11: gc.is_tracked(()) -> False; () is () -> True; sys.getsizeof(()) -> 40
  Heap heap;
  Ref<Tuple> e = Tuple::make(heap, {});
  EXPECT_EQ(e.get(), Tuple::make(heap, {}).get());
  EXPECT_TRUE(e->empty());
  EXPECT_TRUE(e->is_immortal());
  EXPECT_FALSE(heap.gc().is_tracked(e.get()));
  EXPECT_EQ(pyheap::getsizeof(e), 32u);  // 8 + 16 rounded up to the 32-byte class
  Heap other;
  EXPECT_NE(Tuple::make(other, {}).get(), e.get());
}

TEST(TupleTest, ItemsAreReleasedLastToFirst) {
  std::vector<int> log;
  {
    Heap heap;
    Ref<Tuple> t = Tuple::make(heap, {heap.make<Tag>(1, &log), heap.make<Tag>(2, &log), heap.make<Tag>(3, &log)});
    EXPECT_TRUE(log.empty());
  }
  EXPECT_EQ(log, (std::vector<int>{3, 2, 1}));
}

TEST(TupleTest, UntrackedByACollectionOnlyWhenItHoldsNoContainer) {
  // x = tuple([1, 'a', 2.0]); gc.is_tracked(x) -> True; gc.collect(0); gc.is_tracked(x) -> False
  // y = ([],); gc.collect(); gc.is_tracked(y) -> True
  Heap heap;
  heap.gc().disable();
  Ref<Tuple> x = Tuple::make(heap, {num(heap, 1), Str::make(heap, "a"), Float::make(heap, 2.0)});
  Ref<Tuple> y = Tuple::make(heap, {List::make(heap)});
  EXPECT_TRUE(heap.gc().is_tracked(x.get()));
  EXPECT_TRUE(heap.gc().is_tracked(y.get()));
  EXPECT_EQ(heap.gc().collect(0), 0u);
  EXPECT_FALSE(heap.gc().is_tracked(x.get()));
  EXPECT_TRUE(heap.gc().is_tracked(y.get()));
  EXPECT_EQ(heap.gc().collect(), 0u);
  EXPECT_TRUE(heap.gc().is_tracked(y.get()));
  EXPECT_EQ(heap.gc().generation_of(y.get()), 2);
  EXPECT_TRUE(heap.gc().is_valid(2));
  // Untracked, it still owns its items.
  EXPECT_EQ(x->at(1)->refcount(), 1u);
  x.reset();
  y.reset();
  EXPECT_EQ(heap.live_objects(), 1u);  // the immortal small int 1
}

TEST(TupleTest, NestedTuplesOfAtomsLeaveTogether) {
  // inner = tuple([1]); outer = (inner, 'a'); gc.collect()
  // (gc.is_tracked(inner), gc.is_tracked(outer)) -> (False, False)
  // l = [outer]; l.append(l); del l, inner, outer; gc.collect() -> 1
  Heap heap;
  heap.gc().disable();
  Ref<Tuple> inner = Tuple::make(heap, {num(heap, 1)});
  Ref<Tuple> outer = Tuple::make(heap, {inner, Str::make(heap, "a")});
  heap.gc().collect();
  EXPECT_FALSE(heap.gc().is_tracked(inner.get()));
  EXPECT_FALSE(heap.gc().is_tracked(outer.get()));
  Ref<List> l = List::make(heap, {outer});
  l->append(l);
  l.reset();
  inner.reset();
  outer.reset();
  EXPECT_EQ(heap.gc().collect(), 1u);
  EXPECT_EQ(heap.live_objects(), 1u);
}

TEST(TupleTest, TupleHoldingAListStaysTracked) {
  // l = []; inner = (l,); outer = (inner, 5); gc.collect()
  // (gc.is_tracked(inner), gc.is_tracked(outer)) -> (True, True)
  // l.append(outer); del l, inner, outer; gc.collect() -> 3
  Heap heap;
  heap.gc().disable();
  Ref<List> l = List::make(heap);
  Ref<Tuple> inner = Tuple::make(heap, {l});
  Ref<Tuple> outer = Tuple::make(heap, {inner, num(heap, 5)});
  heap.gc().collect();
  EXPECT_TRUE(heap.gc().is_tracked(inner.get()));
  EXPECT_TRUE(heap.gc().is_tracked(outer.get()));
  l->append(outer);
  l.reset();
  inner.reset();
  outer.reset();
  EXPECT_EQ(heap.gc().collect(), 3u);
  EXPECT_EQ(heap.live_objects(), 1u);
}

TEST(TupleTest, CycleThroughATupleIsCollected) {
  // a = []; t = (a, 1); a.append(t); del a, t; gc.collect() -> 2
  Heap heap;
  heap.gc().disable();
  Ref<List> a = List::make(heap);
  Ref<Tuple> t = Tuple::make(heap, {a, num(heap, 1)});
  a->append(t);
  a.reset();
  t.reset();
  EXPECT_EQ(heap.live_objects(), 3u);
  EXPECT_EQ(heap.gc().collect(), 2u);
  EXPECT_EQ(heap.live_objects(), 1u);
}

TEST(TupleTest, TupleOfListsInACycle) {
  // l = []; t = (l,); l.append(t); del l, t; gc.collect() -> 2
  // a = []; b = []; t = (a, b); a.append(t); b.append(t); del a, b, t; gc.collect() -> 3
  Heap heap;
  heap.gc().disable();
  {
    Ref<List> l = List::make(heap);
    l->append(Tuple::make(heap, {l}));
  }
  EXPECT_EQ(heap.gc().collect(), 2u);
  {
    Ref<List> a = List::make(heap);
    Ref<List> b = List::make(heap);
    Ref<Tuple> t = Tuple::make(heap, {a, b});
    a->append(t);
    b->append(t);
  }
  EXPECT_EQ(heap.gc().collect(), 3u);
  EXPECT_EQ(heap.live_objects(), 0u);
}

TEST(TupleTest, FreshAtomTupleInGarbageIsCountedAsCPythonCountsIt) {
  // a = []; a.append(tuple([1, 2])); a.append(a); del a; gc.collect() -> 2
  // l = []; inner = tuple([1]); outer = (inner, 'a'); l.append(outer); l.append(l)
  // del l, inner, outer; gc.collect() -> 3
  Heap heap;
  heap.gc().disable();
  {
    Ref<List> a = List::make(heap);
    a->append(Tuple::make(heap, {num(heap, 1), num(heap, 2)}));
    a->append(a);
  }
  EXPECT_EQ(heap.gc().collect(), 2u);
  {
    Ref<List> l = List::make(heap);
    Ref<Tuple> inner = Tuple::make(heap, {num(heap, 1)});
    l->append(Tuple::make(heap, {inner, Str::make(heap, "a")}));
    l->append(l);
  }
  EXPECT_EQ(heap.gc().collect(), 3u);
}

TEST(TupleTest, AtomTupleThatSurvivedACollectionIsNotCounted) {
  // t = tuple([1, 2]); gc.collect(); a = [t]; a.append(a); del a, t; gc.collect() -> 1
  Heap heap;
  heap.gc().disable();
  Ref<Tuple> t = Tuple::make(heap, {num(heap, 1), num(heap, 2)});
  EXPECT_EQ(heap.gc().collect(), 0u);
  {
    Ref<List> a = List::make(heap, {t});
    a->append(a);
  }
  t.reset();
  EXPECT_EQ(heap.gc().collect(), 1u);
  EXPECT_EQ(heap.live_objects(), 2u);  // the two immortal small ints
}

TEST(TupleTest, GarbageTupleKeepsItsItemsWhileTheCollectorClears) {
  // A tuple has no clear step: the list's clear alone breaks the cycle, and a finalizer that
  // runs while the garbage is torn apart still sees every item of the tuple.
  struct Watcher : Object {
    Ref<Tuple> t;
    std::size_t* seen;
    explicit Watcher(std::size_t* s) : seen(s) {}
    ~Watcher() {
      for (const auto& item : *t) *seen += item ? 1 : 0;
    }
    void trace(pyheap::Tracer& tr) {
      if (tr.mode() == pyheap::Tracer::Mode::Visit) tr(t);  // keeps t until it dies
    }
  };
  Heap heap;
  heap.gc().disable();
  std::size_t seen = 0;
  {
    Ref<List> l = List::make(heap);
    Ref<Tuple> t = Tuple::make(heap, {l, num(heap, 7)});
    Ref<Watcher> w = heap.make<Watcher>(&seen);
    w->t = t;
    l->append(w);
  }
  EXPECT_EQ(heap.gc().collect(), 3u);
  EXPECT_EQ(seen, 2u);
  EXPECT_EQ(heap.live_objects(), 1u);
  // The clear hook itself leaves a tuple as it is.
  Ref<Tuple> t = Tuple::make(heap, {List::make(heap), num(heap, 7)});
  pyheap::Tracer clear(pyheap::Tracer::Mode::Clear, nullptr, nullptr);
  pyheap::type_of(*t).trace(t.get(), clear);
  EXPECT_TRUE(t->at(0) && t->at(1));
}

}  // namespace
