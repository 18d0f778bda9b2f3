#include "report/grid_map.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "report/chart_parts.hpp"
#include "report/html.hpp"
#include "report/scale.hpp"

namespace pyheap::report {

std::string grid_shade(double value) {
  // From #e8f1fa (a hint of blue, so an empty pool differs from "unused" white) to #08306b.
  // Anything above 0 starts a fifth of the way to dark: a pool with 2 of 127 blocks in use was
  // drawn in practically the "empty" shade, and read as empty.
  constexpr double kFloor = 0.2;
  const double v = std::clamp(std::isfinite(value) ? value : 0.0, 0.0, 1.0);
  const double t = v > 0 ? kFloor + (1 - kFloor) * v : 0.0;
  auto mix = [t](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * t)); };
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", mix(0xe8, 0x08), mix(0xf1, 0x30), mix(0xfa, 0x6b));
  return buf;
}

std::string render_grid_map(const GridMap& map) {
  if (map.columns == 0) throw std::invalid_argument("grid map '" + map.title + "' needs at least one column");
  const std::size_t rows = (map.cells.size() + map.columns - 1) / map.columns;
  double label_width = 0;
  for (const auto& l : map.row_labels) label_width = std::max(label_width, detail::text_width(l, 11));
  const double left = 12 + (label_width > 0 ? label_width + 8 : 0);
  const double top = 40, cell = map.cell_size;
  const double grid_width = cell * static_cast<double>(map.columns);
  const double legend_y = top + cell * static_cast<double>(rows) + 16;
  const double width = std::max(left + grid_width + 12, 420.0);
  const double height = legend_y + 30;

  std::string out = detail::svg_open("grid", map.id, map.title, map.description, width, height,
                                     "data-cells=\"" + std::to_string(map.cells.size()) + "\" data-columns=\"" +
                                         std::to_string(map.columns) + "\"");
  out += "<g class=\"row-labels\">\n";
  for (std::size_t r = 0; r < rows && r < map.row_labels.size(); ++r)
    out += "<text x=\"" + svg_number(left - 8) + "\" y=\"" + svg_number(top + cell * (static_cast<double>(r) + 0.8)) +
           "\" text-anchor=\"end\" font-size=\"11\">" + escape(map.row_labels[r]) + "</text>\n";
  out += "</g>\n<g class=\"cells\">\n";
  const std::string side = svg_number(std::max(cell - 1, 1.0));
  for (std::size_t i = 0; i < map.cells.size(); ++i) {
    const GridCell& c = map.cells[i];
    const bool empty = !std::isfinite(c.value);
    out += "<rect class=\"cell\" data-value=\"" + (empty ? std::string() : svg_number(std::clamp(c.value, 0.0, 1.0))) +
           "\" x=\"" + svg_number(left + cell * static_cast<double>(i % map.columns)) + "\" y=\"" +
           svg_number(top + cell * static_cast<double>(i / map.columns)) + "\" width=\"" + side + "\" height=\"" +
           side + "\" fill=\"" + (empty ? std::string("#ffffff") : grid_shade(c.value)) + "\"" +
           (empty ? " stroke=\"#d0d7de\" stroke-width=\"0.5\"" : "");
    out += c.label.empty() ? "/>\n" : "><title>" + escape(c.label) + "</title></rect>\n";
  }
  out += "</g>\n<g class=\"legend\">\n";
  // Five swatches, 0% to 100%, then the "nothing here" swatch.
  double x = left;
  out += "<text x=\"" + svg_number(x) + "\" y=\"" + svg_number(legend_y + 10) + "\" font-size=\"11\">" +
         escape(map.low_label) + "</text>\n";
  x += detail::text_width(map.low_label, 11) + 6;
  for (int k = 0; k <= 4; ++k) {
    out += "<rect x=\"" + svg_number(x) + "\" y=\"" + svg_number(legend_y) + "\" width=\"18\" height=\"12\" fill=\"" +
           grid_shade(k / 4.0) + "\"/>\n";
    x += 18;
  }
  out += "<text x=\"" + svg_number(x + 6) + "\" y=\"" + svg_number(legend_y + 10) + "\" font-size=\"11\">" +
         escape(map.high_label) + "</text>\n";
  x += 6 + detail::text_width(map.high_label, 11) + 20;
  out += "<rect x=\"" + svg_number(x) + "\" y=\"" + svg_number(legend_y) +
         "\" width=\"12\" height=\"12\" fill=\"#ffffff\" stroke=\"#d0d7de\"/>\n<text x=\"" + svg_number(x + 18) +
         "\" y=\"" + svg_number(legend_y + 10) + "\" font-size=\"11\">" + escape(map.empty_label) + "</text>\n";
  out += "</g>\n</svg>\n";
  return out;
}

}  // namespace pyheap::report
