// pyheap/edges.hpp — the references an object holds, named, for introspection.
//
// edges_of(o) lists them:
//   - a type with a member `void name_edges(pyheap::EdgeNamer&) const` names its own edges
//     (edge_namer.hpp);
//   - any other container falls back to its trace hook, edges numbered 0, 1, ... in trace order;
//   - a weak reference object adds one Weak edge, "referent", to what it points at.
#pragma once

#include <vector>

#include "pyheap/internal/export.hpp"
#include "pyheap/edge_namer.hpp"

namespace pyheap {

// Every edge of o (see above), strong ones first in the type's order, then the weak one.
PYHEAP_API std::vector<Edge> edges_of(Object& o);

}  // namespace pyheap
