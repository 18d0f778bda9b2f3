// tour/tour_report.hpp — the tour as an HTML page (report module): per lesson the explanation,
// a grouped bar chart of bytes (pyheap next to CPython) and the table as printed; at the end a
// chart of every ratio.
#pragma once

#include <string>
#include <vector>

#include "tour/lessons.hpp"

namespace pyheap::tour {

struct TourReportInfo {
  std::string python_version;
  std::string method;  // how bytes were measured, one paragraph
};

// Throws std::runtime_error if the file cannot be written.
void write_tour_report(const std::vector<Lesson>& lessons, const TourReportInfo& info, const std::string& path);

}  // namespace pyheap::tour
