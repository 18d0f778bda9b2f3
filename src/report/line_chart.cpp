#include "report/line_chart.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "report/chart_parts.hpp"
#include "report/html.hpp"

namespace pyheap::report {

namespace {

std::string point(const LinearScale& x, const LinearScale& y, double xv, double yv) {
  return svg_number(x(xv)) + "," + svg_number(y(yv));
}

}  // namespace

std::string render_line_chart(const LineChart& chart) {
  if (chart.x.empty() || chart.series.empty())
    throw std::invalid_argument("line chart '" + chart.title + "' needs points and series");
  const std::size_t n = chart.x.size();
  for (const auto& s : chart.series)
    if (s.values.size() != n)
      throw std::invalid_argument("line chart '" + chart.title + "': series '" + s.name + "' needs one value per x");

  // Stacked: level[s][i] is the top of series s at point i (the sum of series 0..s).
  std::vector<std::vector<double>> level(chart.series.size(), std::vector<double>(n));
  double lo = 0, hi = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double sum = 0;
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const double v = chart.series[s].values[i];
      if (chart.stacked) {
        sum += std::isfinite(v) ? v : 0;
        level[s][i] = sum;
      } else {
        level[s][i] = v;
      }
      if (std::isfinite(level[s][i])) {
        lo = std::min(lo, level[s][i]);
        hi = std::max(hi, level[s][i]);
      }
    }
  }
  if (hi == lo) hi = lo + 1;

  std::vector<std::string> names;
  for (const auto& s : chart.series) names.push_back(s.name);
  const double left = 86, right = 20;
  double legend_height = 0;
  const std::string legend = detail::legend(names, left, 36, chart.width - right, &legend_height);
  const double top = 36 + legend_height + 14;
  const double plot_bottom = chart.height - 46;

  const auto [xmin_it, xmax_it] = std::minmax_element(chart.x.begin(), chart.x.end());
  const std::vector<double> xticks = chart.ticks_x(*xmin_it, *xmax_it, 8);
  const std::vector<double> yticks = chart.ticks_y(lo, hi, 6);
  // The x domain is the data's own (no empty margin left and right), the ticks inside it.
  const LinearScale x{*xmin_it, *xmax_it, left, chart.width - right};
  const LinearScale y{yticks.front(), yticks.back(), plot_bottom, top};

  std::string out = detail::svg_open("line", chart.id, chart.title, chart.description, chart.width, chart.height,
                                     "data-series=\"" + std::to_string(chart.series.size()) + "\" data-points=\"" +
                                         std::to_string(n) + "\" data-stacked=\"" +
                                         (chart.stacked ? "true" : "false") + "\"");
  out += legend;
  out += detail::value_axis(y, yticks, left, chart.width - right, chart.format_y, chart.y_label);

  out += "<g class=\"plot\">\n";
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const std::string color(detail::palette_color(s));
    std::string d;
    if (chart.stacked) {
      // Along this series' top, then back along the one below (or the zero line).
      for (std::size_t i = 0; i < n; ++i) {
        d += i ? 'L' : 'M';
        d += point(x, y, chart.x[i], level[s][i]);
      }
      for (std::size_t i = n; i-- > 0;) {
        d += 'L';
        d += point(x, y, chart.x[i], s ? level[s - 1][i] : 0.0);
      }
      d += "Z";
      out += "<path class=\"area\" data-series=\"" + std::to_string(s) + "\" d=\"" + d + "\" fill=\"" + color +
             "\" fill-opacity=\"0.85\" stroke=\"" + color + "\" stroke-width=\"0.5\"><title>" +
             escape(chart.series[s].name) + "</title></path>\n";
    } else {
      bool pen_down = false;
      for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(level[s][i])) {
          pen_down = false;
          continue;
        }
        d += pen_down ? 'L' : 'M';
        d += point(x, y, chart.x[i], level[s][i]);
        pen_down = true;
      }
      out += "<path class=\"series\" data-series=\"" + std::to_string(s) + "\" d=\"" + d +
             "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\" stroke-linejoin=\"round\"><title>" +
             escape(chart.series[s].name) + "</title></path>\n";
      if (n <= 60) {
        for (std::size_t i = 0; i < n; ++i) {
          if (!std::isfinite(level[s][i])) continue;
          out += "<circle class=\"point\" cx=\"" + svg_number(x(chart.x[i])) + "\" cy=\"" +
                 svg_number(y(level[s][i])) + "\" r=\"3\" fill=\"" + color + "\"><title>" +
                 escape(chart.series[s].name + " at " + chart.format_x(chart.x[i]) + ": " +
                        chart.format_y(level[s][i])) +
                 "</title></circle>\n";
        }
      }
    }
  }
  out += "</g>\n";

  if (!chart.markers.empty()) {
    out += "<g class=\"markers\">\n";
    // A marker's label is drawn when it fits before the next marker's line (crowded labels
    // would overwrite each other); every marker keeps its tooltip.
    std::vector<double> xs;
    for (const auto& m : chart.markers) xs.push_back(x(m.x));
    for (std::size_t k = 0; k < chart.markers.size(); ++k) {
      const auto& m = chart.markers[k];
      const double room = (k + 1 < xs.size() ? xs[k + 1] : chart.width) - xs[k] - 6;
      const bool labelled = detail::text_width(m.label, 10) <= room;
      const std::string mx = svg_number(x(m.x));
      out += "<line class=\"marker\" x1=\"" + mx + "\" x2=\"" + mx + "\" y1=\"" + svg_number(top) + "\" y2=\"" +
             svg_number(plot_bottom) + "\" stroke=\"#57606a\" stroke-dasharray=\"4 3\"><title>" + escape(m.tooltip.empty() ? m.label : m.tooltip) +
             "</title></line>\n";
      if (labelled)
        out += "<text class=\"marker-label\" x=\"" + svg_number(x(m.x) + 3) + "\" y=\"" + svg_number(top + 10) +
               "\" font-size=\"10\">" + escape(m.label) + "</text>\n";
    }
    out += "</g>\n";
  }

  out += "<g class=\"axis x-axis\">\n<line x1=\"" + svg_number(left) + "\" x2=\"" + svg_number(chart.width - right) +
         "\" y1=\"" + svg_number(plot_bottom) + "\" y2=\"" + svg_number(plot_bottom) + "\"/>\n";
  for (double t : xticks) {
    if (t < *xmin_it || t > *xmax_it) continue;
    const std::string tx = svg_number(x(t));
    const std::string label = chart.format_x(t);
    // A label centred on a tick near the right edge would be cut off by the <svg> (the x domain
    // ends at the data, so the last tick often sits at the plot's edge): end it at the tick.
    const bool fits_centred = x(t) + detail::text_width(label, 11) / 2 <= chart.width - 2;
    out += "<g class=\"tick\"><line x1=\"" + tx + "\" x2=\"" + tx + "\" y1=\"" + svg_number(plot_bottom) +
           "\" y2=\"" + svg_number(plot_bottom + 5) + "\"/><text x=\"" + tx + "\" y=\"" +
           svg_number(plot_bottom + 18) + "\" text-anchor=\"" + (fits_centred ? "middle" : "end") + "\">" +
           escape(label) + "</text></g>\n";
  }
  if (!chart.x_label.empty())
    out += "<text class=\"axis-label\" x=\"" + svg_number((left + chart.width - right) / 2) + "\" y=\"" +
           svg_number(chart.height - 8) + "\" text-anchor=\"middle\" font-size=\"12\">" + escape(chart.x_label) +
           "</text>\n";
  out += "</g>\n</svg>\n";
  return out;
}

}  // namespace pyheap::report
