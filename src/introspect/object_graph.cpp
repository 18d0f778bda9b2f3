// ObjectGraph: roles, the capture of a live heap (through HeapGraph), and the builder's checks.
#include "pyheap/object_graph.hpp"

#include <array>
#include <stdexcept>

#include "introspect/object_facts.hpp"
#include "introspect/object_graph_builder.hpp"
#include "pyheap/heap.hpp"

namespace pyheap {

namespace {
constexpr std::array<const char*, 15> kRoleNames = {"synthetic", "str",   "int",   "float", "tuple",
                                                    "list",      "dict",  "instance", "record", "array",
                                                    "table",     "set",   "type",  "module", "other"};
}  // namespace

const char* role_name(Role r) noexcept { return kRoleNames[static_cast<std::size_t>(r)]; }

Role role_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kRoleNames.size(); ++i)
    if (name == kRoleNames[i]) return static_cast<Role>(i);
  return Role::Other;
}

std::string ObjectGraph::edge_label(const Edge& e) const {
  if (e.kind != EdgeKind::Element) return strings_[e.name];
  std::string label = "[";  // built by appending: GCC 12's -Wrestrict misfires on "[" + string
  label += std::to_string(e.name);
  label += ']';
  return label;
}

std::size_t ObjectGraph::object_count() const noexcept {
  std::size_t n = 0;
  for (const Node& node : nodes_) n += types_[node.type].role != Role::Synthetic;
  return n;
}

ObjectGraph ObjectGraph::Builder::finish() {
  const auto n = g_.nodes_.size();
  if (n == 0) throw std::runtime_error("the graph has no root node");
  std::uint64_t edges = 0;
  g_.total_bytes_ = 0;
  for (const Node& node : g_.nodes_) {
    if (node.first_edge != edges) throw std::runtime_error("edges are not stored node by node");
    edges += node.edge_count;
    if (node.type >= g_.types_.size()) throw std::runtime_error("a node names a type that does not exist");
    if (node.name >= g_.strings_.size()) throw std::runtime_error("a node name is not in the strings table");
    if (node.site >= g_.sites_.size()) throw std::runtime_error("a node names a site that does not exist");
    if (g_.types_[node.type].role != Role::Synthetic) g_.total_bytes_ += node.bytes;
  }
  if (edges != g_.edges_.size()) throw std::runtime_error("the nodes' edge counts do not add up to the edges");
  for (const Edge& e : g_.edges_) {
    if (e.to >= n) throw std::runtime_error("an edge points past the last node");
    if (e.kind != EdgeKind::Element && e.name >= g_.strings_.size())
      throw std::runtime_error("an edge name is not in the strings table");
  }
  return std::move(g_);
}

ObjectGraph ObjectGraph::from(const HeapGraph& graph) {
  Builder b(Runtime::Pyheap, "pyheap");
  const auto& nodes = graph.nodes();
  const std::uint32_t synthetic = b.type("(synthetic)", "", Role::Synthetic);
  b.nodes().reserve(nodes.size());
  b.edges().reserve(graph.edges().size());
  for (std::uint32_t v = 0; v < nodes.size(); ++v) {
    const HeapGraph::Node& hn = nodes[v];
    Node n;
    n.name = b.string(hn.name);
    n.bytes = hn.self_size;
    n.external = hn.external;
    n.first_edge = static_cast<std::uint32_t>(b.edges().size());
    n.edge_count = hn.edge_count;
    if (hn.object == nullptr) {
      n.type = synthetic;
    } else {
      const ObjectFacts f = facts_of(*hn.object);
      n.type = b.type(type_of(*hn.object).name, "", f.role);
      n.length = f.length;
      n.capacity = f.capacity;
      n.aux = f.aux;
      n.aux2 = f.aux2;
      n.site = b.site(allocation_site_text(*hn.object));
    }
    for (const HeapGraph::GraphEdge& e : graph.edges_of(v))
      b.edges().push_back(Edge{e.to, e.kind == EdgeKind::Element ? static_cast<std::uint32_t>(e.index) : b.string(e.name),
                               e.kind});
    b.nodes().push_back(n);
  }
  return b.finish();
}

ObjectGraph ObjectGraph::capture(const Heap& heap, std::span<const NamedRoot> named_roots, std::string named_group) {
  return from(HeapGraph::capture(heap, named_roots, std::move(named_group)));
}

}  // namespace pyheap
