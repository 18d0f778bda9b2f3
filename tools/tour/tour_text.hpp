// tour/tour_text.hpp — the tour's lessons as text tables: representation | pyheap bytes |
// CPython bytes | ratio (pyheap / CPython) | bytes per item on each side.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "tour/lessons.hpp"

namespace pyheap::tour {

void print_lessons(const std::vector<Lesson>& lessons, std::ostream& out);

// The lesson's table as rows of cells (header first), shared by the text and the HTML report.
std::vector<std::vector<std::string>> lesson_table(const Lesson& lesson);

}  // namespace pyheap::tour
