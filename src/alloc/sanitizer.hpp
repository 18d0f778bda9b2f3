// AddressSanitizer hooks. In a library built with ASan (PYHEAP_ASAN, alloc_fast.hpp), free blocks
// and never-carved pool space are poisoned, and a live block is unpoisoned only for the bytes the
// caller asked for, so use-after-free and small overflows inside pools are reported. No-ops
// otherwise.
#pragma once

#include <cstddef>

#include "pyheap/internal/alloc_fast.hpp"  // PYHEAP_ASAN
#if PYHEAP_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace pyheap::alloc {

inline void poison(const void* p, std::size_t n) noexcept {
#if PYHEAP_ASAN
  __asan_poison_memory_region(p, n);
#else
  (void)p, (void)n;
#endif
}

inline void unpoison(const void* p, std::size_t n) noexcept {
#if PYHEAP_ASAN
  __asan_unpoison_memory_region(p, n);
#else
  (void)p, (void)n;
#endif
}

}  // namespace pyheap::alloc
