// report/chart_parts.hpp — the pieces every chart renderer shares: the <svg> element with its
// accessible title, the colour palette, a value axis with gridlines, a legend and word wrapping.
// Internal to src/report: the public chart descriptions are in bar_chart.hpp, line_chart.hpp and
// grid_map.hpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "report/scale.hpp"

namespace pyheap::report::detail {

// Okabe and Ito's palette (distinguishable with the common colour-vision deficiencies), dark
// enough on white; cycles after eight.
std::string_view palette_color(std::size_t i) noexcept;

// "<svg ...>" with class "pyheap-chart pyheap-<kind>-chart", data-chart=kind, the given extra
// attributes (already escaped), role="img", an aria-label and <title>/<desc> children, then the
// visible title text at the top left.
std::string svg_open(std::string_view kind, std::string_view id, std::string_view title,
                     std::string_view description, double width, double height,
                     std::string_view extra_attributes);

// Horizontal gridlines and labels for each tick, an axis line at plot_left, and the axis label
// rotated along the left edge.
std::string value_axis(const LinearScale& y, const std::vector<double>& ticks, double plot_left,
                       double plot_right, const Formatter& format, std::string_view label);

// A row of colour swatches with names, starting at (x, y); wraps before max_x. Returns the
// markup; *height receives the height used.
std::string legend(const std::vector<std::string>& names, double x, double y, double max_x, double* height);

// A rough text width at font size px, for layout (SVG cannot measure text without a script).
double text_width(std::string_view text, double px) noexcept;

// Splits text at spaces into lines of at most max_chars (a longer word gets a line of its own).
std::vector<std::string> wrap_words(std::string_view text, std::size_t max_chars);

}  // namespace pyheap::report::detail
