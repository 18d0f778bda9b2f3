// pyheap/fatal_error.hpp — what happens when pyheap finds its own state broken.
//
// Some failures cannot be survived: a broken internal invariant (the debug checks of
// PYHEAP_DEBUG_LEVEL >= 1), a heap used from a thread that does not own it, an object header that
// names no registered type, a variable-size type that misreports its size. Each of them goes
// through one function, which calls the fatal-error handler and then aborts the process (as
// mimalloc routes every error through _mi_error_message). The handler can log, flush, or write a
// crash report; it is not expected to return, and if it does the process aborts anyway. It runs
// on the thread that found the error, with pyheap's state possibly inconsistent: it must not touch
// any Heap.
//
// The default handler prints "pyheap: FILE:LINE: MESSAGE" to stderr.
#pragma once

#include "pyheap/internal/export.hpp"

namespace pyheap {

struct FatalError {
  const char* file;     // the pyheap source that found it
  int line;
  const char* message;  // e.g. "PYHEAP_ASSERT failed: pool->nused > 0"
};

using FatalErrorHandler = void (*)(const FatalError&) noexcept;

// Installs `handler` for the whole process (nullptr restores the default) and returns the one it
// replaces. Thread-safe.
PYHEAP_API FatalErrorHandler set_fatal_error_handler(FatalErrorHandler handler) noexcept;

}  // namespace pyheap
