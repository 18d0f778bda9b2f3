#include "tour/tour_report.hpp"

#include <algorithm>
#include <cmath>

#include "report/bar_chart.hpp"
#include "report/html.hpp"
#include "tour/tour_text.hpp"

namespace pyheap::tour {

void write_tour_report(const std::vector<Lesson>& lessons, const TourReportInfo& info, const std::string& path) {
  report::Document doc("pyheap tour: the same data in pyheap and in CPython " + info.python_version);
  doc.paragraph(info.method);

  report::BarChart ratios;
  ratios.id = "ratios";
  ratios.title = "pyheap bytes as a fraction of CPython's, every representation";
  ratios.value_label = "pyheap / CPython";
  ratios.format = report::format_ratio;
  ratios.series.push_back({"pyheap / CPython", {}});
  ratios.height = 400;

  int number = 0;
  for (const auto& lesson : lessons) {
    ++number;
    doc.heading(std::to_string(number) + ". " + lesson.title);
    doc.paragraph(lesson.why);

    report::BarChart chart;
    chart.id = "lesson-" + std::to_string(number);
    chart.title = lesson.title + ": bytes";
    chart.description = lesson.why;
    chart.value_label = "bytes";
    chart.format = report::format_bytes;
    chart.ticks = report::nice_byte_ticks;
    report::BarSeries ours{"pyheap", {}}, theirs{"CPython", {}};
    for (const auto& r : lesson.rows) {
      chart.categories.push_back(r.representation);
      ours.values.push_back(r.pyheap);
      theirs.values.push_back(r.cpython);
      if (!std::isnan(ratio(r)) && r.pyheap != 0) {
        ratios.categories.push_back(r.representation);
        ratios.series[0].values.push_back(ratio(r));
      }
    }
    chart.series = {std::move(ours), std::move(theirs)};
    doc.figure(report::render_bar_chart(chart), "Bytes held by each representation, as each allocator hands them out.");

    const auto cells = lesson_table(lesson);
    report::TableData table;
    table.header = cells.front();
    table.rows.assign(cells.begin() + 1, cells.end());
    table.numeric_columns = {1, 2, 3, 4, 5};
    doc.table(table);
    for (const auto& note : lesson.notes) doc.paragraph(note);
  }

  if (!ratios.categories.empty()) {
    ratios.width = std::max(760.0, 90.0 * static_cast<double>(ratios.categories.size()));
    doc.heading("All representations");
    doc.figure(report::render_bar_chart(ratios),
               "Below 1: pyheap holds fewer bytes than CPython for the same data; above 1: more.");
  }
  doc.write_file(path);
}

}  // namespace pyheap::tour
