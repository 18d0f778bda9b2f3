// PYHEAP_ASSERT(cond): internal consistency check.
//
// Active when PYHEAP_DEBUG_LEVEL >= 1 (a compile definition set by CMake: 0 in Release,
// 2 in Debug and sanitizer builds). On failure it prints file:line and the condition to
// stderr, then calls std::abort(). When inactive the condition is not evaluated, so it
// must have no side effects.
//
// PYHEAP_DEBUG_LEVEL >= 2 additionally enables the slow structure walkers that some
// modules run after mutations; test for it with `if constexpr (pyheap::kDebugLevel >= 2)`.
#pragma once

#include <cstdio>
#include <cstdlib>

#ifndef PYHEAP_DEBUG_LEVEL
#define PYHEAP_DEBUG_LEVEL 0
#endif

namespace pyheap {
inline constexpr int kDebugLevel = PYHEAP_DEBUG_LEVEL;

[[noreturn]] inline void assertion_failed(const char* file, int line, const char* cond) noexcept {
  std::fprintf(stderr, "%s:%d: PYHEAP_ASSERT failed: %s\n", file, line, cond);
  std::fflush(stderr);
  std::abort();
}
}  // namespace pyheap

#if PYHEAP_DEBUG_LEVEL >= 1
#define PYHEAP_ASSERT(c) \
  ((c) ? static_cast<void>(0) : ::pyheap::assertion_failed(__FILE__, __LINE__, #c))
#else
#define PYHEAP_ASSERT(c) static_cast<void>(0)
#endif
