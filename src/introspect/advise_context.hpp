// introspect/advise_context.hpp — what every finding of the advisor reads: the graph, the
// runtime's size rules, who references whom, the dominator tree, which objects are the program's
// own (not the interpreter's or a library's), and the "what would be freed" closure the estimates
// are made of.
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

  // The program's own objects (advise_program.cpp). In a CPython heap: what the globals of
  // __main__ and of the program's own modules reach, and the locals of the frames that were
  // running when the heap was read, without entering a module the program does not own (the
  // standard library's, an installed package's) or a class defined in one. In a pyheap heap:
  // every object. Findings and holder reports are about these only, unless options.internals.
  bool is_program(std::uint32_t v) const noexcept { return program_[v] != 0; }
  bool in_scope(std::uint32_t v) const noexcept { return options.internals || program_[v] != 0; }
  std::uint64_t program_bytes = 0;
  // Whether the program defines the class of index `type` into g.types() (its module is one of
  // the program's): only then can it change the class's layout.
  bool owns_type(std::uint32_t type) const noexcept { return type < type_owned_.size() && type_owned_[type]; }
  // The class object of a type index (kNone if no instance leads to it), and of a class object
  // its __dict__, its __mro__ tuple (the classes, the first one itself) and its name.
  std::uint32_t class_node(std::uint32_t type) const noexcept {
    return type < class_node_.size() ? class_node_[type] : kNone;
  }
  std::uint32_t class_dict(std::uint32_t cls) const;
  std::uint32_t class_mro(std::uint32_t cls) const;
  std::string class_name(std::uint32_t cls) const;
  // The value of the property `name` of a node (an attribute, a str key), or kNone.
  std::uint32_t property(std::uint32_t holder, std::string_view name) const;
  // The module a class's __dict__ says it was defined in ("" if it does not say).
  std::string class_module(std::uint32_t cls) const;
  // Whether the module of that name is the program's own: __main__, or a file outside the
  // interpreter's library and the installed packages.
  bool owns_module(const std::string& module) const;

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
  // The object whose own dict v is (a module, an instance), or kNone.
  std::uint32_t dict_owner(std::uint32_t v) const noexcept { return dict_owner_[v]; }

  // Bytes freed if the `removed` objects went, the `kept` ones staying alive (moved into the
  // replacement): the removed ones, and every object that only freed objects reference. Counts
  // the objects freed into *objects when given.
  std::uint64_t freed_bytes(std::span<const std::uint32_t> removed, std::span<const std::uint32_t> kept,
                            std::size_t* objects = nullptr);

  // "globals of __main__.users", "(script variables).a": the last steps of a shortest path from
  // the root to v.
  std::string path_to(std::uint32_t v, std::size_t steps = 4, bool with_type = true) const;
  // The breadth-first tree from the root behind path_to (kNone: not reached).
  std::uint32_t parent_of(std::uint32_t v) const noexcept { return parent[v]; }
  std::uint32_t parent_edge_of(std::uint32_t v) const noexcept { return parent_edge[v]; }
  // The dumper's dict of the running frames' locals (kNone if the heap has none).
  std::uint32_t frames_dict() const noexcept { return frames_; }
  // The name v is known by on its shortest path from the root ("users" for a module's global, an
  // attribute, a dict's str key), or "" when it is reached by position.
  std::string known_as(std::uint32_t v) const;
  // A short name for a node: a string's text quoted and cut, else its name.
  std::string display(std::uint32_t v) const;
  // The field that holds an object, as a program names it: an attribute of a class
  // ("Customer.city"), a module's global ("module __main__.cities"), a frame's local, and the
  // positions in containers on the way ("rows[i]['city']", "index[k][i][1]"). Objects held the
  // same way have the same key; the label is for any one of them.
  std::vector<std::uint64_t> field_key(std::uint32_t v) const;
  std::string field_label(std::uint32_t v) const;
  // The type whose attribute the field is (index into g.types()), kNone for a global, a local
  // or a container.
  std::uint32_t field_type(std::uint32_t v) const;
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
  std::vector<std::uint32_t> dict_owner_;
  std::vector<std::uint32_t> dom_order;  // reachable nodes, deepest in the dominator tree first
  std::vector<std::uint32_t> dom_depth;
  std::vector<std::uint32_t> parent;  // breadth-first tree from the root (paths)
  std::vector<std::uint32_t> parent_edge;
  // advise_program.cpp
  void find_program();
  std::vector<std::uint8_t> program_, type_owned_;
  std::vector<std::uint32_t> class_node_;
  std::vector<std::string> program_modules_;  // sorted names
  std::uint32_t frames_ = kNone;  // the dumper's pyheap_advise._frames: frame label -> its locals
  // freed_bytes scratch: edges seen from freed objects, and 0 / 1 freed / 2 kept.
  std::vector<std::uint32_t> seen_;
  std::vector<std::uint8_t> mark_;
};

// What a CPython class needs for a fixed layout (advise_classes.cpp): the classes of its
// hierarchy (type: an index into g.types()) without __slots__, most derived first, and those of
// them the program cannot change (a library's class, a builtin base that carries the dict).
// known is false for pyheap heaps and where the hierarchy is not in the graph.
struct SlotsPlan {
  bool known = false;
  std::vector<std::uint32_t> need;
  std::vector<std::uint32_t> foreign;
};
SlotsPlan slots_plan(const Context& c, std::uint32_t type);
// "email.message.Message", or the bare name for __main__'s classes.
std::string class_with_module(const Context& c, std::uint32_t cls);

// A finding about `count` objects of `type` that hold `now` bytes, `after` once changed.
Finding make_finding(FindingKind kind, std::string type, std::size_t count, std::uint64_t now, std::uint64_t after);

// Whether every item of a container is an Int that fits 64 bits (and it has no holes), widening
// [min, max] to their values.
bool int_items(const Context& c, std::uint32_t container, std::int64_t& min, std::int64_t& max);

// The findings, each appending what it found (advise.cpp ranks them).
void find_fixed_layouts(Context& c, std::vector<Finding>& out);
void find_columns(Context& c, std::vector<Finding>& out);
void find_typed_arrays(Context& c, std::vector<Finding>& out);
void find_packed_tuples(Context& c, std::vector<Finding>& out);
void find_adjacency_sets(Context& c, std::vector<Finding>& out);
void find_prefilled_lists(Context& c, std::vector<Finding>& out);
void find_duplicate_strings(Context& c, std::vector<Finding>& out);
void find_duplicate_tuples(Context& c, std::vector<Finding>& out);
void find_spare_capacity(Context& c, std::vector<Finding>& out);
void find_cyclic_garbage(Context& c, std::vector<Finding>& out);
Finding find_dominators(Context& c);

// The narrowest array item that holds every integer of a set of values: its array type code
// ('b', 'B', 'h', 'H', 'i', 'I' or 'q'), item size and C++ type.
struct IntItem {
  char code = 'q';
  std::size_t size = 8;
  const char* cpp = "std::int64_t";
};
IntItem narrowest_int_item(std::int64_t min, std::int64_t max) noexcept;
// The value of an Int node that fits 64 bits (its name is its decimal text).
bool int_value(const Context& c, std::uint32_t v, std::int64_t& value);

// Text helpers shared by the findings: "1,234", "9.2 MiB", "('a', 'b')", "{\"a\", \"b\"}".
std::string count_text(std::uint64_t n);
std::string bytes_text(std::uint64_t n);
std::string python_names(const std::vector<std::string>& names);
std::string cpp_names(const std::vector<std::string>& names);
std::string names_list(const std::vector<std::string>& names, std::size_t max = 6);

}  // namespace pyheap::advise_detail
