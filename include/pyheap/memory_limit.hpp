// pyheap/memory_limit.hpp — what an allocation over a memory limit throws.
//
// heap.set_memory_limit(bytes) (SmallObjectAllocator::set_memory_limit for an allocator alone)
// caps the bytes the allocator holds: small blocks at their size class plus large blocks at their
// size (stats().bytes_held + stats().large_bytes), which is what the heap's objects and their
// containers' storage occupy. An allocation that would take them above the limit throws
// MemoryLimitExceeded and changes nothing. It is a std::bad_alloc, so code written to survive
// running out of memory survives the limit the same way; a heap stays consistent through either.
// Before a heap *object* allocation fails, the heap runs one full collection and tries again
// (Heap::make, heap.hpp: "Memory limits"); a container's storage allocation fails at once.
#pragma once

#include <cstddef>
#include <new>

#include "pyheap/internal/export.hpp"

namespace pyheap {

class PYHEAP_API MemoryLimitExceeded : public std::bad_alloc {
 public:
  MemoryLimitExceeded(std::size_t limit, std::size_t held, std::size_t requested) noexcept;
  // "memory limit of L bytes exceeded: H bytes held, R more requested". Made when thrown, in the
  // exception itself: nothing is allocated while memory is what ran out.
  const char* what() const noexcept override;
  std::size_t limit() const noexcept { return limit_; }
  std::size_t held() const noexcept { return held_; }
  std::size_t requested() const noexcept { return requested_; }

 private:
  std::size_t limit_;
  std::size_t held_;
  std::size_t requested_;
  char what_[128];
};

}  // namespace pyheap
