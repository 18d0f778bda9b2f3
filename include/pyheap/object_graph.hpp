// pyheap/object_graph.hpp — a heap's objects and references as the advisor reads them, whichever
// runtime they come from: a live pyheap Heap, a .heapsnapshot pyheap wrote, or a CPython 3.11
// process dumped by tools/advise/pyheap_advise.py (the same file format: a V8 .heapsnapshot with
// a "pyheap" section, docs/design.md "The advisor").
//
// Each node says what it is in words both runtimes share (Role: a string, a list, an instance
// with per-object attributes, a fixed-layout record...), its length and allocated slots, and its
// bytes as its runtime's allocator holds them: pyheap's getsizeof; for CPython the pymalloc blocks
// tracemalloc counts, computed from sys.getsizeof and the layout facts with CPython 3.11's rules
// (src/introspect/advise_cpython_sizes.cpp).
//
// Invariants: node 0 is the root; every object is reachable from it unless only a reference cycle
// holds it (garbage); edges are stored node by node (edges_of); an Element edge's name is its
// index, any other edge's name is an index into strings(); node and type names are indexes into
// strings() and types(); site 0 means "not known".
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pyheap/heap_graph.hpp"

namespace pyheap {

class Heap;

enum class Runtime : std::uint8_t { Pyheap, CPython };

// What an object is, in terms both runtimes share.
enum class Role : std::uint8_t {
  Synthetic,  // the root and the groups of roots
  Str,
  Int,
  Float,
  Tuple,
  List,
  Dict,
  Instance,  // attributes per object: pyheap Instance, a Python object with a __dict__
  Record,    // fixed fields: pyheap Record, a Python object with __slots__
  Array,     // unboxed numbers: pyheap Array<T>, array.array
  Table,     // pyheap Table
  Set,
  Type,
  Module,
  Other,
};

const char* role_name(Role r) noexcept;
// "str" -> Role::Str...; Role::Other for a word it does not know.
Role role_from_name(std::string_view name) noexcept;

class ObjectGraph {
 public:
  struct Node {
    std::uint64_t bytes = 0;     // allocator bytes (see above)
    std::uint64_t length = 0;    // items, entries, attributes, characters, rows
    std::uint64_t capacity = 0;  // allocated slots: list and array items; CPython dict: log2 of its table
    std::int64_t aux = 0;        // Str: hash; Int: 1 if it fits 64 bits; Array: type code; CPython dict: kind
    std::int64_t aux2 = 0;       // Str: interned; Array: item size; CPython dict: entries used or deleted
    std::uint32_t type = 0;      // index into types()
    std::uint32_t name = 0;      // index into strings(): a string's text, a number's value, type + label
    std::uint32_t first_edge = 0;
    std::uint32_t edge_count = 0;
    std::uint32_t site = 0;      // index into sites()
    std::uint32_t external = 0;  // references held from outside the heap's objects
  };
  struct Edge {
    std::uint32_t to = 0;
    std::uint32_t name = 0;  // Element: the index; otherwise index into strings()
    EdgeKind kind = EdgeKind::Element;
  };
  struct Type {
    std::string name;
    std::string module;  // CPython: the type's __module__; empty for pyheap
    Role role = Role::Other;
  };

  static constexpr std::uint32_t kRoot = 0;

  // A live heap, described through a HeapGraph capture (named roots as HeapGraph::capture).
  static ObjectGraph capture(const Heap& heap, std::span<const NamedRoot> named_roots = {},
                             std::string named_group = "(named roots)");
  static ObjectGraph from(const HeapGraph& graph);
  // A .heapsnapshot: pyheap's, the CPython dumper's (both with their "pyheap" section), or any
  // other V8 snapshot (then every object has Role::Other, but strings and numbers). Throws
  // std::runtime_error naming what is wrong.
  static ObjectGraph read(std::istream& in);
  static ObjectGraph read_file(const std::string& path);

  Runtime runtime() const noexcept { return runtime_; }
  // "pyheap 0.1.0", "CPython 3.11.7"
  const std::string& runtime_description() const noexcept { return runtime_description_; }
  const std::vector<Node>& nodes() const noexcept { return nodes_; }
  const std::vector<Edge>& edges() const noexcept { return edges_; }
  const std::vector<Type>& types() const noexcept { return types_; }
  const std::vector<std::string>& strings() const noexcept { return strings_; }
  const std::vector<std::string>& sites() const noexcept { return sites_; }
  std::span<const Edge> edges_of(std::uint32_t v) const noexcept {
    return {edges_.data() + nodes_[v].first_edge, nodes_[v].edge_count};
  }
  Role role(std::uint32_t v) const noexcept { return types_[nodes_[v].type].role; }
  const std::string& type_name(std::uint32_t v) const noexcept { return types_[nodes_[v].type].name; }
  const std::string& name(std::uint32_t v) const noexcept { return strings_[nodes_[v].name]; }
  // "name" for named edges, "[3]" for elements.
  std::string edge_label(const Edge& e) const;
  bool has_sites() const noexcept { return sites_.size() > 1; }
  // Sum of every object's bytes.
  std::uint64_t total_bytes() const noexcept { return total_bytes_; }
  std::size_t object_count() const noexcept;

  // For builders (the readers and the captures).
  class Builder;

 private:
  Runtime runtime_ = Runtime::Pyheap;
  std::string runtime_description_;
  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
  std::vector<Type> types_;
  std::vector<std::string> strings_;
  std::vector<std::string> sites_{std::string()};
  std::uint64_t total_bytes_ = 0;
};

}  // namespace pyheap
