// Native backtraces for allocation sites: capture (glibc's backtrace(), which unwinds with the
// libgcc unwinder and the .eh_frame tables, so it works without frame pointers) and naming
// (dladdr + the demangler, only when a report is printed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pyheap::trace {

// Writes up to `depth` return addresses into out, innermost first, starting `skip` frames above
// the caller of capture_backtrace. Returns how many were written.
std::size_t capture_backtrace(std::uintptr_t* out, std::size_t depth, std::size_t skip) noexcept;

// "0x55d0c0de1234 function+0x1c (binary)"; only the address when nothing is known about it.
std::string describe_frame(std::uintptr_t address);

}  // namespace pyheap::trace
