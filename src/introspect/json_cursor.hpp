// introspect/json_cursor.hpp — a forward-only JSON reader for large, simple documents.
//
// The graph files the advisor reads hold millions of numbers in flat arrays: a DOM would cost
// tens of bytes per number, so values are read as the caller walks them (read_int, read_string,
// for_each_element / for_each_member) and anything not asked for is skipped. Errors throw
// std::runtime_error with the byte offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pyheap {

class JsonCursor {
 public:
  explicit JsonCursor(std::string_view text) noexcept : text_(text) {}

  // The next character after white space, or '\0' at the end.
  char peek();
  void expect(char c);
  std::int64_t read_int();
  std::string read_string();
  bool read_bool();
  void skip_value();

  // '[' v (',' v)* ']': f() reads one element each time.
  template <class F>
  void for_each_element(F&& f) {
    expect('[');
    if (peek() == ']') {
      ++pos_;
      return;
    }
    for (;;) {
      f();
      const char c = peek();
      ++pos_;
      if (c == ']') return;
      if (c != ',') throw error("',' or ']' expected");
    }
  }
  // '{' "key": v (',' ...)* '}': f(key) reads (or skips) the value each time.
  template <class F>
  void for_each_member(F&& f) {
    expect('{');
    if (peek() == '}') {
      ++pos_;
      return;
    }
    for (;;) {
      const std::string key = read_string();
      expect(':');
      f(key);
      const char c = peek();
      ++pos_;
      if (c == '}') return;
      if (c != ',') throw error("',' or '}' expected");
    }
  }

  std::runtime_error error(const std::string& what) const;

 private:
  void skip_space() noexcept;
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace pyheap
