// tour/tour.hpp — `pyheap tour`: the same data built in pyheap and, in a python3 subprocess, in
// CPython, with the bytes each representation costs printed side by side, lesson by lesson, and
// optionally drawn in an HTML report.
//
// Lessons: records as dict-instances, slotted records and a columnar table; floats boxed in a
// list and unboxed in an array; repeated strings plain and interned; a chain freed by reference
// counting at once next to a ring that waits for the cycle collector.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>

namespace pyheap::tour {

// How much data each lesson builds (the same on both sides).
struct TourSizes {
  std::size_t records = 100'000;
  std::size_t floats = 1'000'000;
  std::size_t strings = 100'000;
  std::size_t distinct = 100;  // distinct texts among the strings
  std::size_t nodes = 100'000;
};

struct TourOptions {
  TourSizes sizes;
  std::string report;          // HTML report path; empty: none
  std::string python = "python3";
  std::string cpython_script;  // tools/tour/cpython_side.py
};

// Returns the exit status: 0, or 1 when a side failed or disagreed with itself (reported on err).
int run_tour(const TourOptions& options, std::ostream& out, std::ostream& err);

}  // namespace pyheap::tour
