#include "report/bar_chart.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "report/chart_parts.hpp"
#include "report/html.hpp"

namespace pyheap::report {

std::string render_bar_chart(const BarChart& chart) {
  if (chart.categories.empty() || chart.series.empty())
    throw std::invalid_argument("bar chart '" + chart.title + "' needs categories and series");
  double lo = 0, hi = 0;  // bars grow from zero, so zero is always on the axis
  for (const auto& s : chart.series) {
    if (s.values.size() != chart.categories.size())
      throw std::invalid_argument("bar chart '" + chart.title + "': series '" + s.name +
                                  "' needs one value per category");
    for (double v : s.values) {
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (hi == lo) hi = lo + 1;

  std::vector<std::string> names;
  for (const auto& s : chart.series) names.push_back(s.name);
  double legend_height = 0;
  const double left = 86, right = 16;
  const std::string legend = detail::legend(names, left, 36, chart.width - right, &legend_height);
  const double top = 36 + legend_height + 14;
  const double band = (chart.width - left - right) / static_cast<double>(chart.categories.size());
  const auto max_chars = static_cast<std::size_t>(std::max(6.0, band / detail::text_width("x", 12)));
  std::size_t label_lines = 1;
  for (const auto& c : chart.categories) label_lines = std::max(label_lines, detail::wrap_words(c, max_chars).size());
  const double bottom = 18 + 15 * static_cast<double>(label_lines);
  const double plot_bottom = chart.height - bottom;

  const std::vector<double> ticks = chart.ticks(lo, hi, 6);
  const LinearScale y{ticks.front(), ticks.back(), plot_bottom, top};

  std::string out = detail::svg_open(
      "bar", chart.id, chart.title, chart.description, chart.width, chart.height,
      "data-series=\"" + std::to_string(chart.series.size()) + "\" data-categories=\"" +
          std::to_string(chart.categories.size()) + "\"");
  out += legend;
  out += detail::value_axis(y, ticks, left, chart.width - right, chart.format, chart.value_label);

  const double group = band * 0.8;
  const double bar = group / static_cast<double>(chart.series.size());
  const double value_font = std::clamp(bar / 6.5, 8.0, 11.0);
  out += "<g class=\"bars\">\n";
  for (std::size_t c = 0; c < chart.categories.size(); ++c) {
    const double gx = left + band * static_cast<double>(c) + (band - group) / 2;
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const double v = chart.series[s].values[c];
      if (!std::isfinite(v)) continue;
      const double x = gx + bar * static_cast<double>(s);
      const double y0 = y(0), y1 = y(v);
      const double ytop = std::min(y0, y1), h = std::max(std::fabs(y0 - y1), v == 0 ? 0.0 : 1.0);
      const std::string text = chart.format(v);
      out += "<rect class=\"bar\" data-series=\"" + std::to_string(s) + "\" data-category=\"" +
             std::to_string(c) + "\" data-value=\"" + svg_number(v) + "\" x=\"" + svg_number(x + 1) + "\" y=\"" +
             svg_number(ytop) + "\" width=\"" + svg_number(std::max(bar - 2, 1.0)) + "\" height=\"" +
             svg_number(h) + "\" fill=\"" + std::string(detail::palette_color(s)) + "\"><title>" +
             escape(chart.series[s].name + ", " + chart.categories[c] + ": " + text) + "</title></rect>\n";
      if (chart.show_values) {
        const double ty = v >= 0 ? ytop - 4 : ytop + h + value_font + 2;
        out += "<text class=\"value-label\" x=\"" + svg_number(x + bar / 2) + "\" y=\"" + svg_number(ty) +
               "\" text-anchor=\"middle\" style=\"font-size:" + svg_number(value_font) + "px\">" + escape(text) +
               "</text>\n";
      }
    }
  }
  out += "</g>\n<g class=\"axis x-axis\">\n";
  out += "<line x1=\"" + svg_number(left) + "\" x2=\"" + svg_number(chart.width - right) + "\" y1=\"" +
         svg_number(y(0)) + "\" y2=\"" + svg_number(y(0)) + "\"/>\n";
  for (std::size_t c = 0; c < chart.categories.size(); ++c) {
    const double cx = left + band * (static_cast<double>(c) + 0.5);
    out += "<text class=\"category-label\" x=\"" + svg_number(cx) + "\" y=\"" + svg_number(plot_bottom + 18) +
           "\" text-anchor=\"middle\" font-size=\"12\">";
    double dy = 0;
    for (const auto& line : detail::wrap_words(chart.categories[c], max_chars)) {
      out += "<tspan x=\"" + svg_number(cx) + "\" dy=\"" + svg_number(dy) + "\">" + escape(line) + "</tspan>";
      dy = 15;
    }
    out += "</text>\n";
  }
  out += "</g>\n</svg>\n";
  return out;
}

}  // namespace pyheap::report
