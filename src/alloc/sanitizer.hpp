// AddressSanitizer hooks. Under ASan, free blocks and never-carved pool space are
// poisoned, and a live block is unpoisoned only for the bytes the caller asked for, so
// use-after-free and small overflows inside pools are reported. No-ops otherwise.
#pragma once

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define PYHEAP_ASAN 1
#else
#define PYHEAP_ASAN 0
#endif

namespace pyheap::alloc {

inline void poison(const void* p, std::size_t n) noexcept {
#if PYHEAP_ASAN
  ASAN_POISON_MEMORY_REGION(p, n);
#else
  (void)p, (void)n;
#endif
}

inline void unpoison(const void* p, std::size_t n) noexcept {
#if PYHEAP_ASAN
  ASAN_UNPOISON_MEMORY_REGION(p, n);
#else
  (void)p, (void)n;
#endif
}

}  // namespace pyheap::alloc
