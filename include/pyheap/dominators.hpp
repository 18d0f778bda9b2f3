// pyheap/dominators.hpp — immediate dominators of a directed graph, and retained sizes.
//
// Node d dominates node v when every path from the root to v passes through d. The immediate
// dominator idom(v) is the closest strict dominator; the idom links form the dominator tree, and
// the retained size of v (what freeing v would free: V8's and memlab's "retained size") is the
// sum of the self sizes of v's subtree.
//
// Algorithm: Cooper, Harvey and Kennedy, "A Simple, Fast Dominance Algorithm" (2001): number
// the nodes in reverse postorder of a DFS from the root, then iterate
// idom(v) = intersect(idom(p) for processed predecessors p) to a fixed point. Near-linear on the
// shallow, wide graphs heaps are, and simple enough to trust.
//
// Input: CSR adjacency (first_edge has node_count + 1 entries; node v's successors are
// targets[first_edge[v] .. first_edge[v+1])). Output: idom[v] for each node; idom[root] == root;
// kUnreachable for nodes the root does not reach.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "pyheap/internal/export.hpp"

namespace pyheap {

class Heap;
class HeapGraph;
class Object;

inline constexpr std::uint32_t kUnreachable = std::numeric_limits<std::uint32_t>::max();

PYHEAP_API std::vector<std::uint32_t> immediate_dominators(std::span<const std::uint32_t> first_edge,
                                                std::span<const std::uint32_t> targets, std::uint32_t root);

// Retained sizes over a dominator tree: self_size[v] plus the retained sizes of the nodes v
// immediately dominates. Unreachable nodes get 0.
PYHEAP_API std::vector<std::uint64_t> retained_sizes(std::span<const std::uint32_t> idom, std::span<const std::uint64_t> self_size,
                                          std::uint32_t root);

struct DominatorTree {
  std::vector<std::uint32_t> idom;
  std::vector<std::uint64_t> retained;
};
// The dominator tree of a heap graph from its root node, over strong edges only (weak edges
// neither keep objects alive nor retain them, as memlab and DevTools count).
PYHEAP_API DominatorTree dominator_tree(const HeapGraph& graph);

// Bytes that would be freed with o: getsizeof of o and of every object o dominates (every path
// from a root to it runs through o). 0 if o is not reachable from a root. One graph capture.
PYHEAP_API std::size_t retained_size(const Heap& heap, const Object* o);

}  // namespace pyheap
