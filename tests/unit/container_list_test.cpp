// List: growth policy (capacities equal CPython 3.11's), release order, collector counts.
// Expected values were checked in python3.11 after
//   import gc, sys; gc.disable(); gc.collect()
// with capacities read as (sys.getsizeof(l) - 56) // 8.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <utility>
#include <vector>

#include "pyheap/float.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/int.hpp"
#include "pyheap/list.hpp"
#include "pyheap/size.hpp"
#include "pyheap/str.hpp"
#include "pyheap/weakref.hpp"

#include "container_test_support.hpp"

using pyheap::Float;
using pyheap::Heap;
using pyheap::Int;
using pyheap::List;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Str;

namespace {

using pyheap::testing::held;
using pyheap::testing::Probe;

Ref<Object> num(Heap& h, std::int64_t v) { return Int::make(h, v); }

TEST(ListTest, AppendInsertSetPop) {
  Heap heap;
  Ref<List> l = List::make(heap);
  EXPECT_TRUE(l->empty());
  EXPECT_EQ(l->capacity(), 0u);
  for (int i = 0; i < 5; ++i) l->append(num(heap, i));
  l->insert(0, num(heap, -1));
  l->insert(3, num(heap, 100));
  l->insert(l->size(), num(heap, 200));
  EXPECT_THROW(l->insert(l->size() + 1, num(heap, 0)), std::out_of_range);
  std::vector<std::int64_t> got;
  for (const auto& item : *l) got.push_back(static_cast<Int*>(item.get())->value());
  EXPECT_EQ(got, (std::vector<std::int64_t>{-1, 0, 1, 100, 2, 3, 4, 200}));
  l->set(0, num(heap, 42));
  EXPECT_EQ(static_cast<Int*>(l->at(0).get())->value(), 42);
  EXPECT_EQ(static_cast<Int*>(l->pop().get())->value(), 200);
  EXPECT_EQ(static_cast<Int*>(l->pop(3).get())->value(), 100);
  EXPECT_EQ(static_cast<Int*>(l->at(3).get())->value(), 2);
  EXPECT_EQ(l->size(), 6u);
  EXPECT_THROW((void)l->at(6), std::out_of_range);
  EXPECT_THROW(l->set(6, num(heap, 0)), std::out_of_range);
  EXPECT_THROW(l->pop(6), std::out_of_range);
  EXPECT_THROW(l->append(Ref<Object>()), std::invalid_argument);
  EXPECT_THROW(l->set(0, Ref<Object>()), std::invalid_argument);
  EXPECT_EQ(l->size(), 6u);
  l->clear();
  EXPECT_TRUE(l->empty());
  EXPECT_EQ(l->capacity(), 0u);
  EXPECT_THROW(l->pop(), std::out_of_range);
}

TEST(ListTest, GrowthMatchesCPython) {
  // l = []; caps = set()
  // for i in range(100): l.append(i); caps.add((sys.getsizeof(l) - 56) // 8)
  // sorted(caps) -> [4, 8, 16, 24, 32, 40, 52, 64, 76, 92, 108]
  Heap heap;
  Ref<List> l = List::make(heap);
  std::set<std::size_t> caps;
  for (int i = 0; i < 100; ++i) {
    l->append(num(heap, i));
    caps.insert(l->capacity());
  }
  EXPECT_EQ(caps, (std::set<std::size_t>{4, 8, 16, 24, 32, 40, 52, 64, 76, 92, 108}));
}

TEST(ListTest, ShrinkMatchesCPython) {
  // l = list(range(100)); while l: l.pop(); record capacity
  // -> 100 x50, 60 x20, 36 x12, 24 x6, 16 x4, 12 x2, 8 x4, 4, 0
  Heap heap;
  std::vector<Ref<Object>> items;
  for (int i = 0; i < 100; ++i) items.push_back(num(heap, i));
  Ref<List> l = List::make(heap, items);
  EXPECT_EQ(l->capacity(), 100u);
  std::vector<std::size_t> got;
  while (!l->empty()) {
    l->pop();
    got.push_back(l->capacity());
  }
  std::vector<std::size_t> want;
  for (auto [cap, times] : std::vector<std::pair<std::size_t, int>>{
           {100, 50}, {60, 20}, {36, 12}, {24, 6}, {16, 4}, {12, 2}, {8, 4}, {4, 1}, {0, 1}}) {
    want.insert(want.end(), times, cap);
  }
  EXPECT_EQ(got, want);
}

TEST(ListTest, ExtendMatchesCPython) {
  // l = [1]; l.extend(range(20)); (sys.getsizeof(l) - 56) // 8 -> 24
  Heap heap;
  Ref<List> l = List::make(heap, {num(heap, 1)});
  std::vector<Ref<Object>> more;
  for (int i = 0; i < 20; ++i) more.push_back(num(heap, i));
  l->extend(more);
  EXPECT_EQ(l->size(), 21u);
  EXPECT_EQ(l->capacity(), 24u);
  // Extending a list with itself: its own items are copied before the array moves.
  l->extend(std::span<const Ref<Object>>(l->begin(), l->size()));
  EXPECT_EQ(l->size(), 42u);
  EXPECT_EQ(l->at(21).get(), l->at(0).get());
  EXPECT_EQ(l->at(41).get(), l->at(20).get());
  EXPECT_EQ(List::grown_capacity(0, 0, 1), 4u);
}

TEST(ListTest, SizesFollowTheAllocator) {
  // sys.getsizeof([]) -> 56; sys.getsizeof([0] * 10) -> 136; after 10 appends -> 184
  Heap heap;
  std::vector<Ref<Object>> ten;
  for (int i = 0; i < 10; ++i) ten.push_back(num(heap, i));
  const auto base = held(heap);
  Ref<List> l = List::make(heap);
  EXPECT_EQ(sizeof(List), 24u);
  EXPECT_EQ(pyheap::getsizeof(l), 32u);
  EXPECT_EQ(held(heap) - base, 32u);
  Ref<List> exact = List::make(heap, ten);
  EXPECT_EQ(pyheap::getsizeof(exact), 32u + 80u);
  for (const auto& item : ten) l->append(item);
  EXPECT_EQ(l->capacity(), 16u);
  EXPECT_EQ(pyheap::getsizeof(l), 32u + 128u);
  EXPECT_EQ(held(heap) - base, pyheap::getsizeof(l) + pyheap::getsizeof(exact));
  exact.reset();
  // Through the small classes into malloc'd arrays (over 64 items) and back down.
  for (int i = 0; i < 300; ++i) {
    l->append(ten[static_cast<std::size_t>(i) % 10]);
    ASSERT_EQ(held(heap) - base, pyheap::getsizeof(l)) << i;
  }
  EXPECT_GT(heap.allocator().stats().large_count, 0u);
  while (!l->empty()) {
    l->pop();
    ASSERT_EQ(held(heap) - base, pyheap::getsizeof(l)) << l->size();
  }
  EXPECT_EQ(pyheap::getsizeof(l), 32u);
  l.reset();
  EXPECT_EQ(held(heap), base);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(ListTest, SetStoresBeforeReleasing) {
  Heap heap;
  Ref<List> l = List::make(heap);
  Ref<Object> replacement = num(heap, 1000);
  Object* seen = nullptr;
  l->append(heap.make<Probe>([&] { seen = l->at(0).get(); }));
  l->set(0, replacement);
  EXPECT_EQ(seen, replacement.get());
}

TEST(ListTest, ClearEmptiesFirstThenReleasesLastToFirst) {
  Heap heap;
  Ref<List> l = List::make(heap);
  std::vector<int> order;
  std::vector<std::size_t> sizes;
  for (int i = 0; i < 3; ++i) {
    l->append(heap.make<Probe>([&, i] {
      order.push_back(i);
      sizes.push_back(l->size());
      if (i == 0) l->append(num(heap, 5));  // a release may even modify the list
    }));
  }
  l->clear();
  EXPECT_EQ(order, (std::vector<int>{2, 1, 0}));
  EXPECT_EQ(sizes, (std::vector<std::size_t>{0, 0, 0}));
  ASSERT_EQ(l->size(), 1u);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(ListTest, DestructionReleasesLastToFirst) {
  std::vector<int> order;
  {
    Heap heap;
    Ref<List> l = List::make(heap);
    for (int i = 0; i < 4; ++i) l->append(heap.make<Probe>([&order, i] { order.push_back(i); }));
  }
  EXPECT_EQ(order, (std::vector<int>{3, 2, 1, 0}));
}

TEST(ListTest, SelfReferenceIsCollected) {
  // a = []; a.append(a); del a; gc.collect() -> 1
  // a = []; a.append(a); gc.collect() -> 0; del a; gc.collect() -> 1
  Heap heap;
  heap.gc().disable();
  {
    Ref<List> a = List::make(heap);
    a->append(a);
  }
  EXPECT_EQ(heap.live_objects(), 1u);
  EXPECT_EQ(heap.gc().collect(), 1u);
  EXPECT_EQ(heap.live_objects(), 0u);
  Ref<List> a = List::make(heap);
  a->append(a);
  EXPECT_EQ(heap.gc().collect(), 0u);
  EXPECT_EQ(heap.gc().generation_of(a.get()), 2);
  a.reset();
  EXPECT_EQ(heap.gc().collect(), 1u);
  EXPECT_EQ(heap.live_objects(), 0u);
}

TEST(ListTest, TwoListsWithAtomsAreCollectedAtomsAreNotCounted) {
  // a = ['x']; b = [a, 'y', 3.5]; a.append(b); del a, b; gc.collect() -> 2
  Heap heap;
  heap.gc().disable();
  {
    Ref<List> a = List::make(heap, {Str::make(heap, "x")});
    Ref<List> b = List::make(heap, {a, Str::make(heap, "y"), Float::make(heap, 3.5)});
    a->append(b);
  }
  EXPECT_EQ(heap.live_objects(), 5u);
  EXPECT_EQ(heap.gc().collect(), 2u);
  EXPECT_EQ(heap.live_objects(), 0u);
  EXPECT_TRUE(heap.gc().is_valid(2));
}

TEST(ListTest, ReachableListsSurviveAndWeakRefsToGarbageAreCleared) {
  // keep = []; a = []; b = [a]; a.append(b); keep.append(a); del a, b; gc.collect() -> 0
  // keep.clear(); gc.collect() -> 2
  // (CPython lists take no weak references; the weak reference object here is reachable, so it
  // is not part of the garbage and does not change the count.)
  Heap heap;
  heap.gc().disable();
  Ref<List> keep = List::make(heap);
  pyheap::WeakRef<List> w;
  {
    Ref<List> a = List::make(heap);
    Ref<List> b = List::make(heap, {a});
    a->append(b);
    keep->append(a);
    w = pyheap::WeakRef<List>(b);
  }
  EXPECT_EQ(heap.gc().collect(), 0u);
  EXPECT_FALSE(w.expired());
  keep->clear();
  EXPECT_EQ(heap.gc().collect(), 2u);
  EXPECT_TRUE(w.expired());
}

TEST(ListTest, AutomaticCollectionCountsListsAsContainers) {
  Heap heap;
  heap.gc().set_threshold(10);
  for (int i = 0; i < 50; ++i) {
    Ref<List> a = List::make(heap);
    a->append(a);
  }
  EXPECT_LT(heap.live_objects(), 50u);  // collections ran on their own
  EXPECT_GT(heap.gc().stats()[0].collected, 0u);
}

}  // namespace
