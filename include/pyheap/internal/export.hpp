// pyheap/internal/export.hpp — which symbols a shared pyheap library exports.
//
// The libraries are built with -fvisibility=hidden (cmake/Layers.cmake): only declarations marked
// PYHEAP_API are visible to programs that link them, which is the public API plus the few
// out-of-line functions that public inline code calls (those live in pyheap::detail). The tools'
// code (script runner, tour) and the private chart code are never exported. ELF only: pyheap is a
// Linux library (mmap, /proc).
#pragma once

#define PYHEAP_API __attribute__((visibility("default")))
