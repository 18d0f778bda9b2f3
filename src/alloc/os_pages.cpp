#include "alloc/os_pages.hpp"

#include <sys/mman.h>

#include <cstdint>

#include "alloc/sanitizer.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap::alloc {

void* map_aligned(std::size_t size) noexcept {
  const std::size_t span = 2 * size;
  void* raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + size - 1) & ~static_cast<std::uintptr_t>(size - 1);
  const std::size_t head = aligned - start;
  const std::size_t tail = span - head - size;
  if (head != 0) ::munmap(raw, head);
  if (tail != 0) ::munmap(reinterpret_cast<void*>(aligned + size), tail);
  return reinterpret_cast<void*>(aligned);
}

void unmap(void* p, std::size_t size) noexcept {
  unpoison(p, size);  // the range may be mapped again by anyone: leave no stale poison
  [[maybe_unused]] const int rc = ::munmap(p, size);
  PYHEAP_ASSERT(rc == 0);
}

void decommit(void* p, std::size_t size) noexcept {
  [[maybe_unused]] const int rc = ::madvise(p, size, MADV_DONTNEED);
  PYHEAP_ASSERT(rc == 0);
}

}  // namespace pyheap::alloc
