// The one-call forms of introspection over a whole heap, each built on one HeapGraph capture.
#include "pyheap/dominators.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/heap_graph.hpp"
#include "pyheap/heap_snapshot.hpp"
#include "pyheap/why_alive.hpp"

namespace pyheap {

void write_snapshot(const Heap& heap, const std::string& path) {
  write_heap_snapshot_file(HeapGraph::capture(heap), path);
}

std::string why_alive(const Heap& heap, const Object* o) {
  const HeapGraph g = HeapGraph::capture(heap);
  if (const auto path = why_alive(g, o)) return format_retention_path(*path);
  const auto node = g.find(o);
  if (!node) return "not a live object of this heap";
  return g.nodes()[*node].name +
         " is not reachable from a root: only a reference cycle holds it (garbage the collector will free)";
}

std::size_t retained_size(const Heap& heap, const Object* o) {
  const HeapGraph g = HeapGraph::capture(heap);
  const auto node = g.find(o);
  if (!node) return 0;
  return dominator_tree(g).retained[*node];
}

}  // namespace pyheap
