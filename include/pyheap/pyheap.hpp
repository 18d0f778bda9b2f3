// pyheap/pyheap.hpp — everything: the core (objects, references, weak references, the heap, its
// collector and allocator, tracing), the containers (Str, Int, Float, Tuple, List, Dict, Record,
// Instance, Array, Table, getsizeof), introspection (heap graph, why-alive, dominators, snapshots,
// growth) and the memory report. Link pyheap::pyheap. A program that needs less includes the
// layer's headers and links that layer (pyheap::core, pyheap::containers, ...).
#pragma once

// core
#include "pyheap/collector.hpp"
#include "pyheap/edge_namer.hpp"
#include "pyheap/fatal_error.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/object.hpp"
#include "pyheap/pool_allocator.hpp"
#include "pyheap/ref.hpp"
#include "pyheap/ref_array.hpp"
#include "pyheap/small_object_allocator.hpp"
#include "pyheap/static_ref.hpp"
#include "pyheap/tracer.hpp"
#include "pyheap/tracing.hpp"
#include "pyheap/type_info.hpp"
#include "pyheap/weakref.hpp"
// containers
#include "pyheap/array.hpp"
#include "pyheap/dict.hpp"
#include "pyheap/float.hpp"
#include "pyheap/instance.hpp"
#include "pyheap/int.hpp"
#include "pyheap/list.hpp"
#include "pyheap/record.hpp"
#include "pyheap/size.hpp"
#include "pyheap/str.hpp"
#include "pyheap/table.hpp"
#include "pyheap/tuple.hpp"
// introspection
#include "pyheap/dominators.hpp"
#include "pyheap/edges.hpp"
#include "pyheap/growth.hpp"
#include "pyheap/heap_graph.hpp"
#include "pyheap/heap_snapshot.hpp"
#include "pyheap/object_graph.hpp"
#include "pyheap/why_alive.hpp"
#include "pyheap/advise.hpp"
// the memory report
#include "pyheap/memory_recording.hpp"
#include "pyheap/memory_report.hpp"
