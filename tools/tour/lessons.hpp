// tour/lessons.hpp — the tour's lessons: for each, what was built, why the representations
// differ, and the measured bytes of each representation on both sides.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tour/figures.hpp"
#include "tour/tour.hpp"

namespace pyheap::tour {

struct LessonRow {
  std::string representation;
  double pyheap = 0;   // bytes
  double cpython = 0;  // bytes
};

struct Lesson {
  std::string title;  // "100,000 records of (id, name, score)"
  std::string why;    // a sentence or two for someone learning Python's memory management
  std::string unit;   // what bytes are divided by: "record", "float", ...
  std::size_t items = 0;
  std::vector<LessonRow> rows;
  std::vector<std::string> notes;  // measured facts beyond bytes (the collector's statistics)
};

// Throws std::runtime_error when a figure is missing on either side.
std::vector<Lesson> make_lessons(const TourSizes& sizes, const Figures& pyheap, const Figures& cpython);

// pyheap / CPython, or NaN when CPython's figure is 0 (nothing to compare with).
double ratio(const LessonRow& row) noexcept;

}  // namespace pyheap::tour
