// Collector workloads, pyheap's side (bench/gc_boehm.cpp and bench/cpython_workloads.py do the
// same on the same graphs, bench/graph.hpp).
//
//   gc_pyheap SIZE[,SIZE...] SHAPE[,SHAPE...]
//
// For each size and shape: the graph is built (nodes with two reference fields, all held by one
// List, the list held by one Ref), automatic collection off (CPython: gc.disable()), then
//   live      one untimed full collection moves everything to the oldest generation, then three
//             timed full collections of that live heap (each examines n+1 objects, frees none);
//   young     (ring only) three times: a chain of 1000 young nodes, each also pointing to a random
//             old node, held by one Ref; collect(0) timed; the chain dropped;
//   garbage   the list appends itself and the root is dropped: n+1 objects of cyclic garbage;
//             one timed full collection finds and frees them. The count it returns is the check.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "graph.hpp"
#include "pyheap/pyheap.hpp"

namespace {

using pyheap::Heap;
using pyheap::List;
using pyheap::Object;
using pyheap::Ref;

struct Node : Object {
  std::array<Ref<Object>, 2> f;
  void trace(pyheap::Tracer& t) { t(f); }
  static constexpr auto ref_members = pyheap::ref_members<Node>(&Node::f);
  // ~Node only drops f (tracer.hpp): the collector may free a garbage graph of Nodes (and the
  // List, which promises the same) without the reference-count cascade.
  using silent_destructor = Node;
};

constexpr int kTimedCollections = 3;
constexpr std::size_t kYoung = 1000;
constexpr std::uint64_t kYoungSeed = 99;

std::string label(const std::string& what, std::size_t n, const std::string& shape) {
  return what + " " + std::to_string(n) + " " + shape;
}

// "workers 2 (used); ms: merge 0.00 subtract 3.10 ..." from the collector's step timing (the last
// collection): what the figure is made of.
std::string steps_note(const pyheap::Collector& gc, bool parallel) {
  static const char* const names[] = {"merge", "subtract", "mark", "partition", "weakrefs", "finalizers",
                                      "resurrection", "free"};
  std::string note = "workers " + std::to_string(gc.workers()) + (parallel ? " (used)" : " (not used)") + "; ms:";
  char buf[64];
  for (int i = 0; i < pyheap::kNumGcSteps; ++i) {
    std::snprintf(buf, sizeof buf, " %s %.2f", names[i], gc.step_seconds()[i] * 1e3);
    note += buf;
  }
  return note;
}

void run(std::size_t n, const std::string& shape) {
  const bench::EdgeList g = bench::make_graph(shape, n);
  Heap heap;
  heap.gc().disable();
  if (const char* w = std::getenv("PYHEAP_GC_WORKERS")) heap.gc().set_workers(static_cast<unsigned>(std::atoi(w)));
  Ref<List> list = List::make(heap);
  std::vector<Node*> node(n);  // borrowed: the list holds the counts
  for (std::size_t i = 0; i < n; ++i) {
    Ref<Node> x = heap.make<Node>();
    node[i] = x.get();
    list->append(std::move(x));
  }
  for (std::size_t i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k)
      if (g.edge[2 * i + k] != bench::kNoEdge) node[i]->f[k] = Ref<Node>::borrow(node[g.edge[2 * i + k]]);

  heap.gc().set_step_timing(true);
  heap.gc().collect();
  for (int r = 0; r < kTimedCollections; ++r) {
    const auto parallel_before = heap.gc().stats()[2].parallel;
    const double t0 = bench::now_seconds();
    const std::size_t found = heap.gc().collect();
    const double t = bench::now_seconds() - t0;
    bench::emit(label("gc full, live heap", n, shape), "pyheap", t * 1e9 / n, "ns/object",
                bench::graph_check(g) + "/" + std::to_string(found),
                steps_note(heap.gc(), heap.gc().stats()[2].parallel != parallel_before));
  }

  if (shape == "ring") {
    bench::SplitMix64 rng(kYoungSeed);
    for (int r = 0; r < kTimedCollections; ++r) {
      Ref<Node> first = heap.make<Node>();
      Node* prev = first.get();
      prev->f[1] = Ref<Node>::borrow(node[rng.below(n)]);
      for (std::size_t i = 1; i < kYoung; ++i) {
        Ref<Node> y = heap.make<Node>();
        y->f[1] = Ref<Node>::borrow(node[rng.below(n)]);
        Node* raw = y.get();
        prev->f[0] = std::move(y);
        prev = raw;
      }
      const double t0 = bench::now_seconds();
      const std::size_t found = heap.gc().collect(0);
      const double t = bench::now_seconds() - t0;
      bench::emit("gc young 1000, " + std::to_string(n) + " old", "pyheap", t * 1e3, "ms",
                  "-/" + std::to_string(found));
    }
  }

  list->append(list);
  list.reset();
  const auto parallel_before = heap.gc().stats()[2].parallel;
  const double t0 = bench::now_seconds();
  const std::size_t found = heap.gc().collect();
  const double t = bench::now_seconds() - t0;
  bench::emit(label("gc cyclic garbage, collect+free", n, shape), "pyheap", t * 1e9 / n,
              "ns/object", bench::graph_check(g) + "/" + std::to_string(found),
              steps_note(heap.gc(), heap.gc().stats()[2].parallel != parallel_before));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: gc_pyheap SIZE[,SIZE...] ring|random[,...]\n");
    return 2;
  }
  for (const std::string& size : bench::split_commas(argv[1]))
    for (const std::string& shape : bench::split_commas(argv[2])) run(std::stoull(size), shape);
  return 0;
}
