// Types that say where their references are (tracer.hpp: ref_members, ref_array): what the type
// table records for them, when it refuses to use a list, and the debug check that a list matches
// the trace hook.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "pyheap/heap.hpp"

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;
using pyheap::TypeInfo;
using pyheap::WeakRef;

namespace {

struct Leaf : Object {};

struct Three : Object {
  int weight = 0;
  Ref<Object> a;
  std::array<Ref<Leaf>, 2> pair;
  WeakRef<Leaf> weak;
  void trace(Tracer& t) { t(a, pair, weak); }
  static constexpr auto ref_members = pyheap::ref_members<Three>(&Three::a, &Three::pair, &Three::weak);
};

// Inherits Three's trace and list: the list describes it.
struct SameShape : Three {
  int more = 0;
};

// Overrides trace without a list of its own: Three's list does not describe it.
struct Overrides : Three {
  Ref<Object> extra;
  void trace(Tracer& t) {
    Three::trace(t);
    t(extra);
  }
};

struct Items : Object {
  Ref<Object> head;
  std::vector<Ref<Object>> items;
  void trace(Tracer& t) { t(head, items); }
  static constexpr auto ref_members = pyheap::ref_members<Items>(&Items::head);
  std::span<const Ref<Object>> ref_array() const noexcept { return {items.data(), items.size()}; }
};

// Lists its members in another order than trace reports them: a bug the debug check catches.
struct Swapped : Object {
  Ref<Object> a, b;
  void trace(Tracer& t) { t(a, b); }
  static constexpr auto ref_members = pyheap::ref_members<Swapped>(&Swapped::b, &Swapped::a);
};

template <class T, class M>
std::uint32_t offset_of(const T& x, const M& member) {
  return static_cast<std::uint32_t>(reinterpret_cast<const char*>(&member) - reinterpret_cast<const char*>(&x));
}

TEST(RefMembers, TheTypeTableRecordsEverySlotInTraceOrder) {
  Heap heap;
  auto x = heap.make<Three>();
  const TypeInfo& ti = pyheap::type_of(*x);
  ASSERT_TRUE(ti.refs_published);
  EXPECT_EQ(ti.ref_offsets, (std::vector<std::uint32_t>{offset_of(*x, x->a), offset_of(*x, x->pair[0]),
                                                         offset_of(*x, x->pair[1]), offset_of(*x, x->weak)}));
  EXPECT_EQ(ti.ref_array, nullptr);
}

TEST(RefMembers, ADerivedTypeUsesItsBaseListOnlyWithItsBaseTrace) {
  Heap heap;
  auto same = heap.make<SameShape>();
  auto over = heap.make<Overrides>();
  EXPECT_TRUE(pyheap::type_of(*same).refs_published);
  EXPECT_EQ(pyheap::type_of(*same).ref_offsets.size(), 4u);
  EXPECT_FALSE(pyheap::type_of(*over).refs_published);
  EXPECT_TRUE(pyheap::type_of(*over).ref_offsets.empty());
}

TEST(RefMembers, AnArrayComesAfterTheMembers) {
  Heap heap;
  auto x = heap.make<Items>();
  const TypeInfo& ti = pyheap::type_of(*x);
  ASSERT_TRUE(ti.refs_published);
  EXPECT_EQ(ti.ref_offsets.size(), 1u);
  ASSERT_NE(ti.ref_array, nullptr);
  x->items.push_back(heap.make<Leaf>());
  EXPECT_EQ(ti.ref_array(x.get()).size(), 1u);
}

// Collections walk published types without their trace hook and still find every cycle.
TEST(RefMembers, CyclesThroughPublishedSlotsAreCollected) {
  Heap heap;
  heap.gc().disable();
  {
    auto a = heap.make<Three>();
    auto b = heap.make<Items>();
    auto w = heap.make<Leaf>();
    a->a = b;
    a->pair[0] = w;
    a->weak = WeakRef<Leaf>(w);
    b->items.push_back(a);
    b->head = b;
  }
  // a, b, and the weak reference object a holds.
  EXPECT_EQ(heap.gc().collect(), 3u);
  EXPECT_EQ(heap.live_objects(), 0u);
}

#if PYHEAP_DEBUG_LEVEL >= 1
TEST(RefMembersDeathTest, AListThatDisagreesWithTraceAbortsInDebugBuilds) {
  EXPECT_DEATH(
      {
        Heap heap;
        auto x = heap.make<Swapped>();
        x->a = heap.make<Leaf>();
        x->b = heap.make<Leaf>();
        heap.gc().collect();
      },
      "ref_members / ref_array are not the references its trace\\(\\) reports");
}
#endif

}  // namespace
