// report/line_chart.hpp — values over time as inline SVG: one line per series, or stacked areas
// (how a total splits, e.g. bytes held by size class), with round ticks on both axes, a legend
// and optional vertical markers for events (e.g. collections, each with its own tooltip).
//
// Stable markup for tools: the <svg> has class "pyheap-chart pyheap-line-chart",
// data-chart="line", data-series, data-points and data-stacked; each series is a <path
// class="series"> (lines) or <path class="area"> (stacked) with data-series; each marker is a
// <line class="marker">.
#pragma once

#include <string>
#include <vector>

#include "report/scale.hpp"

namespace pyheap::report {

struct LineSeries {
  std::string name;
  std::vector<double> values;  // one per x; NaN counts as 0 when stacked and breaks a line
};

struct ChartMarker {
  double x = 0;
  std::string label;    // drawn beside the line when it fits before the next marker
  std::string tooltip;  // the line's tooltip; the label when empty
};

struct LineChart {
  std::string id;
  std::string title;
  std::string description;
  std::string x_label;
  std::string y_label;
  std::vector<double> x;  // increasing
  std::vector<LineSeries> series;
  bool stacked = false;
  std::vector<ChartMarker> markers;
  Formatter format_x = format_number;
  Formatter format_y = format_number;
  Ticker ticks_x = nice_ticks;
  Ticker ticks_y = nice_ticks;  // nice_byte_ticks for bytes
  double width = 760;
  double height = 360;
};

// Throws std::invalid_argument if there are no points or series, or a series does not have one
// value per x.
std::string render_line_chart(const LineChart& chart);

}  // namespace pyheap::report
