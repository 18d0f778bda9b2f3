// Collector workloads, V8 cppgc's side (bench/cppgc_heap.hpp): the graphs of bench/graph.hpp with
// garbage-collected nodes of two cppgc::Member fields, held by one garbage-collected holder (its
// Members in a std::vector, traced one by one), the holder by one cppgc::Persistent.
//
//   gc_cppgc SIZE[,SIZE...] SHAPE[,SHAPE...] [--subject NAME]
//
//   live      one untimed full collection, then three timed ones: an atomic mark from the
//             persistent roots over the n+1 objects (the stack is not scanned:
//             EmbedderStackState::kNoHeapPointers) and an atomic sweep that frees nothing;
//   garbage   the persistent handle is cleared; one timed full collection marks nothing and
//             sweeps the n+1 objects. cppgc does not count what it frees: the program checks
//             that the heap's allocated object bytes fell by the graph's (else it exits 1), and
//             the figure's check carries the graph only.
// cppgc's atomic collections mark and sweep on the calling thread: every figure says 1 thread.
#include <cppgc/allocation.h>
#include <cppgc/garbage-collected.h>
#include <cppgc/member.h>
#include <cppgc/persistent.h>
#include <cppgc/process-heap-statistics.h>
#include <cppgc/visitor.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "cppgc_heap.hpp"
#include "graph.hpp"

namespace {

struct GNode final : cppgc::GarbageCollected<GNode> {
  cppgc::Member<GNode> f[2];
  void Trace(cppgc::Visitor* v) const {
    v->Trace(f[0]);
    v->Trace(f[1]);
  }
};

struct Holder final : cppgc::GarbageCollected<Holder> {
  std::vector<cppgc::Member<GNode>> nodes;
  void Trace(cppgc::Visitor* v) const {
    for (const auto& n : nodes) v->Trace(n);
  }
};

constexpr int kTimedCollections = 3;

std::string label(const std::string& what, std::size_t n, const std::string& shape) {
  return what + " " + std::to_string(n) + " " + shape;
}

void run(bench::CppgcHeap& heap, std::size_t n, const std::string& shape, const std::string& subject) {
  const bench::EdgeList g = bench::make_graph(shape, n);
  cppgc::AllocationHandle& handle = heap.allocation_handle();
  heap.collect_precisely();
  const std::size_t empty_bytes = cppgc::ProcessHeapStatistics::TotalAllocatedObjectSize();
  cppgc::Persistent<Holder> root = cppgc::MakeGarbageCollected<Holder>(handle);
  root->nodes.reserve(n);
  for (std::size_t i = 0; i < n; ++i) root->nodes.emplace_back(cppgc::MakeGarbageCollected<GNode>(handle));
  for (std::size_t i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k)
      if (g.edge[2 * i + k] != bench::kNoEdge) root->nodes[i]->f[k] = root->nodes[g.edge[2 * i + k]];

  heap.collect_precisely();
  const std::string check = bench::graph_check(g) + "/-";
  for (int r = 0; r < kTimedCollections; ++r) {
    const double t0 = bench::now_seconds();
    heap.collect_precisely();
    const double t = bench::now_seconds() - t0;
    bench::emit(label("gc full, live heap", n, shape), subject, t * 1e9 / static_cast<double>(n), "ns/object", check,
                "", 1);
  }
  const std::size_t live_bytes = cppgc::ProcessHeapStatistics::TotalAllocatedObjectSize();
  root.Clear();
  const double t0 = bench::now_seconds();
  heap.collect_precisely();
  const double t = bench::now_seconds() - t0;
  const std::size_t after = cppgc::ProcessHeapStatistics::TotalAllocatedObjectSize();
  if (after > empty_bytes + (live_bytes - empty_bytes) / 100) {
    std::fprintf(stderr, "gc_cppgc: the garbage collection left %zu of %zu bytes\n", after - empty_bytes,
                 live_bytes - empty_bytes);
    std::exit(1);
  }
  bench::emit(label("gc cyclic garbage, collect+free", n, shape), subject, t * 1e9 / static_cast<double>(n),
              "ns/object", check, "", 1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: gc_cppgc SIZE[,SIZE...] ring|random[,...] [--subject NAME]\n");
    return 2;
  }
  bench::CppgcHeap heap;
  const std::string subject = bench::option(argc, argv, "subject", "cppgc");
  for (const std::string& size : bench::split_commas(argv[1]))
    for (const std::string& shape : bench::split_commas(argv[2])) run(heap, std::stoull(size), shape, subject);
  return 0;
}
