// introspect/advise_context.hpp — what every finding of the advisor reads: the graph, the
// runtime's size rules, who references whom, the dominator tree, and the "what would be freed"
// closure the estimates are made of.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "introspect/advise_sizes.hpp"
#include "pyheap/advise.hpp"
#include "pyheap/dominators.hpp"
#include "pyheap/object_graph.hpp"

namespace pyheap::advise_detail {

inline constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

class Context {
 public:
  Context(const ObjectGraph& graph, const AdviseOptions& options);

  const ObjectGraph& g;
  const SizeRules& rules;
  const AdviseOptions& options;

  Role role(std::uint32_t v) const noexcept { return g.role(v); }
  bool is_object(std::uint32_t v) const noexcept { return role(v) != Role::Synthetic; }
  // Only reference cycles hold it (or it hangs from such a cycle).
  bool is_garbage(std::uint32_t v) const noexcept { return idom[v] == kUnreachable; }
  // Held from outside the heap's objects, or by a root group (a variable, an immortal...).
  bool is_root(std::uint32_t v) const noexcept { return g.nodes()[v].external > 0 || held_by_synthetic[v]; }

  // Strong edges (weak ones hold nothing), forward and backward, as CSR arrays.
  std::span<const std::uint32_t> referrers(std::uint32_t v) const noexcept {
    return {rev.data() + rev_first[v], rev_first[v + 1] - rev_first[v]};
  }
  std::uint32_t indegree(std::uint32_t v) const noexcept { return rev_first[v + 1] - rev_first[v]; }

  // The attribute table of an object: the node whose Property edges are its attributes (itself,
  // or the dict its "(dict)" edge leads to), and that dict (kNone if none). kNone if it has none
  // that a fixed layout could replace (keys that are not strings).
  struct Attributes {
    std::uint32_t holder = kNone;
    std::uint32_t dict = kNone;
  };
  Attributes attributes(std::uint32_t v) const;
  // Property edge names of a node, in edge order.
  std::vector<std::uint32_t> property_names(std::uint32_t v) const;
  // The node a "(dict)" edge of v leads to, or kNone.
  std::uint32_t own_dict(std::uint32_t v) const;
  bool is_owned_dict(std::uint32_t v) const noexcept { return owned_dict[v]; }

  // Bytes freed if the `removed` objects went, the `kept` ones staying alive (moved into the
  // replacement): the removed ones, and every object that only freed objects reference. Counts
  // the objects freed into *objects when given.
  std::uint64_t freed_bytes(std::span<const std::uint32_t> removed, std::span<const std::uint32_t> kept,
                            std::size_t* objects = nullptr);

  // "globals of __main__.users", "(script variables).a": the last steps of a shortest path from
  // the root to v.
  std::string path_to(std::uint32_t v, std::size_t steps = 4) const;
  // The name v is known by on its shortest path from the root ("users" for a module's global, an
  // attribute, a dict's str key), or "" when it is reached by position.
  std::string known_as(std::uint32_t v) const;
  // A short name for a node: a string's text quoted and cut, else its name.
  std::string display(std::uint32_t v) const;
  // Where the objects come from: their sites (if the graph has any) or their retainers.
  void add_origins(Finding& f, std::span<const std::uint32_t> objects) const;
  // Fills share, and returns whether the finding is large enough to report.
  bool worth_reporting(Finding& f) const;

  std::uint64_t heap_bytes = 0;
  std::vector<std::uint32_t> idom;
  std::vector<std::uint64_t> retained;
  std::uint32_t dict_edge_name = kNone;   // the string "(dict)", if the graph has it
  std::uint32_t class_edge_name = kNone;  // "(class)"

 private:
  std::vector<std::uint32_t> fwd_first, fwd;  // strong edges
  std::vector<std::uint32_t> rev_first, rev;
  std::vector<std::uint8_t> held_by_synthetic, owned_dict;
  std::vector<std::uint32_t> dom_order;  // reachable nodes, deepest in the dominator tree first
  std::vector<std::uint32_t> dom_depth;
  std::vector<std::uint32_t> parent;  // breadth-first tree from the root (paths)
  std::vector<std::uint32_t> parent_edge;
  // freed_bytes scratch: edges seen from freed objects, and 0 / 1 freed / 2 kept.
  std::vector<std::uint32_t> seen_;
  std::vector<std::uint8_t> mark_;
};

// The findings, each appending what it found (advise.cpp ranks them).
void find_fixed_layouts(Context& c, std::vector<Finding>& out);
void find_columns(Context& c, std::vector<Finding>& out);
void find_typed_arrays(Context& c, std::vector<Finding>& out);
void find_duplicate_strings(Context& c, std::vector<Finding>& out);
void find_duplicate_tuples(Context& c, std::vector<Finding>& out);
void find_spare_capacity(Context& c, std::vector<Finding>& out);
void find_cyclic_garbage(Context& c, std::vector<Finding>& out);
Finding find_dominators(Context& c);

// Text helpers shared by the findings: "1,234", "9.2 MiB", "('a', 'b')", "{\"a\", \"b\"}".
std::string count_text(std::uint64_t n);
std::string bytes_text(std::uint64_t n);
std::string python_names(const std::vector<std::string>& names);
std::string cpp_names(const std::vector<std::string>& names);
std::string names_list(const std::vector<std::string>& names, std::size_t max = 6);

}  // namespace pyheap::advise_detail
