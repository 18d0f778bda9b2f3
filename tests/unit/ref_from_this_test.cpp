// ref_from_this (issue 12, part 2): a member function hands out a Ref to its own object, with no
// extra word in the object; refused (debug builds) where the object has no count to share.
#include <gtest/gtest.h>

#include <vector>

#include "pyheap/heap.hpp"

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;

namespace {

// A child registers itself with its parent: the parent's list holds Refs made from `this`.
struct Child;
struct Parent : Object {
  std::vector<Ref<Child>> children;
  void trace(Tracer& t) { t(children); }
};
struct Child : Object {
  Ref<Parent> parent;
  void attach_to(const Ref<Parent>& p) {
    parent = p;
    p->children.push_back(pyheap::ref_from_this(this));
  }
  Ref<Child> self() { return pyheap::ref_from_this(this); }
  void trace(Tracer& t) { t(parent); }
};

TEST(RefFromThis, SharesTheObjectsOwnCount) {
  static_assert(sizeof(Child) == sizeof(Object) + sizeof(Ref<Parent>), "no hidden weak pointer per object");
  Heap h;
  h.gc().disable();
  {
    Ref<Parent> p = h.make<Parent>();
    Ref<Child> c = h.make<Child>();
    EXPECT_EQ(c->refcount(), 1u);
    c->attach_to(p);
    EXPECT_EQ(c->refcount(), 2u);
    EXPECT_EQ(p->children.front().get(), c.get());
    Ref<Child> again = c->self();
    EXPECT_EQ(again.get(), c.get());
    EXPECT_EQ(c->refcount(), 3u);
  }
  EXPECT_EQ(h.live_objects(), 2u);  // parent <-> child
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(h.live_objects(), 0u);
}

// Polymorphic, with the Object base not first: the Ref still names the whole object.
struct Named {
  virtual ~Named() = default;
  int id = 7;
};
struct Registered : Named, Object {
  Ref<Registered> me() { return pyheap::ref_from_this(this); }
};

TEST(RefFromThis, WorksWhereObjectIsNotTheFirstBase) {
  Heap h;
  Ref<Registered> r = h.make<Registered>();
  Ref<Registered> m = r->me();
  EXPECT_EQ(m.get(), r.get());
  EXPECT_EQ(r->refcount(), 2u);
  m.reset();
  r.reset();
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(RefFromThis, AFinalizerMayResurrectItsObjectThroughIt) {
  struct Phoenix : Object {
    std::vector<Ref<Phoenix>>* saved;
    explicit Phoenix(std::vector<Ref<Phoenix>>* s) : saved(s) {}
    void finalize() { saved->push_back(pyheap::ref_from_this(this)); }
  };
  Heap h;
  std::vector<Ref<Phoenix>> saved;
  h.make<Phoenix>(&saved).reset();
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved.front()->refcount(), 1u);
  EXPECT_EQ(h.live_objects(), 1u);
  saved.clear();  // finalized once already: now it dies
  EXPECT_EQ(h.live_objects(), 0u);
}

struct GrabsItselfTooEarly : Object {
  GrabsItselfTooEarly() { (void)pyheap::ref_from_this(this); }
};

TEST(RefFromThisDeathTest, RefusedInsideTheConstructorInDebugBuilds) {
  if constexpr (pyheap::kDebugLevel < 1) GTEST_SKIP() << "checked from debug level 1 (Debug and sanitizer builds)";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Heap h;
        (void)h.make<GrabsItselfTooEarly>();
      },
      "ref_from_this on an object with no count: called from its constructor");
}

struct Local : Object {};

TEST(RefFromThisDeathTest, RefusedOnAnObjectNoHeapMade) {
  if constexpr (pyheap::kDebugLevel < 1) GTEST_SKIP() << "checked from debug level 1 (Debug and sanitizer builds)";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Local on_the_stack;
        (void)pyheap::ref_from_this(&on_the_stack);
      },
      "on an object that no Heap made");
}

}  // namespace
