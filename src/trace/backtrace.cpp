#include "trace/backtrace.hpp"

#include <dlfcn.h>
#include <execinfo.h>

#include <cstdio>

#include "pyheap/internal/check.hpp"
#include "pyheap/tracing.hpp"
#include "pyheap/type_info.hpp"

namespace pyheap::trace {

[[gnu::noinline]] std::size_t capture_backtrace(std::uintptr_t* out, std::size_t depth, std::size_t skip) noexcept {
  // Frame 0 of backtrace() is this function; the caller's frame is 1.
  constexpr std::size_t kMaxFrames = TraceOptions::kMaxBacktraceDepth + 8;
  void* frames[kMaxFrames];
  const std::size_t want = 1 + skip + depth;
  PYHEAP_ASSERT(want <= kMaxFrames);
  const int got = ::backtrace(frames, static_cast<int>(want));
  std::size_t n = 0;
  for (std::size_t i = 1 + skip; i < static_cast<std::size_t>(got > 0 ? got : 0); ++i)
    out[n++] = reinterpret_cast<std::uintptr_t>(frames[i]);
  return n;
}

std::string describe_frame(std::uintptr_t address) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%zx", static_cast<std::size_t>(address));
  std::string out = buf;
  Dl_info info{};
  // A return address points just past the call: look up address - 1 to stay inside the caller.
  if (::dladdr(reinterpret_cast<void*>(address - 1), &info) == 0) return out;
  if (info.dli_sname != nullptr) {
    out += ' ';
    out += detail::demangle(info.dli_sname);
    std::snprintf(buf, sizeof buf, "+0x%zx",
                  static_cast<std::size_t>(address - reinterpret_cast<std::uintptr_t>(info.dli_saddr)));
    out += buf;
  }
  if (info.dli_fname != nullptr) {
    out += " (";
    out += info.dli_fname;
    out += ')';
  }
  return out;
}

}  // namespace pyheap::trace
