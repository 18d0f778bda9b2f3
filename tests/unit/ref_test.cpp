// Ref<T>: counts under copy, move, reset, release/adopt, borrow, conversions, and the Py_SETREF
// rule (the slot holds the new value before the old one is released).
#include <gtest/gtest.h>

#include <algorithm>
#include <compare>
#include <map>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "pyheap/heap.hpp"
#include "pyheap/weakref.hpp"

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;

namespace {

struct Item : Object {
  explicit Item(int v = 0) : value(v) {}
  int value;
};

struct Base : Object {
  int b = 7;
};
struct Derived : Base {
  int d = 9;
};

// When it dies, records what the slot it used to occupy holds at that moment.
struct Watcher : Object {
  Watcher(const Ref<Watcher>* s, std::vector<int>* l, int i) : slot(s), log(l), id(i) {}
  ~Watcher() { log->push_back(*slot ? (*slot)->id : -1); }
  const Ref<Watcher>* slot;
  std::vector<int>* log;
  int id;
  Ref<Watcher> next;
};

}  // namespace

TEST(Ref, DefaultAndNullAreEmpty) {
  Ref<Item> a;
  Ref<Item> b = nullptr;
  EXPECT_FALSE(a);
  EXPECT_EQ(a.get(), nullptr);
  EXPECT_TRUE(a == nullptr);
  EXPECT_TRUE(a == b);
  a.reset();  // no-op
  EXPECT_EQ(a.release(), nullptr);
}

TEST(Ref, CopyAddsACountAndDestructionDropsIt) {
  Heap h;
  auto a = h.make<Item>(1);
  Ref<Item> b(a);
  EXPECT_EQ(a->refcount(), 2u);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_TRUE(a == b);
  {
    Ref<Item> c;
    c = b;
    EXPECT_EQ(a->refcount(), 3u);
  }
  EXPECT_EQ(a->refcount(), 2u);
  b.reset();
  EXPECT_FALSE(b);
  EXPECT_EQ(a->refcount(), 1u);
  EXPECT_EQ(h.live_objects(), 1u);
}

TEST(Ref, MoveTransfersTheCount) {
  Heap h;
  auto a = h.make<Item>(1);
  Item* raw = a.get();
  Ref<Item> b(std::move(a));
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is specified empty
  EXPECT_EQ(b.get(), raw);
  EXPECT_EQ(raw->refcount(), 1u);
  Ref<Item> c;
  c = std::move(b);
  EXPECT_FALSE(b);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(c.get(), raw);
  EXPECT_EQ(raw->refcount(), 1u);
  // Moving onto a slot that holds another object releases that one.
  auto d = h.make<Item>(2);
  EXPECT_EQ(h.live_objects(), 2u);
  d = std::move(c);
  EXPECT_EQ(h.live_objects(), 1u);
  EXPECT_EQ(d.get(), raw);
  EXPECT_EQ(raw->refcount(), 1u);
}

TEST(Ref, SelfAssignmentKeepsTheObject) {
  Heap h;
  auto a = h.make<Item>(5);
  Item* raw = a.get();
  Ref<Item>& alias = a;
  a = alias;
  EXPECT_EQ(a.get(), raw);
  EXPECT_EQ(raw->refcount(), 1u);
  a = std::move(alias);
  EXPECT_EQ(a.get(), raw);
  EXPECT_EQ(raw->refcount(), 1u);
  EXPECT_EQ(a->value, 5);
  EXPECT_EQ(h.live_objects(), 1u);
}

TEST(Ref, AssigningNullOrResettingReleases) {
  Heap h;
  auto a = h.make<Item>(1);
  a = nullptr;
  EXPECT_FALSE(a);
  EXPECT_EQ(h.live_objects(), 0u);
  auto b = h.make<Item>(2);
  b.reset();
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(Ref, ReleaseThenAdoptRoundTripsOneCount) {
  Heap h;
  auto a = h.make<Item>(3);
  Item* raw = a.release();
  EXPECT_FALSE(a);
  EXPECT_EQ(raw->refcount(), 1u) << "release gives the count away without dropping it";
  EXPECT_EQ(h.live_objects(), 1u);
  {
    Ref<Item> back = Ref<Item>::adopt(raw);
    EXPECT_EQ(raw->refcount(), 1u) << "adopt takes the count without adding one";
  }
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(Ref, BorrowAddsACount) {
  Heap h;
  auto a = h.make<Item>(4);
  Ref<Item> b = Ref<Item>::borrow(a.get());
  EXPECT_EQ(a->refcount(), 2u);
  EXPECT_FALSE(Ref<Item>::borrow(nullptr));
  a.reset();
  EXPECT_EQ(h.live_objects(), 1u);
  EXPECT_EQ(b->value, 4);
  b.reset();
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(Ref, ConvertsToBaseAndCastsBack) {
  Heap h;
  auto d = h.make<Derived>();
  Ref<Base> b = d;  // copy-convert
  EXPECT_EQ(d->refcount(), 2u);
  Ref<Object> o = std::move(b);  // move-convert
  EXPECT_FALSE(b);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(d->refcount(), 2u);
  EXPECT_TRUE(o == d);
  Ref<Derived> back = pyheap::static_ref_cast<Derived>(o);
  EXPECT_EQ(back.get(), d.get());
  EXPECT_EQ(back->d, 9);
  EXPECT_EQ(d->refcount(), 3u);
  EXPECT_TRUE(Heap::is_a<Derived>(o.get()));
  EXPECT_FALSE(Heap::is_a<Base>(o.get())) << "is_a is an exact type test";
}

TEST(Ref, HashAndEqualityFollowTheObject) {
  Heap h;
  auto a = h.make<Item>(1);
  auto b = h.make<Item>(1);
  std::unordered_set<Ref<Item>> set{a, b, a};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(a->refcount(), 2u);
  EXPECT_FALSE(a == b);
  EXPECT_EQ(std::hash<Ref<Item>>{}(a), std::hash<Item*>{}(a.get()));
}

// Py_SETREF: the old value's destructor must find the slot already holding the new value.
TEST(Ref, CopyAssignStoresTheNewValueBeforeReleasingTheOld) {
  Heap h;
  std::vector<int> log;
  Ref<Watcher> slot;
  slot = h.make<Watcher>(&slot, &log, 1);
  auto second = h.make<Watcher>(&slot, &log, 2);
  slot = second;  // copy: releases #1, whose destructor looks at the slot
  EXPECT_EQ(log, (std::vector<int>{2}));
  second.reset();
  EXPECT_EQ(slot->refcount(), 1u);
}

TEST(Ref, MoveAssignStoresTheNewValueBeforeReleasingTheOld) {
  Heap h;
  std::vector<int> log;
  Ref<Watcher> slot;
  slot = h.make<Watcher>(&slot, &log, 1);
  slot = h.make<Watcher>(&slot, &log, 2);  // move from a temporary
  EXPECT_EQ(log, (std::vector<int>{2}));
}

TEST(Ref, ResetEmptiesTheSlotBeforeReleasing) {
  Heap h;
  std::vector<int> log;
  Ref<Watcher> slot;
  slot = h.make<Watcher>(&slot, &log, 1);
  slot.reset();
  EXPECT_EQ(log, (std::vector<int>{-1}));
  slot = h.make<Watcher>(&slot, &log, 3);
  slot = nullptr;
  EXPECT_EQ(log, (std::vector<int>{-1, -1}));
}

TEST(Ref, AssigningFromAMemberOfTheOldValue) {
  // slot = slot->next where slot holds the only count of the old head: the new value must be
  // counted before the old head (which owns it) dies.
  Heap h;
  std::vector<int> log;
  Ref<Watcher> slot;
  slot = h.make<Watcher>(&slot, &log, 1);
  slot->next = h.make<Watcher>(&slot, &log, 2);
  slot = slot->next;
  EXPECT_EQ(log, (std::vector<int>{2}));
  ASSERT_TRUE(slot);
  EXPECT_EQ(slot->id, 2);
  EXPECT_EQ(slot->refcount(), 1u);
  slot->next = h.make<Watcher>(&slot, &log, 3);
  slot = std::move(slot->next);
  EXPECT_EQ(log, (std::vector<int>{2, 3}));
  EXPECT_EQ(slot->id, 3);
  EXPECT_EQ(slot->refcount(), 1u);
  EXPECT_EQ(h.live_objects(), 1u);
}

// ---- Ref<const T> (issue 19) ----------------------------------------------------------------------

namespace {
struct Reading : Object {
  explicit Reading(int v) : value(v) {}
  int value;
  int get() const { return value; }
  Ref<Reading> next;
  void trace(pyheap::Tracer& t) { t(next); }
};
struct HoldsConst : Object {
  Ref<const Reading> r;
  std::vector<Ref<const Reading>> more;
  void trace(pyheap::Tracer& t) { t(r, more); }
};
}  // namespace

TEST(RefConst, HoldsAnObjectForReadingAndCountsIt) {
  Heap h;
  Ref<Reading> w = h.make<Reading>(4);
  Ref<const Reading> c = w;  // Ref<T> -> Ref<const T>, as T* -> const T*
  static_assert(!std::is_convertible_v<Ref<const Reading>, Ref<Reading>>, "the const is not dropped implicitly");
  static_assert(std::is_same_v<decltype(c.get()), const Reading*>);
  EXPECT_EQ(w->refcount(), 2u);
  EXPECT_EQ(c->get(), 4);
  EXPECT_TRUE(c == w);
  Ref<const Reading> moved = std::move(c);
  EXPECT_EQ(w->refcount(), 2u);
  Ref<Reading> back = pyheap::const_ref_cast<Reading>(moved);
  back->value = 5;
  EXPECT_EQ(moved->get(), 5);
  EXPECT_EQ(w->refcount(), 3u);
  Ref<Reading> taken = pyheap::const_ref_cast<Reading>(std::move(moved));
  EXPECT_FALSE(moved);
  EXPECT_EQ(w->refcount(), 3u);
  taken.reset();
  back.reset();
  EXPECT_EQ(w->refcount(), 1u);
}

TEST(RefConst, ConstReferencesAreTracedAndCollected) {
  Heap h;
  {
    Ref<HoldsConst> holder = h.make<HoldsConst>();
    Ref<Reading> a = h.make<Reading>(1);
    holder->r = a;
    holder->more.push_back(a);
    a->next = pyheap::static_ref_cast<Reading>(Ref<Object>(h.make<Reading>(2)));
    a->next->next = a;  // a cycle through non-const references
    pyheap::WeakRef<const Reading> weak(holder->r);
    EXPECT_EQ(weak.lock().get(), a.get());
    static_assert(std::is_same_v<decltype(weak.lock()), Ref<const Reading>>);
  }
  EXPECT_EQ(h.live_objects(), 2u);  // the holder died by counting; a <-> a->next is a cycle
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(h.live_objects(), 0u);
}

// The const object graph seen by the collector: a cycle made only of Ref<const T> is garbage too.
TEST(RefConst, ACycleOfConstReferencesIsCollected) {
  Heap h;
  {
    Ref<HoldsConst> a = h.make<HoldsConst>();
    Ref<HoldsConst> b = h.make<HoldsConst>();
    Ref<Reading> leaf = h.make<Reading>(0);
    a->r = leaf;
    b->more.push_back(leaf);
    struct Loop : Object {
      Ref<const Object> other;
      void trace(pyheap::Tracer& t) { t(other); }
    };
    Ref<Loop> x = h.make<Loop>(), y = h.make<Loop>();
    x->other = y;
    y->other = x;
  }
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(h.live_objects(), 0u);
}

// ---- comparisons with raw pointers and nullptr, ordering (issue 19) ---------------------------------

namespace {
struct Named {
  virtual ~Named() = default;
  int id = 1;
};
struct Both final : Named, Object {};
}  // namespace

TEST(RefCompare, WithRawPointersOfRelatedTypesAndNull) {
  Heap h;
  Ref<Derived> d = h.make<Derived>();
  Ref<Base> b = d;
  Derived* raw = d.get();
  const Base* craw = raw;
  const Object* obj = raw;
  EXPECT_TRUE(d == raw);
  EXPECT_TRUE(raw == d);  // the same comparison, rewritten
  EXPECT_TRUE(b == raw);
  EXPECT_TRUE(d == craw);
  EXPECT_TRUE(obj == d);
  EXPECT_FALSE(d != raw);
  Ref<Derived> other = h.make<Derived>();
  EXPECT_TRUE(other != raw);
  EXPECT_FALSE(d == nullptr);
  EXPECT_TRUE(nullptr != d);
  Ref<Derived> empty;
  EXPECT_TRUE(empty == nullptr);
  EXPECT_TRUE(nullptr == empty);
  Derived* none = nullptr;
  EXPECT_TRUE(empty == none);
  // A sentinel: a raw pointer kept for identity only.
  const Base* sentinel = other.get();
  std::vector<Ref<Base>> list{b, other};
  EXPECT_EQ(std::count_if(list.begin(), list.end(), [&](const Ref<Base>& r) { return r == sentinel; }), 1);
}

TEST(RefCompare, AcrossBasesTheObjectIsWhatCounts) {
  Heap h;
  Ref<Both> both = h.make<Both>();
  Named* named = both.get();  // a different address than the Object base
  ASSERT_NE(static_cast<const void*>(named), static_cast<const void*>(static_cast<Object*>(both.get())));
  EXPECT_TRUE(both == named);
  EXPECT_TRUE(named == both);
}

TEST(RefCompare, RefsOrderLikeTheirObjectsAddresses) {
  Heap h;
  std::vector<Ref<Item>> items;
  for (int i = 0; i < 8; ++i) items.push_back(h.make<Item>(i));
  std::set<Ref<Item>> sorted(items.begin(), items.end());
  EXPECT_EQ(sorted.size(), 8u);
  EXPECT_TRUE(std::is_sorted(sorted.begin(), sorted.end(), [](const Ref<Item>& a, const Ref<Item>& b) {
    return static_cast<const Object*>(a.get()) < static_cast<const Object*>(b.get());
  }));
  EXPECT_EQ(items[0] <=> items[0], std::strong_ordering::equal);
  Ref<const Item> c = items[1];
  EXPECT_EQ(c <=> items[1], std::strong_ordering::equal);
  std::map<Ref<const Item>, int> by_item{{items[2], 2}};
  EXPECT_EQ(by_item.at(items[2]), 2);
}
