// pyheap/heap_graph.hpp — a still picture of a heap's object graph, with its roots.
//
// HeapGraph::capture walks every live object (Heap::for_each_object) and every edge
// (edges_of) once, and adds synthetic nodes for what holds objects from outside the heap:
//
//   node 0  ""                     the root
//   node 1  "(named roots)"        roots the embedder names (pyheap run: "(script variables)")
//   node 2  "(C++ references)"     counts held by Refs outside heap objects (stack, globals...)
//   node 3  "(immortal objects)"   immortals (small ints, the empty tuple)
//   node 4… the objects, in for_each_object's order
//
// References from outside are not recorded anywhere, so they are computed as the collector's
// subtract_refs computes them, but over every object: external(o) = refcount(o) − strong edges
// into o from heap objects − named roots of o (immortals: minus their base count too). An object
// with external > 0 is under "(C++ references)".
//
// Invariants: nodes 0..3 always exist; edges are stored per node, contiguously, node by node
// (the order a .heapsnapshot needs); every edge target is a node of the graph; Weak edges are
// never counted as references and never retain.
// The graph holds plain pointers: it describes the heap at capture time and must not be used to
// reach objects after the heap changed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "pyheap/internal/export.hpp"
#include "pyheap/edges.hpp"
#include "pyheap/object.hpp"

namespace pyheap {

class Heap;

struct NamedRoot {
  std::string name;
  const Object* object = nullptr;
};

class PYHEAP_API HeapGraph {
 public:
  enum class NodeKind : std::uint8_t { Synthetic, Object, String, Number };
  struct Node {
    Object* object = nullptr;  // null for synthetic nodes
    NodeKind kind = NodeKind::Synthetic;
    std::string name;           // type name (+ label), a string's text, a number's value
    std::size_t self_size = 0;  // getsizeof: the object's block + what it owns out of line
    std::uint32_t first_edge = 0;
    std::uint32_t edge_count = 0;
    std::uint32_t external = 0;  // references from outside the heap, not named
  };
  struct GraphEdge {
    std::uint32_t to = 0;
    EdgeKind kind = EdgeKind::Element;
    std::string name;
    std::size_t index = 0;
  };

  static constexpr std::uint32_t kRoot = 0;
  static constexpr std::uint32_t kNamedRoots = 1;
  static constexpr std::uint32_t kCppReferences = 2;
  static constexpr std::uint32_t kImmortals = 3;
  static constexpr std::uint32_t kFirstObject = 4;

  static HeapGraph capture(const Heap& heap, std::span<const NamedRoot> named_roots = {},
                           std::string named_group = "(named roots)");

  const std::vector<Node>& nodes() const noexcept { return nodes_; }
  const std::vector<GraphEdge>& edges() const noexcept { return edges_; }
  std::span<const GraphEdge> edges_of(std::uint32_t node) const noexcept {
    return {edges_.data() + nodes_[node].first_edge, nodes_[node].edge_count};
  }
  std::optional<std::uint32_t> find(const Object* o) const;
  std::size_t object_count() const noexcept { return nodes_.size() - kFirstObject; }

 private:
  std::vector<Node> nodes_;
  std::vector<GraphEdge> edges_;
  std::unordered_map<const Object*, std::uint32_t> index_;
};

}  // namespace pyheap
