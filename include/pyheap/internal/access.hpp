// pyheap/internal/access.hpp — the doors through which pyheap's own layers reach what users must
// not call (as cppgc keeps such calls in its internal namespace). Not API.
//
//   CollectorAccess::track/untrack  a container joining or leaving the collector's lists (Dict
//                                   starts untracked and joins once it may hold a cycle; the
//                                   empty Tuple leaves for good). Tracking an object whose type
//                                   has no trace hook would write a collector word 8 bytes
//                                   before it, into someone else's memory: refused in every
//                                   build.
//   AllocatorAccess::allocate_tagged, set_user_data, hot, finish_free
//                                   the Heap's object blocks (their tag says where the header is,
//                                   Heap::for_each_object), and the back pointer Heap::of
//                                   follows from a block to its heap. A user's tagged block
//                                   would be enumerated as an object; a user's user data would
//                                   make Heap::of return something that is not a Heap. hot and
//                                   finish_free: the allocator's inline fast paths for the
//                                   Heap's make and release (alloc_fast.hpp).
#pragma once

#include <cstddef>

#include "pyheap/collector.hpp"
#include "pyheap/internal/alloc_fast.hpp"
#include "pyheap/internal/check.hpp"
#include "pyheap/internal/gc_word.hpp"
#include "pyheap/small_object_allocator.hpp"
#include "pyheap/type_info.hpp"

namespace pyheap::detail {

struct CollectorAccess {
  static void track(Collector& gc, Object* o) {
    const TypeInfo& ti = type_of(*o);
    PYHEAP_CHECK(ti.tracked, "Collector track: %s has no trace hook, so no collector word to track it by",
                 ti.qualified_name.c_str());
    gc.track(o);
  }
  static void untrack(Collector& gc, Object* o) noexcept { gc.untrack(o); }
};

struct AllocatorAccess {
  static void* allocate_tagged(SmallObjectAllocator& a, std::size_t size, unsigned tag) {
    return a.allocate_tagged(size, tag);
  }
  static void set_user_data(SmallObjectAllocator& a, void* p) noexcept { a.user_data_ = p; }
  // The inline fast paths (alloc_fast.hpp) and the out-of-line rest of a free.
  static AllocatorHot& hot(SmallObjectAllocator& a) noexcept { return *a.hot_; }
  static void finish_free(SmallObjectAllocator& a, alloc::PoolHot* pool) noexcept { a.finish_free(pool); }
};

}  // namespace pyheap::detail
