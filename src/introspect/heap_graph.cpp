// HeapGraph::capture: objects, named edges, and the roots inferred from reference counts.
#include "pyheap/heap_graph.hpp"

#include <charconv>
#include <cstdio>

#include "pyheap/internal/check.hpp"
#include "pyheap/float.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/int.hpp"
#include "pyheap/size.hpp"
#include "pyheap/str.hpp"

namespace pyheap {

namespace {
constexpr std::size_t kMaxStringName = 1000;  // longer texts are cut in node names

std::string number_text(const Object& o) {
  if (Heap::is_a<Int>(&o)) return std::to_string(static_cast<const Int&>(o).value());
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<const Float&>(o).value());
  return std::string(buf, r.ptr);
}

std::string node_name(const Object& o, HeapGraph::NodeKind kind) {
  switch (kind) {
    case HeapGraph::NodeKind::String: {
      std::string text = static_cast<const Str&>(o).utf8();
      if (text.size() > kMaxStringName) {
        text.resize(kMaxStringName);
        while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
        if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) text.pop_back();  // a cut lead byte
        text += "...";
      }
      return text;
    }
    case HeapGraph::NodeKind::Number:
      return number_text(o);
    default: {
      std::string name = type_of(o).name;
      if (const auto label = type_of(o).label) {
        name += ' ';
        name += label(&o);
      }
      return name;
    }
  }
}

HeapGraph::NodeKind kind_of(const Object& o) {
  if (Heap::is_a<Str>(&o)) return HeapGraph::NodeKind::String;
  if (Heap::is_a<Int>(&o) || Heap::is_a<Float>(&o)) return HeapGraph::NodeKind::Number;
  return HeapGraph::NodeKind::Object;
}

// Debug check of the edges.hpp invariant: named edges are the trace hook's references.
void check_named_edges(Object& o, const std::vector<Edge>& named) {
  if constexpr (kDebugLevel >= 1) {
    const TypeInfo& ti = type_of(o);
    if (!ti.name_edges || !ti.trace) return;
    std::unordered_map<const Object*, long> balance;
    Tracer t(
        Tracer::Mode::Visit, [](Object* child, void* c) { ++(*static_cast<decltype(balance)*>(c))[child]; },
        &balance);
    ti.trace(&o, t);
    for (const Edge& e : named)
      if (e.kind != EdgeKind::Weak) --balance[e.target];
    for (const auto& entry : balance) {
      PYHEAP_ASSERT(entry.second == 0);
      (void)entry;
    }
  }
  (void)o, (void)named;
}
}  // namespace

std::optional<std::uint32_t> HeapGraph::find(const Object* o) const {
  auto it = index_.find(o);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

HeapGraph HeapGraph::capture(const Heap& heap, std::span<const NamedRoot> named_roots, std::string named_group) {
  HeapGraph g;
  g.nodes_.resize(kFirstObject);
  g.nodes_[kRoot].name = "";
  g.nodes_[kNamedRoots].name = std::move(named_group);
  g.nodes_[kCppReferences].name = "(C++ references)";
  g.nodes_[kImmortals].name = "(immortal objects)";

  heap.for_each_object([&](Object& o) {
    const auto index = static_cast<std::uint32_t>(g.nodes_.size());
    g.index_.emplace(&o, index);
    Node n;
    n.object = &o;
    n.kind = kind_of(o);
    n.self_size = getsizeof(&o);
    g.nodes_.push_back(std::move(n));
  });

  // Each object's edges, and how many strong ones point at each object.
  std::vector<std::vector<GraphEdge>> out(g.nodes_.size());
  std::vector<std::uint64_t> incoming(g.nodes_.size(), 0);
  for (std::uint32_t i = kFirstObject; i < g.nodes_.size(); ++i) {
    Node& n = g.nodes_[i];
    n.name = node_name(*n.object, n.kind);
    std::vector<Edge> edges = pyheap::edges_of(*n.object);
    check_named_edges(*n.object, edges);
    for (Edge& e : edges) {
      const auto to = g.find(e.target);
      if (!to) continue;  // an object inside its destruction
      if (e.kind != EdgeKind::Weak) ++incoming[*to];
      out[i].push_back(GraphEdge{*to, e.kind, std::move(e.name), e.index});
    }
  }

  for (const NamedRoot& r : named_roots) {
    const auto to = g.find(r.object);
    if (!to) continue;
    ++incoming[*to];
    out[kNamedRoots].push_back(GraphEdge{*to, EdgeKind::Property, r.name, 0});
  }
  std::size_t cpp = 0, immortal = 0;
  for (std::uint32_t i = kFirstObject; i < g.nodes_.size(); ++i) {
    Node& n = g.nodes_[i];
    std::uint64_t count = n.object->refcount();
    if (n.object->is_immortal()) {
      count -= detail::kImmortalBase;
      out[kImmortals].push_back(GraphEdge{i, EdgeKind::Element, {}, immortal++});
    }
    // A negative balance would mean a hook reporting a reference its object does not own.
    PYHEAP_ASSERT(n.object->is_immortal() || count >= incoming[i]);
    n.external = count > incoming[i] ? static_cast<std::uint32_t>(count - incoming[i]) : 0;
    if (n.external > 0) out[kCppReferences].push_back(GraphEdge{i, EdgeKind::Element, {}, cpp++});
  }
  out[kRoot] = {GraphEdge{kNamedRoots, EdgeKind::Element, {}, 0}, GraphEdge{kCppReferences, EdgeKind::Element, {}, 1},
                GraphEdge{kImmortals, EdgeKind::Element, {}, 2}};

  for (std::uint32_t i = 0; i < g.nodes_.size(); ++i) {
    g.nodes_[i].first_edge = static_cast<std::uint32_t>(g.edges_.size());
    g.nodes_[i].edge_count = static_cast<std::uint32_t>(out[i].size());
    for (GraphEdge& e : out[i]) g.edges_.push_back(std::move(e));
  }
  return g;
}

}  // namespace pyheap
