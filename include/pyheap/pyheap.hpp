// pyheap/pyheap.hpp — everything: objects, references, weak references, the heap and its collector.
#pragma once

#include "pyheap/collector.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/object.hpp"
#include "pyheap/pool_allocator.hpp"
#include "pyheap/ref.hpp"
#include "pyheap/small_object_allocator.hpp"
#include "pyheap/tracer.hpp"
#include "pyheap/type_info.hpp"
#include "pyheap/weakref.hpp"
