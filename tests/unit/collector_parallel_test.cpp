// The collector's worker threads (Collector::set_workers, src/gc/recorded_partition.hpp) must not
// change anything a program can see: the same heap, collected on one thread and with the workers
// forced on for every collection, must give the same collect() values, the same events in the
// same order (finalizers, weak reference callbacks, destructors) and the same generation lists in
// the same order. Random heaps mix every kind of object the collector walks differently: types
// that publish their references (ref_members, ref_array) and types traced through their hook,
// weak references with callbacks, finalizers that resurrect, objects made before the objects that
// hold them (move_unreachable takes those back), several generations, frozen objects.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "pyheap/heap.hpp"

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;
using pyheap::WeakReference;

namespace {

using Log = std::vector<std::string>;

// Every test object carries an id and logs its death.
struct Tagged : Object {
  Tagged(int i, Log* l) : id(i), log(l) {}
  ~Tagged() { log->push_back("del " + std::to_string(id)); }
  int id;
  Log* log;
};

// References at fixed places, published.
struct Fixed : Tagged {
  using Tagged::Tagged;
  std::array<Ref<Object>, 3> f;
  Ref<Object> g;
  void trace(Tracer& t) { t(f, g); }
  static constexpr auto ref_members = pyheap::ref_members<Fixed>(&Fixed::f, &Fixed::g);
};

// The same shape traced through its hook only.
struct Hooked : Tagged {
  using Tagged::Tagged;
  std::vector<Ref<Object>> kids;
  void trace(Tracer& t) { t(kids); }
};

// One array of references, published with ref_array (as List and Tuple do).
struct Array : Tagged {
  using Tagged::Tagged;
  std::vector<Ref<Object>> items;
  void trace(Tracer& t) { t(items); }
  std::span<const Ref<Object>> ref_array() const noexcept { return {items.data(), items.size()}; }
};

// What finalizers resurrect into; closed while the heap is torn down.
struct Keep {
  std::vector<Ref<Object>> refs;
  bool closed = false;
  // Dropping a reference can run a finalizer that resurrects into refs: never while refs is
  // being cleared.
  void drop_all() {
    std::vector<Ref<Object>> old;
    old.swap(refs);
  }
};

// Inherits Fixed's trace and list; finalizes once, and may resurrect itself into `keep`.
struct Final : Fixed {
  Final(int i, Log* l, Keep* k, bool r) : Fixed(i, l), keep(k), resurrect(r) {}
  void finalize() {
    log->push_back("fin " + std::to_string(id));
    if (resurrect && !keep->closed) keep->refs.push_back(Ref<Object>::borrow(this));
  }
  Keep* keep;
  bool resurrect;
};

struct Weak : WeakReference {
  Weak(Object* referent, Callback cb, int i, Log* l) : WeakReference(referent, std::move(cb)), id(i), log(l) {}
  ~Weak() { log->push_back("del w" + std::to_string(id)); }
  int id;
  Log* log;
};

int id_of(const Object* o) {
  if (Heap::is_a<Weak>(o)) return -1 - static_cast<const Weak*>(o)->id;
  return static_cast<const Tagged*>(o)->id;
}

// Adds a reference from `from` to `to`, in whichever slot kind `from` has.
void link(Object* from, Ref<Object> to, std::mt19937_64& rng) {
  if (Heap::is_a<Fixed>(from) || Heap::is_a<Final>(from)) {
    auto* x = static_cast<Fixed*>(from);
    const auto slot = rng() % 4;
    if (slot == 3) x->g = std::move(to); else x->f[slot] = std::move(to);
  } else if (Heap::is_a<Hooked>(from)) {
    static_cast<Hooked*>(from)->kids.push_back(std::move(to));
  } else if (Heap::is_a<Array>(from)) {
    static_cast<Array*>(from)->items.push_back(std::move(to));
  }
}

// One heap run through a seeded recipe; everything observable goes to `log`.
struct World {
  Log log;
  Keep keep;  // what finalizers resurrect
  std::unique_ptr<Heap> heap = std::make_unique<Heap>();

  World(unsigned workers, std::size_t threshold) {
    heap->gc().disable();
    heap->gc().set_workers(workers);
    heap->gc().set_parallel_threshold(threshold);
  }
  ~World() {
    keep.closed = true;
    keep.drop_all();
    heap.reset();  // teardown may log: log outlives the heap
  }

  void snapshot_lists(const std::string& when) {
    for (int g = 0; g < pyheap::kNumGenerations; ++g) {
      std::string line = when + " gen" + std::to_string(g) + ":";
      for (const auto& o : heap->gc().get_objects(g)) line += " " + std::to_string(id_of(o.get()));
      log.push_back(line);
    }
  }

  void collect(int generation) {
    log.push_back("collect " + std::to_string(generation) + " -> " +
                  std::to_string(heap->gc().collect(generation)));
    snapshot_lists("after");
  }

  void run(std::uint64_t seed, std::size_t n) {
    std::mt19937_64 rng(seed);
    std::vector<Ref<Object>> roots;  // the program's own references
    std::vector<Ref<Object>> objs;   // every object made, until dropped below
    int next_id = 0;
    auto make_one = [&]() -> Ref<Object> {
      const int id = next_id++;
      switch (rng() % 8) {
        case 0: case 1: case 2: return heap->make<Fixed>(id, &log);
        case 3: case 4: return heap->make<Hooked>(id, &log);
        case 5: return heap->make<Array>(id, &log);
        default: return heap->make<Final>(id, &log, &keep, rng() % 3 == 0);
      }
    };
    for (int round = 0; round < 4; ++round) {
      const std::size_t base = objs.size();
      for (std::size_t i = 0; i < n; ++i) objs.push_back(make_one());
      // Edges: mostly to random objects of any age (forward and backward in list order), some
      // to the next object (chains), a few self-loops.
      for (std::size_t i = base; i < objs.size(); ++i) {
        const auto k = rng() % 4;
        for (std::uint64_t e = 0; e < k; ++e) {
          const auto kind = rng() % 10;
          std::size_t to = kind < 6 ? rng() % objs.size() : kind < 9 ? (i + 1) % objs.size() : i;
          link(objs[i].get(), objs[to], rng);
        }
      }
      // Weak references, with and without callbacks, to random objects; some held from outside,
      // some stored in objects (garbage weak references), some dropped at once.
      for (std::size_t i = 0; i < n / 8; ++i) {
        Object* target = objs[rng() % objs.size()].get();
        const int wid = next_id++;
        WeakReference::Callback cb;
        if (rng() % 2) cb = [this, wid](WeakReference&) { log.push_back("cb w" + std::to_string(wid)); };
        Ref<Object> w = heap->make<Weak>(target, std::move(cb), wid, &log);
        const auto where = rng() % 3;
        if (where == 0) roots.push_back(std::move(w));
        else if (where == 1) link(objs[rng() % objs.size()].get(), std::move(w), rng);
      }
      // The program keeps some objects; the rest are held only by the heap's own references.
      for (std::size_t i = base; i < objs.size(); ++i)
        if (rng() % 5 == 0) roots.push_back(objs[i]);
      // Drop our own references to most objects (the heap's references remain).
      for (std::size_t i = 0; i < objs.size(); ++i)
        if (rng() % 4 != 0) objs[i].reset();
      std::erase(objs, Ref<Object>());
      if (objs.empty()) objs.push_back(make_one());
      switch (round) {
        case 0: collect(0); break;
        case 1: collect(1); break;
        case 2:
          heap->gc().freeze();
          log.push_back("freeze");
          break;
        default: break;
      }
      // Drop some roots: their objects become garbage if nothing else holds them.
      for (auto& r : roots)
        if (rng() % 3 == 0) r.reset();
      std::erase(roots, Ref<Object>());
      collect(static_cast<int>(rng() % 3));
    }
    heap->gc().unfreeze();
    collect(2);
    roots.clear();
    objs.clear();
    collect(2);
    keep.drop_all();  // resurrected objects die again (their finalizers never run twice)
    collect(2);
  }
};

void expect_same_run(std::uint64_t seed, std::size_t n, unsigned workers) {
  World one(1, pyheap::Collector::kDefaultParallelThreshold);
  World many(workers, 0);
  one.run(seed, n);
  many.run(seed, n);
  ASSERT_EQ(one.log.size(), many.log.size()) << "seed " << seed;
  for (std::size_t i = 0; i < one.log.size(); ++i)
    ASSERT_EQ(one.log[i], many.log[i]) << "seed " << seed << ", event " << i;
  // The workers really ran: every collection of `many` went through them.
  std::uint64_t parallel = 0, collections = 0;
  for (const auto& s : many.heap->gc().stats()) {
    parallel += s.parallel;
    collections += s.collections;
  }
  EXPECT_EQ(parallel, collections);
}

TEST(CollectorParallel, SmallRandomHeapsSameAsOneThread) {
  for (std::uint64_t seed = 1; seed <= 150; ++seed) expect_same_run(seed, 40, 2);
}

TEST(CollectorParallel, ThreeWorkersSameAsOneThread) {
  for (std::uint64_t seed = 1000; seed <= 1040; ++seed) expect_same_run(seed, 60, 3);
}

// Several chunks of positions (4096 each) and several owner ranges per collection.
TEST(CollectorParallel, LargeRandomHeapsSameAsOneThread) {
  for (std::uint64_t seed = 5000; seed <= 5003; ++seed) expect_same_run(seed, 6000, 2);
}

// Only the single-threaded heap's statistics say "never parallel"; the forced one's say always.
TEST(CollectorParallel, ThresholdDecidesWhichCollectionsUseTheWorkers) {
  Heap heap;
  heap.gc().disable();
  heap.gc().set_workers(2);
  heap.gc().set_parallel_threshold(100);
  Log log;
  std::vector<Ref<Object>> small;
  for (int i = 0; i < 10; ++i) small.push_back(heap.make<Fixed>(i, &log));
  heap.gc().collect(0);  // 10 objects: below the threshold
  EXPECT_EQ(heap.gc().stats()[0].parallel, 0u);
  for (int i = 0; i < 200; ++i) small.push_back(heap.make<Fixed>(100 + i, &log));
  heap.gc().collect(2);  // 210 objects
  EXPECT_EQ(heap.gc().stats()[2].parallel, 1u);
  heap.gc().set_workers(1);  // never, whatever the size
  heap.gc().collect(2);
  EXPECT_EQ(heap.gc().stats()[2].parallel, 1u);
  EXPECT_EQ(heap.gc().workers(), 1u);
  heap.gc().set_workers(0);
  EXPECT_GE(heap.gc().workers(), 1u);
  small.clear();
}

// Objects made before the object that holds them: move_unreachable sets them aside, then takes
// them back when it scans their holder, so they end up after it, in the order taken back. Checked
// against the order worked out by hand, on both paths.
TEST(CollectorParallel, TakenBackObjectsFollowTheirHolder) {
  for (unsigned workers : {1u, 2u}) {
    Log log;
    Heap heap;
    heap.gc().disable();
    heap.gc().set_workers(workers);
    heap.gc().set_parallel_threshold(0);
    Ref<Object> a = heap.make<Fixed>(0, &log);
    Ref<Object> b = heap.make<Fixed>(1, &log);
    Ref<Object> c = heap.make<Fixed>(2, &log);
    Ref<Object> holder = heap.make<Fixed>(3, &log);
    static_cast<Fixed*>(holder.get())->f = {c, a, Ref<Object>()};  // reports c, then a
    static_cast<Fixed*>(a.get())->f[0] = b;                        // a then reaches b
    a.reset();
    b.reset();
    c.reset();
    // 0, 1 and 2 have gc_refs 0 when the scan reaches them; 3 is held from outside. Scanning 3
    // takes back 2, then 0; scanning 0 takes back 1.
    EXPECT_EQ(heap.gc().collect(0), 0u);
    std::vector<int> order;
    for (const auto& o : heap.gc().get_objects(1)) order.push_back(id_of(o.get()));
    EXPECT_EQ(order, (std::vector<int>{3, 2, 0, 1})) << "workers " << workers;
    holder.reset();  // no cycle: all four die by reference counting
    EXPECT_EQ(heap.live_objects(), 0u);
  }
}

}  // namespace

namespace {

// The two shortcuts of the worker path (recorded_partition.hpp), each against one thread.
std::vector<std::string> shortcut_run(unsigned workers, bool garbage) {
  Log log;
  {
    Heap heap;
    heap.gc().disable();
    heap.gc().set_workers(workers);
    heap.gc().set_parallel_threshold(0);
    // Made before what they point to: every object has its parent below it.
    Ref<Object> root = heap.make<Array>(0, &log);
    std::vector<Ref<Object>> made;
    for (int i = 1; i <= 50; ++i) {
      made.push_back(heap.make<Fixed>(i, &log));
      static_cast<Array*>(root.get())->items.push_back(made.back());
      if (i > 1) static_cast<Fixed*>(made[made.size() - 2].get())->f[0] = made.back();
    }
    static_cast<Fixed*>(made.back().get())->f[0] = root;  // and a cycle through all of them
    made.clear();
    if (garbage) root.reset();  // nothing has gc_refs > 0 any more
    log.push_back("collect -> " + std::to_string(heap.gc().collect(0)));
    std::string order = "gen1:";
    for (const auto& o : heap.gc().get_objects(1)) order += " " + std::to_string(id_of(o.get()));
    log.push_back(order);
    log.push_back("parallel " + std::to_string(heap.gc().stats()[0].parallel));
  }
  return log;
}

TEST(CollectorParallel, EverythingReachableInPlace) {
  auto one = shortcut_run(1, false), two = shortcut_run(2, false);
  EXPECT_EQ(one[1], two[1]);
  EXPECT_EQ(two[0], "collect -> 0");
  EXPECT_EQ(two[2], "parallel 1");
}

TEST(CollectorParallel, NothingReachable) {
  auto one = shortcut_run(1, true), two = shortcut_run(2, true);
  ASSERT_EQ(one.size(), two.size());
  for (std::size_t i = 0; i + 1 < one.size(); ++i) EXPECT_EQ(one[i], two[i]) << i;  // deaths in the same order
  EXPECT_EQ(two[two.size() - 1], "parallel 1");
}

}  // namespace

namespace {

// The worker threads really take part (on a loaded machine a thread may be scheduled too late for
// one collection, never for all of them): the ThreadSanitizer run (scripts/tsan.sh) relies on it.
TEST(CollectorParallel, WorkerThreadsTakePart) {
  Log log;
  Heap heap;
  heap.gc().disable();
  heap.gc().set_workers(2);
  heap.gc().set_parallel_threshold(0);
  std::vector<Ref<Object>> keep;
  for (int i = 0; i < 60000; ++i) {
    keep.push_back(heap.make<Fixed>(i, &log));
    if (i > 0) static_cast<Fixed*>(keep[static_cast<std::size_t>(i - 1)].get())->f[0] = keep.back();
  }
  for (int attempt = 0; attempt < 500 && heap.gc().worker_joins() == 0; ++attempt) heap.gc().collect();
  EXPECT_GT(heap.gc().worker_joins(), 0u);
  keep.clear();
}

}  // namespace
