// pyheap/heap_snapshot.hpp — a heap as a Chrome DevTools / V8 `.heapsnapshot` file.
//
// The file is the JSON V8 writes: `snapshot.meta` declares the flat layouts, `nodes` holds
// node_fields (type, name, id, self_size, edge_count, trace_node_id, detachedness) per node,
// `edges` holds edge_fields (type, name_or_index, to_node) per edge, node by node in node order
// (a node's edges are the next edge_count ones), `to_node` is the target's index times the number
// of node fields, and names are indexes into `strings`. Chrome DevTools (Memory panel → Load)
// and memlab read it.
//
// Mapping from a HeapGraph (heap_graph.hpp): node 0 is the synthetic root; the root groups are
// "synthetic" nodes; Str is "string" (named by its text), Int and Float "number" (by value),
// every other object "object" named by its type (and label); self_size is getsizeof. Edges keep
// their kind: "element" (index), "property" and "internal" (name), "weak". Node ids are
// 2 * index + 1, so the root is id 1, as in V8's files.
//
// After V8's arrays comes a "pyheap" section (ignored by V8's readers) with what the advisor needs
// (advise.hpp): per node its Role, length, allocated slots, layout facts, allocation site and
// references from outside; ObjectGraph::read reads the file back. docs/design.md, "The advisor",
// describes it; the CPython dumper (tools/advise/pyheap_advise.py) writes the same format.
#pragma once

#include <iosfwd>
#include <string>

#include "pyheap/internal/export.hpp"

namespace pyheap {

class Heap;
class HeapGraph;
class ObjectGraph;

PYHEAP_API void write_heap_snapshot(const HeapGraph& graph, std::ostream& out);
PYHEAP_API void write_heap_snapshot(const ObjectGraph& graph, std::ostream& out);
// Throws std::runtime_error if the file cannot be written.
PYHEAP_API void write_heap_snapshot_file(const HeapGraph& graph, const std::string& path);
// Every live object of the heap and its references, written as above (one graph capture).
// Throws std::runtime_error if the file cannot be written.
PYHEAP_API void write_snapshot(const Heap& heap, const std::string& path);

}  // namespace pyheap
