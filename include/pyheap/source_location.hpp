// pyheap/source_location.hpp — SourceLocation: where in the program a call was written.
//
// std::source_location where the standard library provides it. Debian 12's clang 14 with
// libstdc++ 12 does not (libstdc++ needs a builtin clang 14 lacks), so there a small type with the
// same four accessors is filled from the builtins that compiler does have. Either way
// `SourceLocation::current()` as a default argument names the caller's file, function, line and
// column; tracing (tracing.hpp) records it for every traced make.
#pragma once

#if __has_include(<source_location>)
#include <source_location>
#endif

namespace pyheap {

#if defined(__cpp_lib_source_location)
using SourceLocation = std::source_location;
#else
class SourceLocation {
 public:
  static constexpr SourceLocation current(const char* file = __builtin_FILE(),
                                          const char* function = __builtin_FUNCTION(),
                                          unsigned line = __builtin_LINE(),
                                          unsigned column = __builtin_COLUMN()) noexcept {
    SourceLocation s;
    s.file_ = file;
    s.function_ = function;
    s.line_ = line;
    s.column_ = column;
    return s;
  }
  constexpr SourceLocation() noexcept = default;
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr const char* function_name() const noexcept { return function_; }
  constexpr unsigned line() const noexcept { return line_; }
  constexpr unsigned column() const noexcept { return column_; }

 private:
  const char* file_ = "";
  const char* function_ = "";
  unsigned line_ = 0;
  unsigned column_ = 0;
};
#endif

}  // namespace pyheap
