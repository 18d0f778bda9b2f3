// Polymorphic heap objects (issue 12, part 1): virtual functions and destructors, abstract bases,
// deep hierarchies, Ref<Base> holding a Derived, trace hooks extended by derived classes,
// finalize declared in a base, pyheap::Object beside a user's own polymorphic base (a mixin),
// and what each costs. Public API only.
#include <gtest/gtest.h>

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "pyheap/heap.hpp"

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::SmallObjectAllocator;
using pyheap::Tracer;
using pyheap::WeakRef;

namespace {

// Destructions and finalizations by type name: "exactly once" is checked against these.
std::map<std::string, int>& destroyed() {
  static std::map<std::string, int> m;
  return m;
}
std::map<std::string, int>& finalized() {
  static std::map<std::string, int> m;
  return m;
}
void reset_counts() {
  destroyed().clear();
  finalized().clear();
}

// An expression tree: an abstract base with a virtual destructor and a virtual trace hook that
// derived classes extend.
struct Expr : Object {
  virtual ~Expr() { ++destroyed()["Expr"]; }
  virtual double eval() const = 0;
  virtual std::string show() const = 0;
  virtual void trace(Tracer& t) { t(parent); }
  Ref<Expr> parent;  // a back-pointer: every child/parent pair is a cycle
};

struct Num : Expr {
  explicit Num(double v) : value(v) {}
  ~Num() override { ++destroyed()["Num"]; }
  double eval() const override { return value; }
  std::string show() const override { return std::to_string(static_cast<int>(value)); }
  double value;
};

struct Binary : Expr {
  Binary(Ref<Expr> a, Ref<Expr> b) : l(std::move(a)), r(std::move(b)) {}
  ~Binary() override { ++destroyed()["Binary"]; }
  void trace(Tracer& t) override {
    Expr::trace(t);  // the base's references, then ours
    t(l, r);
  }
  Ref<Expr> l, r;
};

struct Add final : Binary {
  using Binary::Binary;
  ~Add() override { ++destroyed()["Add"]; }
  double eval() const override { return l->eval() + r->eval(); }
  std::string show() const override { return "(" + l->show() + " + " + r->show() + ")"; }
};

struct Mul final : Binary {
  using Binary::Binary;
  ~Mul() override { ++destroyed()["Mul"]; }
  double eval() const override { return l->eval() * r->eval(); }
  std::string show() const override { return l->show() + " * " + r->show(); }
};

// Links each child of a binary node to it: a tree with parent back-pointers is all cycles.
template <class T>
Ref<Expr> node(Heap& h, Ref<Expr> a, Ref<Expr> b) {
  Ref<T> n = h.make<T>(a, b);
  a->parent = n;
  b->parent = n;
  return n;
}

TEST(Polymorphic, AnExpressionTreeEvaluatesAndIsFreedByTheCollector) {
  reset_counts();
  Heap h;
  h.gc().disable();
  {
    Ref<Expr> e = node<Add>(h, h.make<Num>(2), node<Mul>(h, h.make<Num>(3), h.make<Num>(4)));
    EXPECT_EQ(e->eval(), 14.0);
    EXPECT_EQ(e->show(), "(2 + 3 * 4)");
    EXPECT_TRUE(Heap::is_a<Add>(e.get()));
    EXPECT_EQ(pyheap::type_of(*e).name, "Add");
    EXPECT_EQ(h.live_objects(), 5u);
  }
  EXPECT_EQ(h.live_objects(), 5u) << "parent back-pointers keep the whole tree alive";
  EXPECT_EQ(h.gc().collect(), 5u);
  EXPECT_EQ(h.live_objects(), 0u);
  // Each object destroyed once, through its dynamic type: every level of its destructor ran once.
  EXPECT_EQ(destroyed()["Num"], 3);
  EXPECT_EQ(destroyed()["Add"], 1);
  EXPECT_EQ(destroyed()["Mul"], 1);
  EXPECT_EQ(destroyed()["Binary"], 2);
  EXPECT_EQ(destroyed()["Expr"], 5);
  EXPECT_TRUE(h.allocator().is_valid(2));
  EXPECT_TRUE(h.gc().is_valid(2));
}

TEST(Polymorphic, DestroyedThroughItsDynamicTypeByCount) {
  reset_counts();
  Heap h;
  {
    Ref<Expr> e = h.make<Num>(1);  // Ref<Base> holding a Derived
    Ref<Expr> copy = e;
    EXPECT_EQ(e->refcount(), 2u);
  }
  EXPECT_EQ(destroyed()["Num"], 1);
  EXPECT_EQ(destroyed()["Expr"], 1);
  EXPECT_EQ(h.live_objects(), 0u);
}

// Without a virtual destructor the object is still destroyed as what it is: the heap calls the
// made type's destructor, never the static type's.
struct PlainBase : Object {
  ~PlainBase() { ++destroyed()["PlainBase"]; }
};
struct PlainDerived : PlainBase {
  ~PlainDerived() { ++destroyed()["PlainDerived"]; }
  std::string s = std::string(100, 'x');  // would leak if ~PlainDerived were skipped
};

TEST(Polymorphic, ANonVirtualDestructorIsNoProblemEither) {
  reset_counts();
  Heap h;
  { Ref<PlainBase> b = h.make<PlainDerived>(); }
  EXPECT_EQ(destroyed()["PlainDerived"], 1);
  EXPECT_EQ(destroyed()["PlainBase"], 1);
}

// The same two references, with and without a vtable: the polymorphic one pays its vptr only.
struct PlainPair : Object {
  Ref<Object> a, b;
  void trace(Tracer& t) { t(a, b); }
};
struct VirtualPair : Object {
  virtual ~VirtualPair() = default;
  virtual int kind() const { return 1; }
  Ref<Object> a, b;
  void trace(Tracer& t) { t(a, b); }
};
struct VirtualLeaf : Object {  // polymorphic, no trace hook: untracked
  virtual ~VirtualLeaf() = default;
  std::int64_t v = 0;
};
struct PlainLeaf : Object {
  std::int64_t v = 0;
};

TEST(Polymorphic, AllocatedSizeIsHeaderPlusTheUsersBytesAndNothingMore) {
  static_assert(sizeof(PlainPair) == 24 && sizeof(VirtualPair) == 32, "the vptr is the only difference");
  Heap h;
  Ref<PlainPair> plain = h.make<PlainPair>();
  Ref<VirtualPair> poly = h.make<VirtualPair>();
  // A container pays 16 bytes of pyheap header (collector word + object header); the rest is
  // the user's: members, and the vptr when there is one. Then the allocator's 16-byte rounding.
  const auto expected = [](std::size_t users_bytes) { return SmallObjectAllocator::block_size_for(16 + users_bytes); };
  EXPECT_EQ(Heap::allocated_size(plain.get()), expected(sizeof(PlainPair) - sizeof(Object)));
  EXPECT_EQ(Heap::allocated_size(poly.get()), expected(sizeof(VirtualPair) - sizeof(Object)));
  EXPECT_EQ(Heap::allocated_size(plain.get()), 32u);
  EXPECT_EQ(Heap::allocated_size(poly.get()), 48u);
  // Untracked: 8 bytes of header, and for the polymorphic one its vptr.
  Ref<PlainLeaf> pl = h.make<PlainLeaf>();
  Ref<VirtualLeaf> vl = h.make<VirtualLeaf>();
  EXPECT_EQ(Heap::allocated_size(pl.get()), 16u);
  EXPECT_EQ(Heap::allocated_size(vl.get()), 32u);  // 8 + vptr 8 + 8: 24, rounded
  EXPECT_EQ(pyheap::type_of(*poly).object_offset, 8u) << "Itanium ABI: the vptr first, then Object";
  EXPECT_EQ(pyheap::type_of(*plain).object_offset, 0u);
  EXPECT_EQ(h.allocator().stats().bytes_held, 32u + 48u + 16u + 32u);
}

// A deep hierarchy: each level adds a reference and extends its base's trace hook.
struct L0 : Object {
  virtual ~L0() { ++destroyed()["L0"]; }
  virtual void trace(Tracer& t) { t(r0); }
  Ref<Object> r0;
};
struct L1 : L0 {
  ~L1() override { ++destroyed()["L1"]; }
  void trace(Tracer& t) override { L0::trace(t), t(r1); }
  Ref<Object> r1;
};
struct L2 : L1 {
  ~L2() override { ++destroyed()["L2"]; }
  void trace(Tracer& t) override { L1::trace(t), t(r2); }
  Ref<Object> r2;
};
struct L3 : L2 {
  ~L3() override { ++destroyed()["L3"]; }
  void trace(Tracer& t) override { L2::trace(t), t(r3); }
  Ref<Object> r3;
};

TEST(Polymorphic, ADeepHierarchyTracesEveryLevel) {
  reset_counts();
  Heap h;
  h.gc().disable();
  {
    Ref<L3> a = h.make<L3>();
    Ref<L3> b = h.make<L3>();
    // Each level's field closes a different cycle: losing any level's edge would leak.
    a->r0 = b;
    b->r1 = a;
    Ref<L3> c = h.make<L3>();
    a->r3 = c;
    c->r2 = a;
    EXPECT_EQ(h.gc().get_referents(a.get()).size(), 2u);
  }
  EXPECT_EQ(h.gc().collect(), 3u);
  for (const char* level : {"L0", "L1", "L2", "L3"}) EXPECT_EQ(destroyed()[level], 3) << level;
}

// finalize declared in a base (non-virtual), reaching the derived class through a virtual call.
struct Resource : Object {
  virtual ~Resource() = default;
  void finalize() { ++finalized()[what()]; }
  virtual std::string what() const { return "Resource"; }
  void trace(Tracer& t) { t(other); }
  Ref<Resource> other;
};
struct FileResource : Resource {
  std::string what() const override { return "FileResource"; }
  ~FileResource() override { ++destroyed()["FileResource"]; }
};

TEST(Polymorphic, FinalizeDeclaredInABaseRunsOnceByCountOrByTheCollector) {
  reset_counts();
  Heap h;
  h.gc().disable();
  { Ref<Resource> r = h.make<FileResource>(); }
  EXPECT_EQ(finalized()["FileResource"], 1);
  EXPECT_EQ(destroyed()["FileResource"], 1);
  {
    Ref<Resource> a = h.make<FileResource>();
    Ref<Resource> b = h.make<FileResource>();
    a->other = b;
    b->other = a;
  }
  EXPECT_EQ(h.gc().collect(), 2u);
  EXPECT_EQ(finalized()["FileResource"], 3);
  EXPECT_EQ(destroyed()["FileResource"], 3);
  EXPECT_EQ(finalized()["Resource"], 0);
}

// pyheap::Object beside a user's own polymorphic base: Object is not first, and not at 8.
struct Widget {
  virtual ~Widget() { ++destroyed()["Widget"]; }
  virtual std::string title() const { return "widget"; }
  int x = 1, y = 2;
};
struct Button : Widget, Object {
  explicit Button(std::string l) : label(std::move(l)) {}
  ~Button() override { ++destroyed()["Button"]; }
  std::string title() const override { return "button " + label; }
  void trace(Tracer& t) { t(next); }
  std::string label;
  Ref<Button> next;
};
// A base large enough that Object's offset does not fit the header's four bits (k >= 120).
struct BigWidget {
  virtual ~BigWidget() = default;
  char pixels[200] = {};
};
struct Canvas : BigWidget, Object {
  ~Canvas() override { ++destroyed()["Canvas"]; }
  void trace(Tracer& t) { t(next); }
  Ref<Object> next;
};
// And one whose block is a large one (above 512 bytes), with a rare tag too.
struct HugeWidget {
  virtual ~HugeWidget() = default;
  char pixels[1000] = {};
};
struct Poster : HugeWidget, Object {
  ~Poster() override { ++destroyed()["Poster"]; }
  void trace(Tracer& t) { t(next); }
  Ref<Object> next;
};
// A 16-byte aligned polymorphic container: a 16-byte prefix, then the vptr, then Object.
struct alignas(16) Aligned : Object {
  virtual ~Aligned() { ++destroyed()["Aligned"]; }
  void trace(Tracer& t) { t(next); }
  Ref<Object> next;
  long double ld = 1.5;
};

TEST(Polymorphic, ObjectBesideAnotherBaseIsFoundForEveryLayout) {
  reset_counts();
  Heap h;
  h.gc().disable();
  std::set<const Object*> made;
  {
    Ref<Button> a = h.make<Button>("ok");
    Ref<Button> b = h.make<Button>("cancel");
    Ref<Canvas> c = h.make<Canvas>();
    Ref<Poster> p = h.make<Poster>();
    Ref<Aligned> al = h.make<Aligned>();
    EXPECT_EQ(pyheap::type_of(*a).object_offset, sizeof(Widget));
    EXPECT_GE(pyheap::type_of(*c).object_offset, 120u);
    EXPECT_GT(Heap::allocated_size(p.get()), SmallObjectAllocator::kMaxSmallSize);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(al.get()) % 16, 0u);
    EXPECT_EQ(Heap::allocated_size(al.get()), SmallObjectAllocator::block_size_for(16 + sizeof(Aligned)));
    // The widget side still works through the Object-derived handle.
    const Widget& w = *a;
    EXPECT_EQ(w.title(), "button ok");
    for (const Object* o : {static_cast<Object*>(a.get()), static_cast<Object*>(b.get()), static_cast<Object*>(c.get()),
                            static_cast<Object*>(p.get()), static_cast<Object*>(al.get())}) {
      made.insert(o);
      EXPECT_EQ(&Heap::of(o), &h);
      EXPECT_TRUE(h.gc().is_tracked(o));
    }
    // Every object is enumerated exactly once, at its real address.
    std::multiset<const Object*> seen;
    h.for_each_object([&](Object& o) { seen.insert(&o); });
    EXPECT_EQ(seen.size(), 5u);
    for (const Object* o : made) EXPECT_EQ(seen.count(o), 1u);
    // Cycles through each kind: the collector must find every word.
    a->next = b;
    b->next = a;
    c->next = p;
    p->next = al;
    al->next = c;
    EXPECT_EQ(h.gc().get_referrers(b.get()).size(), 1u);
  }
  EXPECT_EQ(h.live_objects(), 5u);
  EXPECT_EQ(h.gc().collect(), 5u);
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_EQ(destroyed()["Button"], 2);
  EXPECT_EQ(destroyed()["Widget"], 2);
  EXPECT_EQ(destroyed()["Canvas"], 1);
  EXPECT_EQ(destroyed()["Poster"], 1);
  EXPECT_EQ(destroyed()["Aligned"], 1);
  EXPECT_TRUE(h.allocator().is_valid(2));
  EXPECT_EQ(h.allocator().stats().blocks_in_use, 0u);
  EXPECT_EQ(h.allocator().stats().large_count, 0u);
}

TEST(Polymorphic, RefCastsFollowTheDynamicType) {
  Heap h;
  Ref<Expr> e = h.make<Num>(5);
  Ref<Num> n = pyheap::dynamic_ref_cast<Num>(e);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->value, 5.0);
  EXPECT_EQ(e->refcount(), 2u);
  EXPECT_FALSE(pyheap::dynamic_ref_cast<Add>(e));
  EXPECT_EQ(e->refcount(), 2u) << "a failed cast takes no count";
  EXPECT_TRUE(n == e);
  Ref<Num> s = pyheap::static_ref_cast<Num>(e);
  EXPECT_EQ(s.get(), n.get());
  // The rvalue form moves the count over, or leaves the source alone.
  Ref<Expr> moved = e;
  Ref<Add> none = pyheap::dynamic_ref_cast<Add>(std::move(moved));
  EXPECT_FALSE(none);
  EXPECT_TRUE(moved);
  Ref<Num> taken = pyheap::dynamic_ref_cast<Num>(std::move(moved));
  EXPECT_TRUE(taken);
  EXPECT_FALSE(moved);
  EXPECT_EQ(e->refcount(), 4u);
  // A cross-cast between the two bases of a mixin, and equality across them: the Widget* and
  // the Object* of one Button are different addresses.
  Ref<Button> b = h.make<Button>("x");
  Ref<Object> as_object = b;
  EXPECT_NE(static_cast<const void*>(as_object.get()), static_cast<const void*>(static_cast<Widget*>(b.get())));
  EXPECT_TRUE(as_object == b);
  EXPECT_EQ(std::hash<Ref<Object>>{}(as_object), std::hash<Ref<Button>>{}(b));
}

TEST(Polymorphic, WeakReferencesAndTracingSeeTheSameObject) {
  Heap h;
  h.tracing().start();
  Ref<Button> b = h.make<Button>("w");
  WeakRef<Button> w(b);
  EXPECT_EQ(w.lock().get(), b.get());
  const auto site = h.allocation_site(b.get());
  ASSERT_TRUE(site.has_value());
  EXPECT_EQ(site->type, "Button");
  const auto request = [](const Object* o) { return pyheap::type_of(*o).block_request(o); };
  const std::size_t weak_bytes = request(w.handle().get());
  EXPECT_EQ(request(b.get()), 8 + sizeof(Button));
  EXPECT_EQ(h.tracing().traced_memory().current, request(b.get()) + weak_bytes);
  b.reset();
  EXPECT_TRUE(w.expired());
  EXPECT_EQ(h.tracing().traced_memory().current, weak_bytes);
}

}  // namespace
