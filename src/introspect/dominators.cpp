// Cooper–Harvey–Kennedy immediate dominators, and retained sizes over the resulting tree.
#include "pyheap/dominators.hpp"

#include <algorithm>
#include <utility>

#include "pyheap/internal/check.hpp"
#include "pyheap/heap_graph.hpp"

namespace pyheap {

std::vector<std::uint32_t> immediate_dominators(std::span<const std::uint32_t> first_edge,
                                                std::span<const std::uint32_t> targets, std::uint32_t root) {
  const std::size_t n = first_edge.size() - 1;
  PYHEAP_ASSERT(root < n);
  // Postorder numbers by an iterative DFS (heaps are deep: a list of 10^6 nodes is a path).
  std::vector<std::uint32_t> post_number(n, kUnreachable);
  std::vector<std::uint32_t> order;  // nodes by postorder number
  order.reserve(n);
  {
    std::vector<bool> seen(n, false);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> stack;  // node, next edge
    stack.emplace_back(root, first_edge[root]);
    seen[root] = true;
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      if (next < first_edge[v + 1]) {
        const std::uint32_t w = targets[next++];
        if (!seen[w]) {
          seen[w] = true;
          stack.emplace_back(w, first_edge[w]);
        }
      } else {
        post_number[v] = static_cast<std::uint32_t>(order.size());
        order.push_back(v);
        stack.pop_back();
      }
    }
  }
  // Predecessors among reachable nodes.
  std::vector<std::uint32_t> pred_first(n + 1, 0), preds;
  for (std::uint32_t v = 0; v < n; ++v) {
    if (post_number[v] == kUnreachable) continue;
    for (std::uint32_t e = first_edge[v]; e < first_edge[v + 1]; ++e) ++pred_first[targets[e] + 1];
  }
  for (std::size_t i = 0; i < n; ++i) pred_first[i + 1] += pred_first[i];
  preds.resize(pred_first[n]);
  {
    std::vector<std::uint32_t> fill(pred_first.begin(), pred_first.end() - 1);
    for (std::uint32_t v = 0; v < n; ++v) {
      if (post_number[v] == kUnreachable) continue;
      for (std::uint32_t e = first_edge[v]; e < first_edge[v + 1]; ++e) preds[fill[targets[e]]++] = v;
    }
  }

  std::vector<std::uint32_t> idom(n, kUnreachable);
  idom[root] = root;
  auto intersect = [&](std::uint32_t a, std::uint32_t b) {
    while (a != b) {
      while (post_number[a] < post_number[b]) a = idom[a];
      while (post_number[b] < post_number[a]) b = idom[b];
    }
    return a;
  };
  for (bool changed = true; changed;) {
    changed = false;
    // Reverse postorder, root (the last in postorder) excluded.
    for (std::size_t k = order.size() - 1; k-- > 0;) {
      const std::uint32_t v = order[k];
      std::uint32_t new_idom = kUnreachable;
      for (std::uint32_t i = pred_first[v]; i < pred_first[v + 1]; ++i) {
        const std::uint32_t p = preds[i];
        if (idom[p] == kUnreachable) continue;  // not processed yet
        new_idom = new_idom == kUnreachable ? p : intersect(p, new_idom);
      }
      if (new_idom != idom[v]) {
        idom[v] = new_idom;
        changed = true;
      }
    }
  }
  return idom;
}

std::vector<std::uint64_t> retained_sizes(std::span<const std::uint32_t> idom, std::span<const std::uint64_t> self_size,
                                          std::uint32_t root) {
  const std::size_t n = idom.size();
  std::vector<std::uint64_t> retained(n, 0);
  // Children before parents: depth in the dominator tree, deepest first.
  std::vector<std::uint32_t> depth(n, kUnreachable);
  depth[root] = 0;
  std::vector<std::uint32_t> chain;
  for (std::uint32_t v = 0; v < n; ++v) {
    if (idom[v] == kUnreachable || depth[v] != kUnreachable) continue;
    chain.clear();
    std::uint32_t u = v;
    while (depth[u] == kUnreachable) {
      chain.push_back(u);
      u = idom[u];
    }
    for (std::size_t i = chain.size(); i-- > 0;) depth[chain[i]] = depth[idom[chain[i]]] + 1;
  }
  std::vector<std::uint32_t> by_depth;
  for (std::uint32_t v = 0; v < n; ++v)
    if (idom[v] != kUnreachable) by_depth.push_back(v);
  std::sort(by_depth.begin(), by_depth.end(), [&](std::uint32_t a, std::uint32_t b) { return depth[a] > depth[b]; });
  for (std::uint32_t v : by_depth) retained[v] += self_size[v];
  for (std::uint32_t v : by_depth)
    if (v != root) retained[idom[v]] += retained[v];
  return retained;
}

DominatorTree dominator_tree(const HeapGraph& graph) {
  const auto& nodes = graph.nodes();
  std::vector<std::uint32_t> first_edge(nodes.size() + 1, 0), targets;
  std::vector<std::uint64_t> self(nodes.size());
  for (std::uint32_t v = 0; v < nodes.size(); ++v) {
    first_edge[v] = static_cast<std::uint32_t>(targets.size());
    for (const auto& e : graph.edges_of(v))
      if (e.kind != EdgeKind::Weak) targets.push_back(e.to);
    self[v] = nodes[v].self_size;
  }
  first_edge[nodes.size()] = static_cast<std::uint32_t>(targets.size());
  DominatorTree t;
  t.idom = immediate_dominators(first_edge, targets, HeapGraph::kRoot);
  t.retained = retained_sizes(t.idom, self, HeapGraph::kRoot);
  return t;
}

}  // namespace pyheap
