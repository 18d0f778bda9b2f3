// report/bar_chart.hpp — a grouped bar chart as inline SVG: one group per category, one bar per
// series, a value axis with round ticks, a legend, the value written above each bar and a
// tooltip (<title>) on each bar.
//
// For the browser test and other tools the markup is stable: the <svg> has class
// "pyheap-chart pyheap-bar-chart", data-chart="bar", data-series and data-categories; each bar
// is a <rect class="bar"> with data-series, data-category and data-value.
#pragma once

#include <string>
#include <vector>

#include "report/scale.hpp"

namespace pyheap::report {

struct BarSeries {
  std::string name;
  std::vector<double> values;  // one per category; NaN: no bar (a missing measurement)
};

struct BarChart {
  std::string id;           // optional element id
  std::string title;        // visible, and the chart's accessible name
  std::string description;  // optional, for screen readers (<desc>)
  std::string value_label;  // the value axis' label
  std::vector<std::string> categories;
  std::vector<BarSeries> series;
  Formatter format = format_number;
  Ticker ticks = nice_ticks;  // nice_byte_ticks for bytes
  bool show_values = true;
  double width = 760;
  double height = 380;
};

// Throws std::invalid_argument if a series does not have one value per category, or there are
// no categories or no series.
std::string render_bar_chart(const BarChart& chart);

}  // namespace pyheap::report
