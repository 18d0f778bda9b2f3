// pyheap/pyheap.hpp — everything: objects, references, weak references, the heap and its collector,
// the containers (Str, Int, Float, Tuple, List, Dict, Record,
// Instance, Array, Table) and getsizeof.
#pragma once

#include "pyheap/array.hpp"
#include "pyheap/collector.hpp"
#include "pyheap/dict.hpp"
#include "pyheap/float.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/instance.hpp"
#include "pyheap/int.hpp"
#include "pyheap/list.hpp"
#include "pyheap/object.hpp"
#include "pyheap/pool_allocator.hpp"
#include "pyheap/record.hpp"
#include "pyheap/ref.hpp"
#include "pyheap/size.hpp"
#include "pyheap/small_object_allocator.hpp"
#include "pyheap/str.hpp"
#include "pyheap/table.hpp"
#include "pyheap/tracer.hpp"
#include "pyheap/tracing.hpp"
#include "pyheap/tuple.hpp"
#include "pyheap/type_info.hpp"
#include "pyheap/weakref.hpp"
