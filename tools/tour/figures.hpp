// tour/figures.hpp — what one side of the tour measured: named numbers ("records.slots" ->
// bytes) and a few named strings ("python.version"). Both sides produce the same keys, so a
// lesson reads its rows from either with the same name.
#pragma once

#include <map>
#include <string>

namespace pyheap::tour {

struct Figures {
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> strings;

  // Throws std::runtime_error naming the key (and side) when it is missing.
  double number(const std::string& key) const;
  std::string side;  // "pyheap" or "CPython", for messages
};

// Parses one JSON object whose values are numbers or strings (what cpython_side.py prints).
// Throws std::runtime_error with the offset of the first problem.
Figures parse_flat_json(const std::string& text, std::string side);

}  // namespace pyheap::tour
