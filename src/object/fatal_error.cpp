// The one way pyheap fails (pyheap/internal/check.hpp, pyheap/fatal_error.hpp).
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "pyheap/fatal_error.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap {
namespace {
void print_to_stderr(const FatalError& e) noexcept {
  std::fprintf(stderr, "pyheap: %s:%d: %s\n", e.file, e.line, e.message);
  std::fflush(stderr);
}
std::atomic<FatalErrorHandler> handler{&print_to_stderr};
}  // namespace

FatalErrorHandler set_fatal_error_handler(FatalErrorHandler h) noexcept {
  return handler.exchange(h != nullptr ? h : &print_to_stderr);
}

namespace detail {
void fatal(const char* file, int line, const char* format, ...) noexcept {
  char message[512];  // no allocation: the heap may be what is broken
  va_list args;
  va_start(args, format);
  std::vsnprintf(message, sizeof message, format, args);
  va_end(args);
  handler.load()(FatalError{file, line, message});
  std::abort();
}
}  // namespace detail
}  // namespace pyheap
