#include "report/chart_parts.hpp"

#include <algorithm>

#include "report/html.hpp"

namespace pyheap::report::detail {

std::string_view palette_color(std::size_t i) noexcept {
  static constexpr std::string_view colors[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                "#56B4E9", "#D55E00", "#8C6D1F", "#000000"};
  return colors[i % std::size(colors)];
}

std::string svg_open(std::string_view kind, std::string_view id, std::string_view title,
                     std::string_view description, double width, double height,
                     std::string_view extra_attributes) {
  const std::string w = svg_number(width), h = svg_number(height);
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pyheap-chart pyheap-";
  out += kind;
  out += "-chart\" data-chart=\"";
  out += kind;
  out += "\"";
  if (!id.empty()) out += " id=\"" + escape(id) + "\"";
  out += " width=\"" + w + "\" height=\"" + h + "\" viewBox=\"0 0 " + w + " " + h + "\"";
  out += " role=\"img\" aria-label=\"" + escape(title) + "\"";
  if (!extra_attributes.empty()) {
    out += ' ';
    out += extra_attributes;
  }
  out += ">\n<title>" + escape(title) + "</title>\n";
  if (!description.empty()) out += "<desc>" + escape(description) + "</desc>\n";
  out += "<text class=\"chart-title\" x=\"12\" y=\"22\">" + escape(title) + "</text>\n";
  return out;
}

std::string value_axis(const LinearScale& y, const std::vector<double>& ticks, double plot_left,
                       double plot_right, const Formatter& format, std::string_view label) {
  std::string out = "<g class=\"grid\">\n";
  for (double t : ticks) {
    const std::string py = svg_number(y(t));
    out += "<line x1=\"" + svg_number(plot_left) + "\" x2=\"" + svg_number(plot_right) + "\" y1=\"" + py +
           "\" y2=\"" + py + "\"/>\n";
  }
  out += "</g>\n<g class=\"axis y-axis\">\n";
  out += "<line x1=\"" + svg_number(plot_left) + "\" x2=\"" + svg_number(plot_left) + "\" y1=\"" +
         svg_number(y(ticks.front())) + "\" y2=\"" + svg_number(y(ticks.back())) + "\"/>\n";
  for (double t : ticks) {
    out += "<g class=\"tick\"><text x=\"" + svg_number(plot_left - 6) + "\" y=\"" + svg_number(y(t) + 4) +
           "\" text-anchor=\"end\">" + escape(format(t)) + "</text></g>\n";
  }
  if (!label.empty()) {
    const double cy = (y(ticks.front()) + y(ticks.back())) / 2;
    out += "<text class=\"axis-label\" transform=\"translate(14 " + svg_number(cy) +
           ") rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">" + escape(label) + "</text>\n";
  }
  out += "</g>\n";
  return out;
}

std::string legend(const std::vector<std::string>& names, double x, double y, double max_x, double* height) {
  constexpr double kRow = 20, kSwatch = 12, kFont = 12;
  std::string out = "<g class=\"legend\">\n";
  double cx = x, cy = y;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const double item = kSwatch + 6 + text_width(names[i], kFont) + 18;
    if (cx > x && cx + item > max_x) {
      cx = x;
      cy += kRow;
    }
    out += "<g class=\"legend-item\" data-series=\"" + std::to_string(i) + "\"><rect x=\"" + svg_number(cx) +
           "\" y=\"" + svg_number(cy) + "\" width=\"" + svg_number(kSwatch) + "\" height=\"" +
           svg_number(kSwatch) + "\" fill=\"" + std::string(palette_color(i)) + "\"/><text x=\"" +
           svg_number(cx + kSwatch + 6) + "\" y=\"" + svg_number(cy + 10.5) + "\" font-size=\"12\">" +
           escape(names[i]) + "</text></g>\n";
    cx += item;
  }
  out += "</g>\n";
  if (height) *height = names.empty() ? 0 : cy - y + kRow;
  return out;
}

double text_width(std::string_view text, double px) noexcept {
  // Average advance of a proportional sans-serif face, counting UTF-8 lead bytes only.
  std::size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return static_cast<double>(chars) * px * 0.58;
}

std::vector<std::string> wrap_words(std::string_view text, std::size_t max_chars) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t end = std::min(text.find(' ', i), text.size());
    const std::string_view word = text.substr(i, end - i);
    if (!word.empty()) {
      if (!line.empty() && line.size() + 1 + word.size() > max_chars) {
        lines.push_back(std::move(line));
        line.clear();
      }
      if (!line.empty()) line += ' ';
      line += word;
    }
    i = end + 1;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

}  // namespace pyheap::report::detail
