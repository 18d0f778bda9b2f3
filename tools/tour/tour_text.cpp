#include "tour/tour_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "report/scale.hpp"

namespace pyheap::tour {

namespace {

std::string per_item(double bytes, std::size_t items) {
  if (items == 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", bytes / static_cast<double>(items));
  return buf;
}

std::string ratio_text(const LessonRow& r) {
  const double q = ratio(r);
  if (std::isnan(q)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", q);
  return buf;
}

// Wraps text at spaces to width columns, each line prefixed by indent.
void print_wrapped(std::ostream& out, const std::string& text, const std::string& indent, std::size_t width) {
  std::string line;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t end = std::min(text.find(' ', i), text.size());
    const std::string word = text.substr(i, end - i);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out << indent << line << '\n';
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
    i = end + 1;
  }
  if (!line.empty()) out << indent << line << '\n';
}

}  // namespace

std::vector<std::vector<std::string>> lesson_table(const Lesson& lesson) {
  std::vector<std::vector<std::string>> t;
  t.push_back({"representation", "pyheap bytes", "CPython bytes", "ratio", "pyheap B/" + lesson.unit,
               "CPython B/" + lesson.unit});
  for (const auto& r : lesson.rows)
    t.push_back({r.representation, report::format_number(r.pyheap), report::format_number(r.cpython), ratio_text(r),
                 per_item(r.pyheap, lesson.items), per_item(r.cpython, lesson.items)});
  return t;
}

void print_lessons(const std::vector<Lesson>& lessons, std::ostream& out) {
  int number = 0;
  for (const auto& lesson : lessons) {
    out << '\n' << ++number << ". " << lesson.title << '\n';
    print_wrapped(out, lesson.why, "   ", 96);
    out << '\n';
    const auto table = lesson_table(lesson);
    std::vector<std::size_t> width(table.front().size(), 0);
    for (const auto& row : table)
      for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    for (const auto& row : table) {
      out << "   ";
      for (std::size_t c = 0; c < row.size(); ++c) {
        // The first column left-aligned, the figures right-aligned so their digits line up.
        const std::string pad(width[c] - row[c].size(), ' ');
        out << (c == 0 ? row[c] + pad : pad + row[c]) << (c + 1 < row.size() ? "   " : "\n");
      }
    }
    if (!lesson.notes.empty()) out << '\n';
    for (const auto& note : lesson.notes) print_wrapped(out, note, "   ", 96);
  }
}

}  // namespace pyheap::tour
