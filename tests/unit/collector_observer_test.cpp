// CollectionObserver: each phase of a collection reported with the objects the collection really
// handled, and the collection's results unchanged by watching it.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "pyheap/heap.hpp"

using pyheap::CollectionObserver;
using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;
using pyheap::WeakReference;

namespace {

struct Named : Object {
  explicit Named(std::string n, Ref<Object>* r = nullptr) : name(std::move(n)), resurrect_into(r) {}
  std::string name;
  Ref<Object> a, b;
  Ref<Object>* resurrect_into;  // set: a finalizer that stores the object there (resurrection)
  void trace(Tracer& t) { t(a, b); }
};
// A finalizer only for some objects: a type with a finalize member always has one.
struct Finalized : Named {
  using Named::Named;
  void finalize() {
    if (resurrect_into) *resurrect_into = Ref<Object>::borrow(this);
  }
};
struct Weak : WeakReference {
  Weak(Object* referent, Callback cb, std::string n) : WeakReference(referent, std::move(cb)), name(std::move(n)) {}
  std::string name;
};

std::string name_of(const Object* o) {
  if (Heap::is_a<Weak>(o)) return static_cast<const Weak*>(o)->name;
  return static_cast<const Named*>(o)->name;
}

std::vector<std::string> names(std::span<Object* const> objects) {
  std::vector<std::string> out;
  for (const Object* o : objects) out.push_back(name_of(o));
  std::sort(out.begin(), out.end());
  return out;
}

using Names = std::vector<std::string>;

// Records every phase as text, in the order reported.
struct Recorder : CollectionObserver {
  std::vector<std::string> phases;
  int generation = -1;
  Names examined_names, reachable, unreachable, in_garbage, outside, callbacks, to_finalize, revived, garbage;
  std::map<std::string, int> refs_after_subtraction;
  std::size_t weakrefs_freed = 99, collected = 99;

  void examined(int g, std::span<Object* const> objects) override {
    phases.push_back("examined");
    generation = g;
    examined_names = names(objects);
  }
  void gc_refs(std::span<Object* const> objects, std::span<const std::int32_t> refs) override {
    phases.push_back("gc_refs");
    EXPECT_EQ(objects.size(), refs.size());
    for (std::size_t i = 0; i < objects.size(); ++i) refs_after_subtraction[name_of(objects[i])] = refs[i];
  }
  void partitioned(std::span<Object* const> r, std::span<Object* const> u) override {
    phases.push_back("partitioned");
    reachable = names(r);
    unreachable = names(u);
  }
  void weakrefs(const Weakrefs& w) override {
    phases.push_back("weakrefs");
    in_garbage = names(w.in_garbage);
    outside = names(w.outside);
    callbacks = names(w.callbacks);
  }
  void finalizing(std::span<Object* const> objects) override {
    phases.push_back("finalizing");
    to_finalize = names(objects);
  }
  void resurrected(std::span<Object* const> objects) override {
    phases.push_back("resurrected");
    revived = names(objects);
  }
  void freeing(std::span<Object* const> garbage, std::size_t wr_freed) override {
    phases.push_back("freeing");
    this->garbage = names(garbage);
    weakrefs_freed = wr_freed;
  }
  void finished(std::size_t n) override {
    phases.push_back("finished");
    collected = n;
  }
};

// The scene: variable `root` holds r, which holds a two-node cycle c1 <-> c2 (reachable from
// outside). Unreferenced: a ring g1 -> g2 -> g3 -> g1 where g2 has a finalizer that resurrects it
// (into `saved`), g3 holds h (a node with no finalizer). Weak references: wl (held by the test,
// callback) to g1; wg (held by g1, with a callback) to g3, part of the garbage; wn (held by the
// test, no callback) to g3.
struct Scene {
  Heap heap;
  Ref<Object> saved;
  Ref<Object> root;
  Ref<Object> wl, wn;
  std::vector<std::string> called;

  Scene() {
    heap.gc().disable();
    auto r = heap.make<Named>("r");
    auto c1 = heap.make<Named>("c1");
    auto c2 = heap.make<Named>("c2");
    r->a = c1;
    c1->a = c2;
    c2->a = c1;
    root = r;
    auto g1 = heap.make<Named>("g1");
    auto g2 = heap.make<Finalized>("g2", &saved);
    auto g3 = heap.make<Named>("g3");
    auto h = heap.make<Named>("h");
    g1->a = g2;
    g2->a = g3;
    g3->a = g1;
    g3->b = h;
    auto cb = [this](WeakReference& w) { called.push_back(static_cast<Weak&>(w).name); };
    wl = heap.make<Weak>(g1.get(), cb, "wl");
    g1->b = heap.make<Weak>(g3.get(), cb, "wg");
    wn = heap.make<Weak>(g3.get(), WeakReference::Callback{}, "wn");
  }
  ~Scene() {
    heap.gc().set_observer(nullptr);
    saved.reset();
  }
};

TEST(CollectorObserver, ReportsEveryPhaseWithTheObjectsTheCollectionHandled) {
  Scene s;
  Recorder rec;
  s.heap.gc().set_observer(&rec);
  const std::size_t n = s.heap.gc().collect();
  EXPECT_EQ(rec.phases, (Names{"examined", "gc_refs", "partitioned", "weakrefs", "finalizing", "resurrected",
                               "freeing", "finished"}));
  EXPECT_EQ(rec.generation, 2);
  EXPECT_EQ(rec.examined_names, (Names{"c1", "c2", "g1", "g2", "g3", "h", "r", "wg", "wl", "wn"}));
  // Only references from outside the examined set are left: the test's Refs (root, wl, wn).
  EXPECT_EQ(rec.refs_after_subtraction, (std::map<std::string, int>{{"c1", 0}, {"c2", 0}, {"g1", 0}, {"g2", 0}, {"g3", 0},
                                                      {"h", 0}, {"r", 1}, {"wg", 0}, {"wl", 1}, {"wn", 1}}));
  EXPECT_EQ(rec.reachable, (Names{"c1", "c2", "r", "wl", "wn"}));
  EXPECT_EQ(rec.unreachable, (Names{"g1", "g2", "g3", "h", "wg"}));
  EXPECT_EQ(rec.in_garbage, (Names{"wg"}));
  EXPECT_EQ(rec.outside, (Names{"wl", "wn"}));
  EXPECT_EQ(rec.callbacks, (Names{"wl"}));
  EXPECT_EQ(s.called, (Names{"wl"}));  // wg is garbage: cleared without its callback
  EXPECT_EQ(rec.to_finalize, (Names{"g2"}));
  // g2 resurrected itself, and it reaches the whole ring (and h): all of it survives.
  EXPECT_EQ(rec.revived, (Names{"g1", "g2", "g3", "h", "wg"}));
  EXPECT_TRUE(rec.garbage.empty());
  EXPECT_EQ(rec.weakrefs_freed, 0u);
  EXPECT_EQ(rec.collected, n);
  EXPECT_EQ(n, 0u);

  // Once more: the finalizer does not run again (PEP 442), so the ring is freed this time.
  s.saved.reset();
  Recorder again;
  s.heap.gc().set_observer(&again);
  EXPECT_EQ(s.heap.gc().collect(), 5u);
  EXPECT_TRUE(again.to_finalize.empty());
  EXPECT_TRUE(again.revived.empty());
  EXPECT_EQ(again.garbage, (Names{"g1", "g2", "g3", "h", "wg"}));
  EXPECT_EQ(again.collected, 5u);
  // Weak references were cleared the first time: nothing is left to clear.
  EXPECT_TRUE(again.in_garbage.empty());
  EXPECT_TRUE(again.outside.empty());
}

TEST(CollectorObserver, ObservingChangesNoResult) {
  // The same scene collected with and without an observer: same counts, same callbacks, same
  // survivors, collection after collection.
  for (const bool observed : {false, true}) {
    Scene s;
    Recorder rec;
    if (observed) s.heap.gc().set_observer(&rec);
    EXPECT_EQ(s.heap.gc().collect(0), 0u);
    EXPECT_EQ(s.called, (Names{"wl"}));
    EXPECT_TRUE(s.saved);
    s.saved.reset();
    EXPECT_EQ(s.heap.gc().collect(1), 5u) << "observed " << observed;
    EXPECT_EQ(s.heap.gc().tracked_count(), 5u);
  }
}

TEST(CollectorObserver, CountsWeakReferencesFreedByTheirOwnCallbacks) {
  Heap heap;
  heap.gc().disable();
  Recorder rec;
  heap.gc().set_observer(&rec);
  Ref<Object> w;
  {
    auto a = heap.make<Named>("a");
    a->a = a;  // a self-cycle
    w = heap.make<Weak>(a.get(), [&w](WeakReference&) { w.reset(); }, "w");
  }
  EXPECT_EQ(heap.gc().collect(), 2u);  // a, and w which dropped its last reference in its callback
  EXPECT_EQ(rec.callbacks, (Names{"w"}));
  EXPECT_EQ(rec.garbage, (Names{"a"}));
  EXPECT_EQ(rec.weakrefs_freed, 1u);
  EXPECT_EQ(rec.collected, 2u);
  heap.gc().set_observer(nullptr);
}

TEST(CollectorObserver, NestedRequestsAndAThrowingObserverDoNotStopTheCollection) {
  struct Thrower : CollectionObserver {
    Heap* heap = nullptr;
    int nested = -1;
    void examined(int, std::span<Object* const>) override {
      nested = static_cast<int>(heap->gc().collect());  // a nested request: returns 0, reports nothing
      throw std::runtime_error("observer failure");
    }
  };
  Heap heap;
  heap.gc().disable();
  std::vector<std::string> unraisable;
  heap.set_unraisable_hook([&](const pyheap::UnraisableInfo& info) { unraisable.push_back(info.where); });
  Thrower t;
  t.heap = &heap;
  heap.gc().set_observer(&t);
  {
    auto a = heap.make<Named>("a");
    a->a = a;
  }
  EXPECT_EQ(heap.gc().collect(), 1u);
  EXPECT_EQ(t.nested, 0);
  EXPECT_EQ(unraisable, (Names{"collection observer (examined)"}));
  heap.gc().set_observer(nullptr);
}

}  // namespace
