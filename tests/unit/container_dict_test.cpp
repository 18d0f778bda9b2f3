// Dict: compact ordered table, Python's numeric keys, CPython 3.11's tracking and collect() counts.
// Expected values were checked in python3.11 after
//   import gc, sys; gc.disable(); gc.collect()
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "pyheap/dict.hpp"
#include "pyheap/float.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/int.hpp"
#include "pyheap/list.hpp"
#include "pyheap/size.hpp"
#include "pyheap/str.hpp"
#include "pyheap/tuple.hpp"

#include "container_test_support.hpp"

using pyheap::Dict;
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
using pyheap::testing::Probe;

std::int64_t ival(const Ref<Object>& o) { return static_cast<Int*>(o.get())->value(); }

TEST(DictTest, SetGetEraseKeepInsertionOrder) {
  Heap heap;
  Ref<Dict> d = Dict::make(heap);
  EXPECT_TRUE(d->empty());
  EXPECT_EQ(d->table_slots(), 0u);
  EXPECT_EQ(pyheap::getsizeof(d), 32u);  // owns no table yet (CPython's {}: 64)
  for (int i = 0; i < 10; ++i) d->set(Str::make(heap, std::string(1, 'k').append(std::to_string(i))), Int::make(heap, i));
  EXPECT_EQ(d->size(), 10u);
  EXPECT_EQ(ival(d->get(Str::make(heap, "k7").get())), 7);
  EXPECT_FALSE(d->get(Str::make(heap, "nope").get()));
  EXPECT_TRUE(d->erase(Str::make(heap, "k3").get()));
  EXPECT_FALSE(d->erase(Str::make(heap, "k3").get()));
  EXPECT_FALSE(d->contains(Str::make(heap, "k3").get()));
  d->set(Str::make(heap, "k3"), Int::make(heap, 33));  // goes to the end, as in Python
  d->set(Str::make(heap, "k0"), Int::make(heap, 100));  // replaces in place
  std::vector<std::string> keys;
  std::vector<std::int64_t> values;
  for (const Dict::Entry& e : *d) {
    keys.push_back(static_cast<Str*>(e.key.get())->utf8());
    values.push_back(ival(e.value));
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"k0", "k1", "k2", "k4", "k5", "k6", "k7", "k8", "k9", "k3"}));
  EXPECT_EQ(values, (std::vector<std::int64_t>{100, 1, 2, 4, 5, 6, 7, 8, 9, 33}));
  EXPECT_THROW(d->set(Ref<Object>(), Int::make(heap, 1)), std::invalid_argument);
  EXPECT_THROW(d->set(Int::make(heap, 1), Ref<Object>()), std::invalid_argument);
  d->clear();
  EXPECT_TRUE(d->empty());
  EXPECT_EQ(d->begin(), d->end());
}

TEST(DictTest, NumericHashIsPythons) {
  // [hash(x) for x in [1.5, -1, -1.0, 2**61-1, 2**62, 1e300, -0.5, float('inf'), float('-inf'),
  //                    2**63-1, -2**63, 1e-300, 5e-324, 0.1, 123456789.125, -2.0**70]]
  Heap heap;
  auto h = [](const Ref<Object>& o) { return Dict::hash_of(o.get()); };
  auto f = [&](double v) { return h(Float::make(heap, v)); };
  auto i = [&](std::int64_t v) { return h(Int::make(heap, v)); };
  EXPECT_EQ(f(1.5), 1152921504606846977);
  EXPECT_EQ(i(-1), -2);
  EXPECT_EQ(f(-1.0), -2);
  EXPECT_EQ(i((std::int64_t{1} << 61) - 1), 0);
  EXPECT_EQ(i(std::int64_t{1} << 62), 2);
  EXPECT_EQ(f(1e300), 1224995262755759164);
  EXPECT_EQ(f(-0.5), -1152921504606846976);
  EXPECT_EQ(f(std::numeric_limits<double>::infinity()), 314159);
  EXPECT_EQ(f(-std::numeric_limits<double>::infinity()), -314159);
  EXPECT_EQ(i(std::numeric_limits<std::int64_t>::max()), 3);
  EXPECT_EQ(i(std::numeric_limits<std::int64_t>::min()), -4);
  EXPECT_EQ(f(1e-300), 482449582752280463);
  EXPECT_EQ(f(5e-324), 16777216);
  EXPECT_EQ(f(0.1), 230584300921369408);
  EXPECT_EQ(f(123456789.125), 288230376275168533);
  EXPECT_EQ(f(-std::ldexp(1.0, 70)), -512);
  EXPECT_EQ(f(12345.0), i(12345));
}

TEST(DictTest, EqualNumbersAreOneKeyAndTheFirstKeyStays) {
  // d = {1: 'a'}; d[1.0] = 'b'; list(d.items()) -> [(1, 'b')], type(list(d)[0]) -> int
  Heap heap;
  Ref<Dict> d = Dict::make(heap);
  Ref<Object> one = Int::make(heap, 1);
  d->set(one, Str::make(heap, "a"));
  d->set(Float::make(heap, 1.0), Str::make(heap, "b"));
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ(d->begin()->key.get(), one.get());
  EXPECT_TRUE(static_cast<Str*>(d->begin()->value.get())->equals("b"));
  EXPECT_TRUE(d->contains(Float::make(heap, 1.0).get()));
  EXPECT_FALSE(d->contains(Float::make(heap, 1.5).get()));
  EXPECT_FALSE(d->contains(Str::make(heap, "1").get()));
  // Big integers that a double cannot hold exactly are not equal to the nearest double.
  EXPECT_FALSE(Dict::keys_equal(Int::make(heap, (std::int64_t{1} << 53) + 1).get(),
                                Float::make(heap, std::ldexp(1.0, 53)).get()));
  EXPECT_FALSE(Dict::keys_equal(Int::make(heap, std::numeric_limits<std::int64_t>::max()).get(),
                                Float::make(heap, std::ldexp(1.0, 63)).get()));
  // NaN is only its own key.
  Ref<Object> nan = Float::make(heap, std::nan(""));
  d->set(nan, Int::make(heap, 9));
  EXPECT_TRUE(d->contains(nan.get()));
  EXPECT_FALSE(d->contains(Float::make(heap, std::nan("")).get()));
  // Other objects are keys by identity.
  Ref<Object> l1 = List::make(heap);
  d->set(l1, Int::make(heap, 1));
  EXPECT_TRUE(d->contains(l1.get()));
  EXPECT_FALSE(d->contains(List::make(heap).get()));
}

TEST(DictTest, TableGrowsAsCPythonsDoes) {
  // d = {}; for i in range(100): d[i] = i  -- sys.getsizeof(d) jumps at 1, 6, 11, 22, 43, 86
  Heap heap;
  std::vector<Ref<Object>> ints;
  for (int i = 0; i < 100; ++i) ints.push_back(Int::make(heap, i));
  Ref<Dict> d = Dict::make(heap);
  const auto base = held(heap) - pyheap::getsizeof(d);
  std::vector<std::size_t> jumps;
  std::size_t slots = 0;
  for (int i = 0; i < 100; ++i) {
    d->set(ints[static_cast<std::size_t>(i)], ints[static_cast<std::size_t>(i)]);
    if (d->table_slots() != slots) {
      jumps.push_back(static_cast<std::size_t>(i) + 1);
      slots = d->table_slots();
    }
    ASSERT_EQ(held(heap) - base, pyheap::getsizeof(d)) << i;
  }
  EXPECT_EQ(jumps, (std::vector<std::size_t>{1, 6, 11, 22, 43, 86}));
  EXPECT_EQ(slots, 256u);
  // 8 slots: 8-byte table header + 8 one-byte indices + 5 entries of 24 bytes = 136 -> 144.
  Ref<Dict> small = Dict::make(heap);
  small->set(ints[1], ints[2]);
  EXPECT_EQ(pyheap::getsizeof(small), 32u + 144u);  // CPython's {1: 2}: 224
  d.reset();
  small.reset();
  EXPECT_EQ(held(heap), base);
}

TEST(DictTest, ManyKeysWideIndicesAndChurn) {
  Heap heap;
  const auto base = held(heap);
  {
    Ref<Dict> d = Dict::make(heap);
    // No value in the small-int cache: every object here is freed with the dict.
    auto key = [&](int i) { return Int::make(heap, 1000 + std::int64_t{i} * 7919); };
    for (int i = 0; i < 5000; ++i) d->set(key(i), Int::make(heap, 1000 + i));
    EXPECT_EQ(d->size(), 5000u);
    EXPECT_EQ(d->table_slots(), 8192u);  // 2-byte indices
    for (int i = 0; i < 5000; i += 2) ASSERT_TRUE(d->erase(key(i).get()));
    for (int i = 0; i < 5000; ++i) {
      Ref<Object> v = d->get(key(i).get());
      ASSERT_EQ(static_cast<bool>(v), i % 2 == 1) << i;
      if (v) {
        ASSERT_EQ(ival(v), 1000 + i);
      }
    }
    // Deleting and inserting new keys forever does not grow the table forever.
    const std::size_t slots = d->table_slots();
    for (int round = 0; round < 20000; ++round) {
      d->set(Int::make(heap, -1000 - round), Int::make(heap, 1000 + round));
      ASSERT_TRUE(d->erase(Int::make(heap, -1000 - round).get()));
    }
    EXPECT_LE(d->table_slots(), slots);
    EXPECT_EQ(d->size(), 2500u);
    EXPECT_EQ(pyheap::deep_size(d), held(heap) - base);
  }
  EXPECT_EQ(held(heap), base);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(DictTest, ReleasesHappenAfterTheDictIsConsistent) {
  Heap heap;
  Ref<Dict> d = Dict::make(heap);
  Ref<Object> k = Str::make(heap, "k");
  std::vector<std::string> log;
  d->set(k, heap.make<Probe>([&] { log.push_back("old value, now " + std::to_string(ival(d->get(k.get())))); }));
  d->set(k, Int::make(heap, 5));
  d->set(Str::make(heap, "gone"), heap.make<Probe>([&] { log.push_back("erased, size " + std::to_string(d->size())); }));
  EXPECT_TRUE(d->erase(Str::make(heap, "gone").get()));
  d->set(Str::make(heap, "a"), heap.make<Probe>([&] {
    log.push_back("cleared, size " + std::to_string(d->size()));
    d->set(Str::make(heap, "again"), Int::make(heap, 1));  // a release may modify the dict
  }));
  d->clear();
  EXPECT_EQ(log, (std::vector<std::string>{"old value, now 5", "erased, size 1", "cleared, size 0"}));
  EXPECT_EQ(d->size(), 1u);
}

TEST(DictTest, TrackedOnlyWhileItMayHoldACycle) {
  // d = {}; gc.is_tracked(d) -> False; d[1] = 'a' -> False; d['x'] = [] -> True
  // d = {1: tuple([2])}; True; gc.collect(0) -> still True; gc.collect() -> False
  // d = {'a': 1}; d['b'] = []; del d['b']; True; gc.collect(0) True; gc.collect(1) True;
  //   gc.collect() -> False
  // l = []; d = {'k': l}; t = (d,); gc.collect(); gc.is_tracked(t), gc.is_tracked(d) -> True, True
  // d = {1: 'a'}; t = (d,); gc.collect(); gc.is_tracked(t), gc.is_tracked(d) -> True, False
  Heap heap;
  heap.gc().disable();
  auto tracked = [&](const auto& r) { return heap.gc().is_tracked(r.get()); };
  Ref<Dict> d = Dict::make(heap);
  EXPECT_FALSE(tracked(d));
  d->set(Int::make(heap, 1), Str::make(heap, "a"));
  EXPECT_FALSE(tracked(d));
  d->set(Str::make(heap, "x"), List::make(heap));
  EXPECT_TRUE(tracked(d));

  Ref<Dict> dt = Dict::make(heap);
  dt->set(Int::make(heap, 1), Tuple::make(heap, {Int::make(heap, 2)}));
  EXPECT_TRUE(tracked(dt));
  heap.gc().collect(0);
  EXPECT_TRUE(tracked(dt));
  heap.gc().collect();
  EXPECT_FALSE(tracked(dt));

  Ref<Dict> dd = Dict::make(heap);
  dd->set(Str::make(heap, "a"), Int::make(heap, 1));
  dd->set(Str::make(heap, "b"), List::make(heap));
  dd->erase(Str::make(heap, "b").get());
  EXPECT_TRUE(tracked(dd));
  heap.gc().collect(0);
  EXPECT_TRUE(tracked(dd));
  heap.gc().collect(1);
  EXPECT_TRUE(tracked(dd));
  heap.gc().collect();
  EXPECT_FALSE(tracked(dd));

  Ref<Dict> d1 = Dict::make(heap);
  d1->set(Str::make(heap, "k"), List::make(heap));
  Ref<Tuple> t1 = Tuple::make(heap, {d1});
  Ref<Dict> d2 = Dict::make(heap);
  d2->set(Int::make(heap, 1), Str::make(heap, "a"));
  Ref<Tuple> t2 = Tuple::make(heap, {d2});
  heap.gc().collect();
  EXPECT_TRUE(tracked(t1));
  EXPECT_TRUE(tracked(d1));
  EXPECT_TRUE(tracked(t2));  // an untracked dict may be tracked again later: the tuple stays
  EXPECT_FALSE(tracked(d2));
  EXPECT_TRUE(heap.gc().is_valid(2));
}

TEST(DictTest, CyclesThroughDictsAreCollected) {
  // d = {}; d['self'] = d; del d; gc.collect() -> 1
  // d = {}; l = [d]; d[1] = l; del d, l; gc.collect() -> 2
  // d = {}; d['t'] = tuple([1]); d['me'] = d; del d; gc.collect() -> 2
  // d = {1: 'a'}; d[1] = d; del d; gc.collect() -> 1   (a replaced value tracks the dict too)
  Heap heap;
  heap.gc().disable();
  {
    Ref<Dict> d = Dict::make(heap);
    d->set(Str::make(heap, "self"), d);
  }
  EXPECT_EQ(heap.gc().collect(), 1u);
  {
    Ref<Dict> d = Dict::make(heap);
    Ref<List> l = List::make(heap, {d});
    d->set(Int::make(heap, 1), l);
  }
  EXPECT_EQ(heap.gc().collect(), 2u);
  {
    Ref<Dict> d = Dict::make(heap);
    d->set(Str::make(heap, "t"), Tuple::make(heap, {Int::make(heap, 1)}));
    d->set(Str::make(heap, "me"), d);
  }
  EXPECT_EQ(heap.gc().collect(), 2u);
  {
    Ref<Dict> d = Dict::make(heap);
    d->set(Int::make(heap, 1), Str::make(heap, "a"));
    EXPECT_FALSE(heap.gc().is_tracked(d.get()));
    d->set(Int::make(heap, 1), d);
    EXPECT_TRUE(heap.gc().is_tracked(d.get()));
  }
  EXPECT_EQ(heap.gc().collect(), 1u);
  EXPECT_EQ(heap.live_objects(), 1u);  // the immortal small int 1
}

TEST(DictTest, KeysAreReleasedWithTheirValuesInInsertionOrder) {
  std::vector<int> order;
  {
    Heap heap;
    Ref<Dict> d = Dict::make(heap);
    for (int i = 0; i < 3; ++i) {
      d->set(heap.make<Probe>([&order, i] { order.push_back(10 * i); }),
             heap.make<Probe>([&order, i] { order.push_back(10 * i + 1); }));
    }
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 10, 11, 20, 21}));
}

}  // namespace
