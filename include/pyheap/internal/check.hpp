// pyheap/internal/check.hpp — every check pyheap makes of itself, and the one way it fails.
//
//   PYHEAP_ASSERT(cond)        an internal invariant, checked when PYHEAP_DEBUG_LEVEL >= 1 (0 in
//                              Release builds, 2 in Debug and sanitizer builds); when off, cond
//                              is not evaluated, so it must have no side effects.
//   PYHEAP_CHECK(cond, fmt...) a misuse or corruption that must be caught in every build.
//   PYHEAP_FATAL(fmt...)       the same, unconditionally.
// All three end in detail::fatal, which formats the message, calls the fatal-error handler
// (pyheap/fatal_error.hpp) and aborts. `if constexpr (pyheap::kDebugLevel >= 2)` guards the slow
// structure walkers (is_valid) that level 2 runs after mutations.
//
// PYHEAP_DEBUG_LEVEL is a public compile definition of the core target, so inline code in a
// consumer sees the same level as the library.
#pragma once

#include "pyheap/internal/export.hpp"

#ifndef PYHEAP_DEBUG_LEVEL
#define PYHEAP_DEBUG_LEVEL 0
#endif

namespace pyheap {
inline constexpr int kDebugLevel = PYHEAP_DEBUG_LEVEL;

namespace detail {
[[noreturn]] PYHEAP_API void fatal(const char* file, int line, const char* format, ...) noexcept
    __attribute__((format(printf, 3, 4), cold));
}  // namespace detail
}  // namespace pyheap

#define PYHEAP_FATAL(...) ::pyheap::detail::fatal(__FILE__, __LINE__, __VA_ARGS__)
#define PYHEAP_CHECK(c, ...) \
  (__builtin_expect(static_cast<bool>(c), 1) ? static_cast<void>(0) : PYHEAP_FATAL(__VA_ARGS__))

#if PYHEAP_DEBUG_LEVEL >= 1
#define PYHEAP_ASSERT(c) PYHEAP_CHECK(c, "PYHEAP_ASSERT failed: %s", #c)
#else
#define PYHEAP_ASSERT(c) static_cast<void>(0)
#endif
