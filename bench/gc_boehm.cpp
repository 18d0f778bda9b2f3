// Collector workloads, Boehm GC's side: the graphs of bench/graph.hpp with GC_MALLOC'd nodes
// (two pointer fields) held by one GC_MALLOC'd array of n pointers, the array held by one root.
//
//   gc_boehm SIZE[,SIZE...] SHAPE[,SHAPE...] [--subject NAME] [--live-only]
//
//   live      one untimed GC_gcollect(), then three timed ones: a full mark from the roots over
//             the n+1 objects, nothing freed;
//   garbage   the root is cleared, then collect and free. GC_gcollect() frees at once the heap
//             blocks in which nothing is marked, but leaves partly marked blocks to a lazy sweep
//             (done by later allocations), which would be less work than pyheap's and CPython's
//             collect(), which free every object. To count that sweep too, GC_try_to_collect()
//             with a stop function of our own follows: before marking, it reclaims every block
//             the previous collection left unswept. The figure is  GC_gcollect()
//             + GC_try_to_collect() (the rest of the sweep plus an empty mark)  -  one more
//             GC_try_to_collect() (an empty sweep and an empty mark; the median of three).
// Boehm scans the stack and registers conservatively; the builder keeps no node pointer in
// locals once the root is cleared. Marking runs on GC_MARKERS threads (the driver sets it to the
// number of pyheap's collector workers, or to 1): the program is built with GC_THREADS and starts
// the marker threads itself (a single-threaded client otherwise never gets them, whatever
// GC_MARKERS says), and every figure reports how many marked (GC_get_parallel() + 1).
// --live-only: the live figures only, as the pause in ms ("gc full pause, ...").
#define GC_THREADS
#include <gc.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "graph.hpp"

namespace {

struct BNode {
  BNode* f[2];
};

BNode** volatile g_root = nullptr;  // the only root besides the stack

constexpr int kTimedCollections = 3;

// Never asks to stop; being a different function from Boehm's GC_never_stop_func is the point
// (see the garbage phase above).
int GC_CALLBACK never_stop() { return 0; }

double timed(void (*f)()) {
  const double t0 = bench::now_seconds();
  f();
  return bench::now_seconds() - t0;
}

std::string label(const std::string& what, std::size_t n, const std::string& shape) {
  return what + " " + std::to_string(n) + " " + shape;
}

__attribute__((noinline)) void build(const bench::EdgeList& g) {
  const std::size_t n = g.n;
  BNode** array = static_cast<BNode**>(GC_MALLOC(n * sizeof(BNode*)));
  g_root = array;
  for (std::size_t i = 0; i < n; ++i) array[i] = static_cast<BNode*>(GC_MALLOC(sizeof(BNode)));
  for (std::size_t i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k)
      array[i]->f[k] = g.edge[2 * i + k] == bench::kNoEdge ? nullptr : array[g.edge[2 * i + k]];
}

unsigned markers() { return static_cast<unsigned>(GC_get_parallel()) + 1; }

void run(std::size_t n, const std::string& shape, const std::string& subject, bool live_only) {
  const bench::EdgeList g = bench::make_graph(shape, n);
  build(g);
  GC_gcollect();
  for (int r = 0; r < kTimedCollections; ++r) {
    const double t0 = bench::now_seconds();
    GC_gcollect();
    const double t = bench::now_seconds() - t0;
    if (live_only)
      bench::emit(label("gc full pause, live heap", n, shape), subject, t * 1e3, "ms", bench::graph_check(g) + "/0",
                  "", markers());
    else
      bench::emit(label("gc full, live heap", n, shape), subject, t * 1e9 / n, "ns/object",
                  bench::graph_check(g) + "/0", "", markers());
  }
  g_root = nullptr;
  if (live_only) {
    GC_gcollect();  // free this graph before the next one is built
    return;
  }
  const double mark = timed([] { GC_gcollect(); });
  const double sweep_and_empty_mark = timed([] { GC_try_to_collect(never_stop); });
  // The empty collection is subtracted: take the median of three, so that one noisy sample
  // cannot push the figure around (or below zero).
  std::array<double, 3> empty{};
  for (double& e : empty) e = timed([] { GC_try_to_collect(never_stop); });
  std::sort(empty.begin(), empty.end());
  const double t = mark + sweep_and_empty_mark - empty[1];
  // Boehm does not count what it frees; the check carries the graph only.
  bench::emit(label("gc cyclic garbage, collect+free", n, shape), subject, t * 1e9 / n, "ns/object",
              bench::graph_check(g) + "/-", "", markers());
}

}  // namespace

int main(int argc, char** argv) {
  GC_INIT();
  GC_start_mark_threads();  // GC_MARKERS - 1 of them (none for GC_MARKERS=1)
  if (argc < 3) {
    std::fprintf(stderr, "usage: gc_boehm SIZE[,SIZE...] ring|random[,...] [--subject NAME] [--live-only]\n");
    return 2;
  }
  const std::string subject = bench::option(argc, argv, "subject", "Boehm");
  const bool live_only = bench::flag(argc, argv, "live-only");
  for (const std::string& size : bench::split_commas(argv[1]))
    for (const std::string& shape : bench::split_commas(argv[2])) run(std::stoull(size), shape, subject, live_only);
  return 0;
}
