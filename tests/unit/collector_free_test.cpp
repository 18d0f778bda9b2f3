// How the collector frees cyclic garbage (collector.hpp step 6): through the reference-count
// cascade, in CPython's order, with the blocks given back together at the end; or, when nothing
// could tell the difference, without the cascade (types with a silent destructor, tracer.hpp).
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "pyheap/heap.hpp"
#include "pyheap/list.hpp"
#include "pyheap/str.hpp"

using pyheap::Heap;
using pyheap::List;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Str;
using pyheap::Tracer;
using pyheap::WeakRef;
using pyheap::WeakReference;

namespace {

using Log = std::vector<std::string>;

// Logs its death after dropping its references (as CPython's slot clearing, then the free).
struct Loud : Object {
  Loud(std::string n, Log* l) : name(std::move(n)), log(l) {}
  ~Loud() {
    for (auto& x : f) x.reset();
    log->push_back("del " + name);
  }
  std::array<Ref<Object>, 2> f;
  std::string name;
  Log* log;
  void trace(Tracer& t) { t(f); }
  static constexpr auto ref_members = pyheap::ref_members<Loud>(&Loud::f);
};

// Promises that its destructor does nothing but drop f.
struct Quiet : Object {
  std::array<Ref<Object>, 2> f;
  void trace(Tracer& t) { t(f); }
  static constexpr auto ref_members = pyheap::ref_members<Quiet>(&Quiet::f);
  using silent_destructor = Quiet;
};

std::size_t blocks_in_use(const Heap& h) { return h.allocator().stats().blocks_in_use; }

// A cycle a -> b -> c -> a, made in that order. CPython clears a first: dropping a's reference
// kills b at once, whose deallocation drops c, which dies while b is still being deallocated
// (its reference to a only lowers a's count: a is held by the collector). a dies when the
// collector lets go of it. So: c's destructor finishes first, then b's, then a's.
TEST(CollectorFree, GarbageDiesInCPythonsCascadeOrder) {
  Log log;
  Heap heap;
  heap.gc().disable();
  const std::size_t before = blocks_in_use(heap);
  {
    auto a = heap.make<Loud>("a", &log);
    auto b = heap.make<Loud>("b", &log);
    auto c = heap.make<Loud>("c", &log);
    a->f[0] = b;
    b->f[0] = c;
    c->f[0] = a;
  }
  EXPECT_EQ(heap.gc().collect(), 3u);
  EXPECT_EQ(log, (Log{"del c", "del b", "del a"}));
  EXPECT_EQ(blocks_in_use(heap), before);
  EXPECT_TRUE(heap.allocator().is_valid(2));
  EXPECT_TRUE(heap.gc().is_valid(2));
}

// A garbage object that dies in an earlier object's cascade drops its references when it dies,
// before the collector's loop reaches it: here the frozen weak reference c holds dies before x,
// the frozen object b holds, so x's death finds no weak reference and no callback runs.
// (tests/cpython/found/hand-bulk-cascade-order.heap checks the same against CPython.)
TEST(CollectorFree, ReferencesOutsideTheGarbageAreDroppedInCascadeOrder) {
  Log log;
  Heap heap;
  heap.gc().disable();
  auto x = heap.make<Loud>("x", &log);
  WeakRef<Loud> w(x, [&log](WeakReference&) { log.push_back("callback"); });
  heap.gc().freeze();
  {
    auto a = heap.make<Loud>("a", &log);
    auto b = heap.make<Loud>("b", &log);
    auto c = heap.make<Loud>("c", &log);
    a->f[0] = b;
    b->f[0] = c;
    b->f[1] = x;
    c->f[0] = a;
    c->f[1] = w.handle();
  }
  x.reset();
  w.reset();
  EXPECT_EQ(heap.gc().collect(0), 3u);
  EXPECT_EQ(log, (Log{"del c", "del x", "del b", "del a"}));
}

// Silent garbage: a cycle of Quiet objects and a List, referring to a survivor (its count drops
// by one, it lives on) and to a string nothing else holds (it dies with the garbage).
TEST(CollectorFree, SilentGarbageIsFreedAndReleasesWhatItHeld) {
  Heap heap;
  heap.gc().disable();
  const std::size_t before = blocks_in_use(heap);
  auto survivor = heap.make<Quiet>();
  {
    auto a = heap.make<Quiet>();
    auto b = heap.make<Quiet>();
    auto list = List::make(heap);
    a->f[0] = b;
    a->f[1] = survivor;
    b->f[0] = list;
    b->f[1] = Str::make(heap, "only the garbage holds this string");
    list->append(a);
    list->append(b);
    list->append(list);
  }
  EXPECT_EQ(survivor->refcount(), 2u);
  EXPECT_EQ(heap.live_objects(), 5u);
  EXPECT_EQ(heap.gc().collect(), 3u);
  EXPECT_EQ(heap.live_objects(), 1u);
  EXPECT_EQ(survivor->refcount(), 1u);
  EXPECT_TRUE(heap.allocator().is_valid(2));
  EXPECT_TRUE(heap.gc().is_valid(2));
  survivor.reset();
  EXPECT_EQ(blocks_in_use(heap), before);
}

// A weak reference to an object the silent garbage holds makes the garbage "loud": it goes
// through the cascade, and the callback runs (once) when the referent dies.
TEST(CollectorFree, AWeakReferenceOutsideTheGarbageStillGetsItsCallback) {
  Log log;
  Heap heap;
  heap.gc().disable();
  auto s = Str::make(heap, "watched");
  WeakRef<Str> w(s, [&log](WeakReference&) { log.push_back("callback"); });
  {
    auto a = heap.make<Quiet>();
    auto b = heap.make<Quiet>();
    a->f[0] = b;
    b->f[0] = a;
    b->f[1] = s;
  }
  s.reset();
  EXPECT_EQ(heap.gc().collect(), 2u);
  EXPECT_EQ(log, (Log{"callback"}));
  EXPECT_TRUE(w.expired());
}

// Both ways of freeing leave the heap and the allocator in the same state.
TEST(CollectorFree, SilentAndCascadeFreeTheSameBlocks) {
  auto build = [](Heap& heap, bool silent, Log* log) {
    std::vector<Ref<Object>> nodes;
    for (int i = 0; i < 3000; ++i)
      nodes.push_back(silent ? Ref<Object>(heap.make<Quiet>()) : Ref<Object>(heap.make<Loud>("n", log)));
    for (int i = 0; i < 3000; ++i) {
      auto* from = nodes[static_cast<std::size_t>(i)].get();
      Ref<Object> to = nodes[static_cast<std::size_t>((i * 7 + 1) % 3000)];
      if (silent) static_cast<Quiet*>(from)->f[0] = to;
      else static_cast<Loud*>(from)->f[0] = to;
    }
  };
  Log log;
  Heap quiet, loud;
  quiet.gc().disable();
  loud.gc().disable();
  build(quiet, true, &log);
  build(loud, false, &log);
  EXPECT_EQ(quiet.gc().collect(), 3000u);
  EXPECT_EQ(loud.gc().collect(), 3000u);
  EXPECT_EQ(log.size(), 3000u);
  EXPECT_EQ(quiet.live_objects(), 0u);
  EXPECT_EQ(loud.live_objects(), 0u);
  EXPECT_EQ(quiet.allocator().stats().blocks_in_use, loud.allocator().stats().blocks_in_use);
  EXPECT_TRUE(quiet.allocator().is_valid(2));
  EXPECT_TRUE(loud.allocator().is_valid(2));
}

}  // namespace
