// pyheap/why_alive.hpp — why is this object alive: the shortest chain of references from a root.
//
// objgraph's find_backref_chain, built in. A breadth-first search over a HeapGraph from its root
// reaches, in this order, the named roots (script variables), the objects held by C++ references,
// and the immortals, then follows strong edges (weak ones keep nothing alive). The first path
// found is a shortest one, preferring named roots.
//
// No path means no root holds the object: it is kept only by a reference cycle (or by objects
// that are themselves only so kept) — garbage the cycle collector will free.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pyheap/internal/export.hpp"
#include "pyheap/heap_graph.hpp"

namespace pyheap {

struct RetentionStep {
  const Object* object = nullptr;  // null for the root group the path starts from
  std::string type;                // display type name, or the root group's name
  std::string name;                // the node's name (type + label, a string's text, a number)
  std::string via;                 // the edge from the previous step ("x", ".left", "[3]"); empty first
};

struct RetentionPath {
  std::vector<RetentionStep> steps;  // steps.front() is a root group, steps.back() the object
};

PYHEAP_API std::optional<RetentionPath> why_alive(const HeapGraph& graph, const Object* target);

// "(script variables).a -> Node a.3 -> Node b": each step's name, followed by the edge leaving it
// (".name" for properties and internal edges, "[i]" for elements).
PYHEAP_API std::string format_retention_path(const RetentionPath& path);

// The one-call form over a whole heap (one graph capture): the shortest chain formatted
// ("(C++ references)[0] -> List[3] -> Node"), or a sentence saying that no root holds o (only
// a cycle: garbage) or that o is not a live object of this heap.
PYHEAP_API std::string why_alive(const Heap& heap, const Object* o);

}  // namespace pyheap
