// default_allocator(): one SmallObjectAllocator per thread, for default-constructed
// PoolAllocators.
#include "pyheap/pool_allocator.hpp"

namespace pyheap {

namespace {
struct ThreadAllocator {
  SmallObjectAllocator* allocator = new SmallObjectAllocator();
  ThreadAllocator() = default;
  ThreadAllocator(const ThreadAllocator&) = delete;
  ThreadAllocator& operator=(const ThreadAllocator&) = delete;
  ~ThreadAllocator() {
    const AllocatorStats s = allocator->stats();
    if (s.blocks_in_use == 0 && s.large_count == 0) delete allocator;
    // else: leaked on purpose, blocks still point into it.
  }
};
}  // namespace

SmallObjectAllocator& default_allocator() {
  thread_local ThreadAllocator holder;
  return *holder.allocator;
}

}  // namespace pyheap
