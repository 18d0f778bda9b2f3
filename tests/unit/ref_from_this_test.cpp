// ref_from_this (issue 12, part 2): a member function hands out a Ref to its own object, with no
// extra word in the object; in a constructor too (issue 19: make writes the header before the
// constructor runs); refused in every build where the object has no count to share.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "pyheap/heap.hpp"
#include "pyheap/weakref.hpp"
#include "test_objects.hpp"

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

// ---- in the constructor (issue 19) -------------------------------------------------------------

// The port that lost 1,000 edges: each edge adds itself to its graph from its constructor.
struct Graph;
struct Edge : Object {
  Edge(const Ref<Graph>& g, int w);
  Ref<Graph> graph;
  int weight;
  void trace(Tracer& t) { t(graph); }
};
struct Graph : Object {
  std::vector<Ref<Edge>> edges;
  void trace(Tracer& t) { t(edges); }
};
Edge::Edge(const Ref<Graph>& g, int w) : graph(g), weight(w) { g->edges.push_back(pyheap::ref_from_this(this)); }

TEST(RefFromThisInConstructor, EdgesThatRegisterThemselvesStayCounted) {
  Heap h;
  {
    Ref<Graph> g = h.make<Graph>();
    for (int i = 0; i < 1000; ++i) h.make<Edge>(g, i);  // the Ref make returns is dropped at once
    ASSERT_EQ(g->edges.size(), 1000u);
    EXPECT_EQ(h.live_objects(), 1001u);
    for (int i = 0; i < 1000; ++i) {
      EXPECT_EQ(g->edges[static_cast<std::size_t>(i)]->refcount(), 1u);  // the graph's, only
      EXPECT_EQ(g->edges[static_cast<std::size_t>(i)]->weight, i);
    }
    EXPECT_EQ(h.gc().collect(), 0u);  // all reachable from g
    EXPECT_EQ(h.live_objects(), 1001u);
  }
  EXPECT_EQ(h.gc().collect(), 1001u);  // graph <-> edges: cycles, now garbage
  EXPECT_EQ(h.live_objects(), 0u);
}

// Polymorphic, its Object base 8 bytes in (after the vptr), and Object after another base.
struct Shape : Object {
  explicit Shape(std::vector<Ref<Shape>>* registry) { registry->push_back(pyheap::ref_from_this(this)); }
  virtual ~Shape() = default;
  virtual int sides() const = 0;
};
struct Square final : Shape {
  explicit Square(std::vector<Ref<Shape>>* r) : Shape(r) {}
  int sides() const override { return 4; }
};
struct Tagged {
  virtual ~Tagged() = default;
  std::string tag = "t";
};
struct Mixed final : Tagged, Object {
  explicit Mixed(std::vector<Ref<Mixed>>* r) { r->push_back(pyheap::ref_from_this(this)); }
};

TEST(RefFromThisInConstructor, WorksWhereObjectIsNotAtTheStart) {
  Heap h;
  std::vector<Ref<Shape>> shapes;
  std::vector<Ref<Mixed>> mixed;
  h.make<Square>(&shapes);
  h.make<Mixed>(&mixed);
  ASSERT_EQ(shapes.size(), 1u);
  ASSERT_EQ(mixed.size(), 1u);
  EXPECT_EQ(shapes[0]->sides(), 4);
  EXPECT_EQ(shapes[0]->refcount(), 1u);
  EXPECT_EQ(mixed[0]->refcount(), 1u);
  EXPECT_TRUE(Heap::is_a<Square>(shapes[0].get()));
  EXPECT_EQ(h.live_objects(), 2u);
  shapes.clear();
  mixed.clear();
  EXPECT_EQ(h.live_objects(), 0u);
}

// A base constructed before Object makes heap objects of its own: the header make prepared for
// the outer object is still the one its Object base takes.
struct MakesInItsConstructor {
  explicit MakesInItsConstructor(Heap& h) : made(h.make<pyheap::testing::Leaf>(5)) {}
  virtual ~MakesInItsConstructor() = default;
  Ref<pyheap::testing::Leaf> made;
};
struct Outer final : MakesInItsConstructor, Object {
  Outer(Heap& h, std::vector<Ref<Outer>>* r) : MakesInItsConstructor(h) { r->push_back(pyheap::ref_from_this(this)); }
};

TEST(RefFromThisInConstructor, ABaseBeforeObjectMayMakeObjects) {
  Heap h;
  std::vector<Ref<Outer>> r;
  Ref<Outer> o = h.make<Outer>(h, &r);
  EXPECT_EQ(o->refcount(), 2u);
  EXPECT_TRUE(Heap::is_a<Outer>(o.get()));
  EXPECT_EQ(o->made->value, 5);
  EXPECT_EQ(h.live_objects(), 2u);
  r.clear();
  o.reset();
  EXPECT_EQ(h.live_objects(), 0u);
}

// Everything a finished object offers, from the constructor: Heap::of, weak references,
// immortality, the type.
struct Registrar : Object {
  explicit Registrar(Heap& h, pyheap::WeakRef<Registrar>* weak) {
    EXPECT_EQ(&Heap::of(this), &h);
    EXPECT_TRUE(Heap::is_a<Registrar>(this));
    EXPECT_EQ(refcount(), 1u);  // make's own, for the Ref it returns
    *weak = pyheap::WeakRef<Registrar>(pyheap::ref_from_this(this));
  }
};

TEST(RefFromThisInConstructor, TheObjectIsAlreadyAnObjectOfItsHeap) {
  Heap h;
  pyheap::WeakRef<Registrar> weak;
  Ref<Registrar> r = h.make<Registrar>(h, &weak);
  EXPECT_EQ(weak.lock().get(), r.get());
  EXPECT_EQ(h.weakref_count(r.get()), 1u);
  r.reset();
  EXPECT_TRUE(weak.expired());
}

struct Constant : Object {
  explicit Constant(Heap& h) { h.make_immortal(this); }
};

TEST(RefFromThisInConstructor, MakeImmortalFromTheConstructorIsKept) {
  Heap h;
  Object* raw;
  {
    Ref<Constant> c = h.make<Constant>(h);
    raw = c.get();
    EXPECT_TRUE(c->is_immortal());
  }
  EXPECT_EQ(h.live_objects(), 1u);  // immortal: outlives its Refs
  EXPECT_TRUE(raw->is_immortal());
}

TEST(RefFromThisInConstructor, TracingRecordsTheObjectBeforeItsConstructorRuns) {
  Heap h;
  h.tracing().start();
  Ref<Graph> g = h.make<Graph>();
  Ref<Edge> e = h.make<Edge>(g, 1);
  EXPECT_TRUE(h.allocation_site(e.get()).has_value());
  EXPECT_EQ(e->refcount(), 2u);
  g->edges.clear();
  e.reset();
  EXPECT_EQ(h.tracing().traced_count(), 1u);  // the graph
}

// A collection started inside the constructor (by a make there) sees the object's registration
// as an edge into an object it does not track yet, and the object walk does not list it.
struct Busy : Object {
  Busy(Heap& h, const Ref<Graph>& g, std::size_t* listed) {
    g->edges.push_back(Ref<Edge>());  // a slot, then a reference to this object held by g
    held = pyheap::ref_from_this(this);
    h.make<pyheap::testing::Link>();
    EXPECT_EQ(h.gc().collect(), 0u);
    *listed = 0;
    h.for_each_object([&](Object& o) { *listed += (&o == static_cast<Object*>(this)); });
  }
  Ref<Busy> held;  // a cycle through itself, until reset
  void trace(Tracer& t) { t(held); }
};

TEST(RefFromThisInConstructor, CollectionsAndWalksDuringTheConstructor) {
  Heap h;
  Ref<Graph> g = h.make<Graph>();
  std::size_t listed = 99;
  Ref<Busy> b = h.make<Busy>(h, g, &listed);
  EXPECT_EQ(listed, 0u);  // not listed while its constructor ran
  std::size_t now = 0;
  h.for_each_object([&](Object& o) { now += (&o == static_cast<Object*>(b.get())); });
  EXPECT_EQ(now, 1u);
  EXPECT_TRUE(h.gc().is_tracked(b.get()));
  b.reset();
  EXPECT_EQ(h.gc().collect(), 1u);  // its self-cycle
}

// Handed out, then dropped again before the constructor throws: fine.
struct ThrowsAfterUndoing : Object {
  ThrowsAfterUndoing(const Ref<Graph>& g, pyheap::WeakRef<ThrowsAfterUndoing>* w) {
    g->edges.push_back(Ref<Edge>());
    *w = pyheap::WeakRef<ThrowsAfterUndoing>(pyheap::ref_from_this(this));
    Ref<ThrowsAfterUndoing> self = pyheap::ref_from_this(this);
    self.reset();
    throw std::runtime_error("no");
  }
};

TEST(RefFromThisInConstructor, AConstructorThatThrowsAfterDroppingWhatItHandedOut) {
  Heap h;
  Ref<Graph> g = h.make<Graph>();
  pyheap::WeakRef<ThrowsAfterUndoing> w;
  EXPECT_THROW(h.make<ThrowsAfterUndoing>(g, &w), std::runtime_error);
  EXPECT_TRUE(w.expired());  // cleared: the object was never made
  EXPECT_EQ(h.live_objects(), 2u);  // the graph and the weak reference object
  w.reset();
  EXPECT_EQ(h.live_objects(), 1u);
  EXPECT_TRUE(h.allocator().is_valid(2));
}

// A base listed before Object throws: the Object base never took its header, and the block holds
// what the previous object there left (a header of the same type, count 0).
struct FailsFirst {
  explicit FailsFirst(bool fail) {
    if (fail) throw std::runtime_error("base");
  }
  virtual ~FailsFirst() = default;
};
struct AfterAFailingBase final : FailsFirst, Object {
  explicit AfterAFailingBase(bool fail) : FailsFirst(fail) {}
  Ref<Object> next;
  void trace(Tracer& t) { t(next); }
};

TEST(RefFromThisInConstructor, ABaseBeforeObjectThatThrows) {
  Heap h;
  h.make<AfterAFailingBase>(false).reset();  // leaves its header in the block the next make reuses
  for (int i = 0; i < 3; ++i) EXPECT_THROW(h.make<AfterAFailingBase>(true), std::runtime_error);
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_EQ(h.gc().count()[0], 0u);
  Ref<AfterAFailingBase> ok = h.make<AfterAFailingBase>(false);
  EXPECT_EQ(ok->refcount(), 1u);
  EXPECT_TRUE(h.allocator().is_valid(2));
}

struct ThrowsWhileHeld : Object {
  explicit ThrowsWhileHeld(std::vector<Ref<ThrowsWhileHeld>>* r) {
    r->push_back(pyheap::ref_from_this(this));
    throw std::runtime_error("after registering");
  }
};

TEST(RefFromThisDeathTest, AConstructorThatThrowsWhileItsObjectIsHeldStopsTheProgram) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Heap h;
        std::vector<Ref<ThrowsWhileHeld>> r;
        try {
          (void)h.make<ThrowsWhileHeld>(&r);
        } catch (...) {
        }
      },
      "ThrowsWhileHeld's constructor threw after handing out 1 reference to the object, still held");
}

struct DiesTwice : Object {
  ~DiesTwice() { (void)pyheap::ref_from_this(this); }
};

TEST(RefFromThisDeathTest, RefusedInTheDestructorInEveryBuild) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Heap h;
        (void)h.make<DiesTwice>();
      },
      "ref_from_this on .*DiesTwice with no count: called from its destructor");
}

struct Local : Object {};

TEST(RefFromThisDeathTest, RefusedOnAnObjectNoHeapMadeInEveryBuild) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Local on_the_stack;
        (void)pyheap::ref_from_this(&on_the_stack);
      },
      "on an object that no Heap made");
}

// ---- const (issue 19) -----------------------------------------------------------------------------

struct Reading : Object {
  int value = 3;
  Ref<const Reading> self() const { return pyheap::ref_from_this(this); }
};

TEST(RefFromThis, AConstMemberFunctionGivesARefToConst) {
  Heap h;
  Ref<Reading> r = h.make<Reading>();
  const Reading& view = *r;
  Ref<const Reading> c = view.self();
  static_assert(std::is_same_v<decltype(c), Ref<const Reading>>);
  EXPECT_EQ(c.get(), r.get());
  EXPECT_EQ(c->value, 3);
  EXPECT_EQ(r->refcount(), 2u);
}

}  // namespace
