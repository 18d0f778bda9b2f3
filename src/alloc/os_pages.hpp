// Thin wrappers over the OS virtual-memory calls used by the allocator.
#pragma once

#include <cstddef>

namespace pyheap::alloc {

/// Maps `size` bytes of zeroed read/write memory aligned to `size` (a power of two, a
/// multiple of the page size) by over-mapping twice the size and trimming both ends.
/// Returns nullptr on failure.
void* map_aligned(std::size_t size) noexcept;
void unmap(void* p, std::size_t size) noexcept;
/// Gives the pages back to the OS but keeps the mapping; the next touch sees zeroes.
void decommit(void* p, std::size_t size) noexcept;

}  // namespace pyheap::alloc
