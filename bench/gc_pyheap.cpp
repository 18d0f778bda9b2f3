// Collector workloads, pyheap's side (bench/gc_boehm.cpp, bench/gc_cppgc.cpp and
// bench/cpython_workloads.py do the same on the same graphs, bench/graph.hpp).
//
//   gc_pyheap SIZE[,SIZE...] SHAPE[,SHAPE...] [--workers N] [--subject NAME] [--live-only]
//             [--garbage-only] [--opt-in]
//
// For each size and shape: the graph is built (nodes with two reference fields, all held by one
// List, the list held by one Ref), automatic collection off (CPython: gc.disable()), then
//   live      one untimed full collection moves everything to the oldest generation, then three
//             timed full collections of that live heap (each examines n+1 objects, frees none);
//             with --live-only the figure is the pause in ms ("gc full pause, ...");
//   young     (ring only) three times: a chain of 1000 young nodes, each also pointing to a random
//             old node, held by one Ref; collect(0) timed; the chain dropped;
//   garbage   the list appends itself and the root is dropped: n+1 objects of cyclic garbage;
//             one timed full collection finds and frees them. The count it returns is the check.
// The node is written the default way, as the README's first example writes a type: a trace hook
// and nothing else (issue 20), so the collector calls the hook for every node it walks and frees
// the garbage through the reference-count cascade.
// --opt-in: the node also publishes its slots (ref_members) and promises a silent destructor
// (tracer.hpp): the collector reads the slots directly and frees the garbage in bulk without the
// cascade (the subject run.py shows as "pyheap, ref_members (opt-in)").
// --workers N: the collector's worker threads (Collector::set_workers; default: one per core).
// --parallel-threshold N: Collector::set_parallel_threshold (a huge N: CPython's two walks on
// one thread for every size).
// Every figure says how many threads collected it (1 when the set was below the collector's
// parallel threshold) and, in its note, the time of each step of the collection.
// --garbage-only: the garbage figure alone (the untimed collection still runs first).
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

// The default node: a trace hook and nothing else.
struct Node : Object {
  std::array<Ref<Object>, 2> f;
  void trace(pyheap::Tracer& t) { t(f); }
};

// The same node with both opt-in traits: its slots published, and (~PublishedNode only drops f)
// the promise of a silent destructor, so that a garbage graph of them (and of the List, which
// promises the same) is freed without the reference-count cascade (collector.hpp).
struct PublishedNode : Object {
  std::array<Ref<Object>, 2> f;
  void trace(pyheap::Tracer& t) { t(f); }
  static constexpr auto ref_members = pyheap::ref_members<PublishedNode>(&PublishedNode::f);
  using silent_destructor = PublishedNode;
};

constexpr int kTimedCollections = 3;
constexpr std::size_t kYoung = 1000;
constexpr std::uint64_t kYoungSeed = 99;

struct Options {
  unsigned workers = 0;
  std::string subject = "pyheap";
  bool live_only = false;
  bool garbage_only = false;
  bool opt_in = false;
  long long threshold = -1;
};

std::string label(const std::string& what, std::size_t n, const std::string& shape) {
  return what + " " + std::to_string(n) + " " + shape;
}

// "joins 2; ms: merge 0.00 subtract 3.10 ..." from the collector's step timing (the last
// collection), after how many times a worker thread joined one of its parallel steps.
std::string steps_note(const pyheap::Collector& gc, std::uint64_t joins) {
  static const char* const names[] = {"merge", "subtract", "mark", "partition", "weakrefs", "finalizers",
                                      "resurrection", "free"};
  std::string note = "worker joins " + std::to_string(joins) + "; ms:";
  char buf[64];
  for (int i = 0; i < pyheap::kNumGcSteps; ++i) {
    std::snprintf(buf, sizeof buf, " %s %.2f", names[i], gc.step_seconds()[i] * 1e3);
    note += buf;
  }
  return note;
}

// Times one full collection: seconds, the count it returned, and how many threads ran it: the
// workers if one of them really took part in a step (Collector::worker_joins), else 1.
struct Timed {
  double seconds;
  std::size_t found;
  unsigned threads;
  std::uint64_t joins;
};
Timed timed_collect(Heap& heap, int generation) {
  const auto before = heap.gc().stats()[generation].parallel;
  const auto joins_before = heap.gc().worker_joins();
  const double t0 = bench::now_seconds();
  const std::size_t found = heap.gc().collect(generation);
  const double t = bench::now_seconds() - t0;
  const bool parallel = heap.gc().stats()[generation].parallel != before;
  const std::uint64_t joins = heap.gc().worker_joins() - joins_before;
  return {t, found, parallel && joins > 0 ? heap.gc().workers() : 1u, joins};
}

template <class N>
void run(std::size_t n, const std::string& shape, const Options& opt) {
  const bench::EdgeList g = bench::make_graph(shape, n);
  Heap heap;
  heap.gc().disable();
  heap.gc().set_workers(opt.workers);
  if (opt.threshold >= 0) heap.gc().set_parallel_threshold(static_cast<std::size_t>(opt.threshold));
  heap.gc().set_step_timing(true);
  Ref<List> list = List::make(heap);
  std::vector<N*> node(n);  // borrowed: the list holds the counts
  for (std::size_t i = 0; i < n; ++i) {
    Ref<N> x = heap.make<N>();
    node[i] = x.get();
    list->append(std::move(x));
  }
  for (std::size_t i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k)
      if (g.edge[2 * i + k] != bench::kNoEdge) node[i]->f[k] = Ref<N>::borrow(node[g.edge[2 * i + k]]);

  heap.gc().collect();
  for (int r = 0; r < (opt.garbage_only ? 0 : kTimedCollections); ++r) {
    const Timed t = timed_collect(heap, 2);
    const std::string check = bench::graph_check(g) + "/" + std::to_string(t.found);
    if (opt.live_only)
      bench::emit(label("gc full pause, live heap", n, shape), opt.subject, t.seconds * 1e3, "ms", check,
                  steps_note(heap.gc(), t.joins), t.threads);
    else
      bench::emit(label("gc full, live heap", n, shape), opt.subject, t.seconds * 1e9 / n, "ns/object", check,
                  steps_note(heap.gc(), t.joins), t.threads);
  }
  if (opt.live_only) return;

  if (shape == "ring" && !opt.garbage_only) {
    bench::SplitMix64 rng(kYoungSeed);
    for (int r = 0; r < kTimedCollections; ++r) {
      Ref<N> first = heap.make<N>();
      N* prev = first.get();
      prev->f[1] = Ref<N>::borrow(node[rng.below(n)]);
      for (std::size_t i = 1; i < kYoung; ++i) {
        Ref<N> y = heap.make<N>();
        y->f[1] = Ref<N>::borrow(node[rng.below(n)]);
        N* raw = y.get();
        prev->f[0] = std::move(y);
        prev = raw;
      }
      const Timed t = timed_collect(heap, 0);
      bench::emit("gc young 1000, " + std::to_string(n) + " old", opt.subject, t.seconds * 1e3, "ms",
                  "-/" + std::to_string(t.found), "", t.threads);
    }
  }

  list->append(list);
  list.reset();
  const Timed t = timed_collect(heap, 2);
  bench::emit(label("gc cyclic garbage, collect+free", n, shape), opt.subject, t.seconds * 1e9 / n, "ns/object",
              bench::graph_check(g) + "/" + std::to_string(t.found), steps_note(heap.gc(), t.joins), t.threads);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: gc_pyheap SIZE[,SIZE...] ring|random[,...] [--workers N] [--subject NAME] "
                 "[--live-only] [--garbage-only] [--opt-in]\n");
    return 2;
  }
  Options opt;
  opt.workers = static_cast<unsigned>(std::stoul(bench::option(argc, argv, "workers", "0")));
  opt.subject = bench::option(argc, argv, "subject", "pyheap");
  opt.live_only = bench::flag(argc, argv, "live-only");
  opt.garbage_only = bench::flag(argc, argv, "garbage-only");
  opt.threshold = std::stoll(bench::option(argc, argv, "parallel-threshold", "-1"));
  opt.opt_in = bench::flag(argc, argv, "opt-in");
  for (const std::string& size : bench::split_commas(argv[1]))
    for (const std::string& shape : bench::split_commas(argv[2])) {
      if (opt.opt_in) run<PublishedNode>(std::stoull(size), shape, opt);
      else run<Node>(std::stoull(size), shape, opt);
    }
  return 0;
}
