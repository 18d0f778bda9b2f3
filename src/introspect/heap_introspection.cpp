// The Heap's one-call introspection methods, built on HeapGraph.
#include "pyheap/dominators.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/heap_graph.hpp"
#include "pyheap/heap_snapshot.hpp"
#include "pyheap/why_alive.hpp"

namespace pyheap {

void Heap::write_snapshot(const std::string& path) const { write_heap_snapshot_file(HeapGraph::capture(*this), path); }

std::string Heap::why_alive(const Object* o) const {
  const HeapGraph g = HeapGraph::capture(*this);
  if (const auto path = pyheap::why_alive(g, o)) return format_retention_path(*path);
  const auto node = g.find(o);
  if (!node) return "not a live object of this heap";
  return g.nodes()[*node].name + " is not reachable from a root: only a reference cycle holds it (garbage the collector will free)";
}

std::size_t Heap::retained_size(const Object* o) const {
  const HeapGraph g = HeapGraph::capture(*this);
  const auto node = g.find(o);
  if (!node) return 0;
  return dominator_tree(g).retained[*node];
}

}  // namespace pyheap
