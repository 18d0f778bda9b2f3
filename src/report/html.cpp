#include "report/html.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace pyheap::report {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// Chart colours come from the charts' own attributes; this sheet only lays out the page and
// styles the text inside the SVGs (which inherit the page font).
constexpr std::string_view kStyle = R"(
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1f2328; background: #fff; max-width: 980px; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.8rem; margin-bottom: .25rem; }
h2 { font-size: 1.3rem; margin-top: 2.5rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
h3 { font-size: 1.1rem; }
p { max-width: 75ch; }
table { border-collapse: collapse; margin: 1rem 0; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: .3rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .7rem; text-align: left; }
th { background: #f6f8fa; }
td.num { text-align: right; }
figure { margin: 1rem 0 2rem; }
figcaption { color: #57606a; font-size: .9rem; max-width: 75ch; }
svg.pyheap-chart { display: block; max-width: 100%; height: auto; }
svg.pyheap-chart text { font-family: inherit; fill: #1f2328; }
svg.pyheap-chart .axis line, svg.pyheap-chart .axis path { stroke: #57606a; }
svg.pyheap-chart .grid line { stroke: #d8dee4; }
svg.pyheap-chart .chart-title { font-weight: 600; font-size: 15px; }
svg.pyheap-chart .tick text, svg.pyheap-chart .value-label { font-size: 11px; }
)";

}  // namespace

Document::Document(std::string title) : title_(std::move(title)) {
  body_ += "<h1>" + escape(title_) + "</h1>\n";
}

Document& Document::heading(std::string_view text, int level) {
  // Appended piece by piece: GCC 12 warns (-Wrestrict, a known false positive) on
  // "literal" + std::string chains here.
  const char digit = static_cast<char>('0' + std::clamp(level, 1, 4));
  body_ += "<h";
  body_ += digit;
  body_ += '>';
  body_ += escape(text);
  body_ += "</h";
  body_ += digit;
  body_ += ">\n";
  return *this;
}

Document& Document::paragraph(std::string_view text) {
  body_ += "<p>" + escape(text) + "</p>\n";
  return *this;
}

Document& Document::table(const TableData& data) {
  auto numeric = [&](std::size_t c) {
    return std::find(data.numeric_columns.begin(), data.numeric_columns.end(), c) != data.numeric_columns.end();
  };
  body_ += "<table>\n";
  if (!data.caption.empty()) body_ += "<caption>" + escape(data.caption) + "</caption>\n";
  body_ += "<thead><tr>";
  for (const auto& h : data.header) body_ += "<th scope=\"col\">" + escape(h) + "</th>";
  body_ += "</tr></thead>\n<tbody>\n";
  for (const auto& row : data.rows) {
    body_ += "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c)
      body_ += (numeric(c) ? "<td class=\"num\">" : "<td>") + escape(row[c]) + "</td>";
    body_ += "</tr>\n";
  }
  body_ += "</tbody>\n</table>\n";
  return *this;
}

Document& Document::figure(std::string svg_markup, std::string_view caption) {
  body_ += "<figure>\n" + std::move(svg_markup);
  if (!caption.empty()) body_ += "<figcaption>" + escape(caption) + "</figcaption>\n";
  body_ += "</figure>\n";
  return *this;
}

Document& Document::raw(std::string markup) {
  body_ += std::move(markup);
  return *this;
}

std::string Document::html() const {
  std::string out;
  out.reserve(body_.size() + kStyle.size() + 256);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + escape(title_) + "</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n";
  out += body_;
  out += "</body>\n</html>\n";
  return out;
}

void write_text_file(const std::string& path, std::string_view text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error("cannot write report to " + path);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  f.close();
  if (!f) throw std::runtime_error("cannot write report to " + path);
}

void Document::write_file(const std::string& path) const { write_text_file(path, html()); }

}  // namespace pyheap::report
