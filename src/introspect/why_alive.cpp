// why_alive: breadth-first search from the graph's root, then the parent links back.
#include "pyheap/why_alive.hpp"

#include <algorithm>
#include <deque>

#include "pyheap/internal/check.hpp"
#include "pyheap/dominators.hpp"
#include "pyheap/type_info.hpp"

namespace pyheap {

namespace {
std::string edge_text(const HeapGraph::GraphEdge& e) {
  std::string text(e.kind == EdgeKind::Element ? "[" : ".");  // appended, not "[" + ...: GCC 12 -Wrestrict
  if (e.kind == EdgeKind::Element) {
    text += std::to_string(e.index);
    text += ']';
  } else {
    text += e.name;
  }
  return text;
}
}  // namespace

std::optional<RetentionPath> why_alive(const HeapGraph& graph, const Object* target) {
  const auto goal = graph.find(target);
  if (!goal) return std::nullopt;
  const auto& nodes = graph.nodes();
  // parent[v]: the node v was reached from, and through which edge.
  std::vector<std::uint32_t> parent(nodes.size(), kUnreachable), via(nodes.size(), 0);
  std::deque<std::uint32_t> queue{HeapGraph::kRoot};
  parent[HeapGraph::kRoot] = HeapGraph::kRoot;
  while (!queue.empty() && parent[*goal] == kUnreachable) {
    const std::uint32_t v = queue.front();
    queue.pop_front();
    const auto edges = graph.edges_of(v);
    for (std::uint32_t i = 0; i < edges.size(); ++i) {
      const auto& e = edges[i];
      if (e.kind == EdgeKind::Weak || parent[e.to] != kUnreachable) continue;
      parent[e.to] = v;
      via[e.to] = nodes[v].first_edge + i;
      queue.push_back(e.to);
    }
  }
  if (parent[*goal] == kUnreachable) return std::nullopt;

  std::vector<std::uint32_t> chain;
  for (std::uint32_t v = *goal; v != HeapGraph::kRoot; v = parent[v]) chain.push_back(v);
  std::reverse(chain.begin(), chain.end());
  PYHEAP_ASSERT(chain.size() >= 2 && chain.front() < HeapGraph::kFirstObject);
  RetentionPath path;
  for (std::size_t k = 0; k < chain.size(); ++k) {
    const auto& n = nodes[chain[k]];
    RetentionStep s;
    s.object = n.object;
    s.name = n.name;
    s.type = n.object ? type_of(*n.object).name : n.name;
    if (k > 0) s.via = edge_text(graph.edges()[via[chain[k]]]);
    path.steps.push_back(std::move(s));
  }
  return path;
}

std::string format_retention_path(const RetentionPath& path) {
  std::string out;
  for (std::size_t k = 0; k < path.steps.size(); ++k) {
    if (k + 1 < path.steps.size()) {
      out += path.steps[k].name + path.steps[k + 1].via + " -> ";
    } else {
      out += path.steps[k].name;
    }
  }
  return out;
}

}  // namespace pyheap
