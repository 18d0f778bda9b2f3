#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "report/bar_chart.hpp"
#include "report/grid_map.hpp"
#include "report/line_chart.hpp"
#include "report_xml_check.hpp"

using namespace pyheap::report;
using report_test::count;
using report_test::xml_problem;

namespace {

BarChart sample_bars() {
  BarChart c;
  c.id = "records";
  c.title = "Records <as> \"objects\" & co";
  c.value_label = "bytes";
  c.categories = {"dict-instances", "slotted records", "table"};
  c.series = {{"pyheap", {9'600'000, 4'800'000, 2'700'000}}, {"CPython", {16'800'000, 5'600'000, 3'100'000}}};
  c.format = format_bytes;
  c.ticks = nice_byte_ticks;
  return c;
}

}  // namespace

TEST(ReportBarChart, DrawsOneBarPerValueWithLabelsAndLegend) {
  const std::string svg = render_bar_chart(sample_bars());
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pyheap-chart pyheap-bar-chart\"", 0), 0u);
  EXPECT_NE(svg.find("data-series=\"2\" data-categories=\"3\""), std::string::npos);
  EXPECT_EQ(count(svg, "<rect class=\"bar\""), 6u);
  EXPECT_EQ(count(svg, "class=\"legend-item\""), 2u);
  // The title is escaped, is the accessible name, and is shown.
  EXPECT_NE(svg.find("<title>Records &lt;as&gt; &quot;objects&quot; &amp; co</title>"), std::string::npos);
  EXPECT_NE(svg.find("aria-label=\"Records &lt;as&gt; &quot;objects&quot; &amp; co\""), std::string::npos);
  // Every value is written with the chart's formatter, and kept exactly in data-value.
  for (const char* v : {"9.16 MiB", "4.58 MiB", "2.57 MiB", "16.0 MiB", "5.34 MiB", "2.96 MiB"})
    EXPECT_NE(svg.find(std::string(">") + v + "</text>"), std::string::npos) << v;
  EXPECT_NE(svg.find("data-value=\"16800000\""), std::string::npos);
  EXPECT_NE(svg.find(">dict-instances</tspan>"), std::string::npos);
  // Byte ticks in round MiB, up to the first one above the largest bar (16.02 MiB).
  EXPECT_NE(svg.find(">15.0 MiB</text>"), std::string::npos);
  EXPECT_NE(svg.find(">20.0 MiB</text>"), std::string::npos);
  EXPECT_EQ(svg.find(">25.0 MiB</text>"), std::string::npos);
}

TEST(ReportBarChart, TallerValueGivesTallerBar) {
  BarChart c = sample_bars();
  c.categories = {"a"};
  c.series = {{"small", {10}}, {"large", {40}}};
  const std::string svg = render_bar_chart(c);
  auto height_of = [&](const std::string& series) {
    const std::size_t at = svg.find("<rect class=\"bar\" data-series=\"" + series + "\"");
    const std::size_t h = svg.find("height=\"", at) + 8;
    return std::stod(svg.substr(h, svg.find('"', h) - h));
  };
  EXPECT_NEAR(height_of("1") / height_of("0"), 4.0, 0.02);
}

TEST(ReportBarChart, MissingValuesAndBadShapes) {
  BarChart c = sample_bars();
  c.series[1].values[2] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(count(render_bar_chart(c), "<rect class=\"bar\""), 5u);
  c.series[1].values.pop_back();
  EXPECT_THROW(render_bar_chart(c), std::invalid_argument);
  c.series.clear();
  EXPECT_THROW(render_bar_chart(c), std::invalid_argument);
}

TEST(ReportLineChart, LinesWithPointsMarkersAndTicks) {
  LineChart c;
  c.title = "bytes held";
  c.x = {0, 1, 2, 3, 4};
  c.series = {{"pyheap", {0, 100, 250, 90, 40}}, {"other <x>", {5, 5, 5, 5, 5}}};
  c.markers = {{2.5, "gen 2 & co", "collection of generation 2 & co"}};
  c.format_y = format_bytes;
  const std::string svg = render_line_chart(c);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_NE(svg.find("data-chart=\"line\""), std::string::npos);
  EXPECT_NE(svg.find("data-points=\"5\""), std::string::npos);
  EXPECT_EQ(count(svg, "<path class=\"series\""), 2u);
  EXPECT_EQ(count(svg, "<circle class=\"point\""), 10u);
  EXPECT_EQ(count(svg, "<line class=\"marker\""), 1u);
  EXPECT_NE(svg.find("<title>collection of generation 2 &amp; co</title></line>"), std::string::npos);
  EXPECT_NE(svg.find(">gen 2 &amp; co</text>"), std::string::npos);  // room to draw the label
  EXPECT_NE(svg.find("other &lt;x&gt;"), std::string::npos);
  EXPECT_NE(svg.find(">250 B</text>"), std::string::npos);  // the top y tick
}

TEST(ReportLineChart, StackedAreasReachTheTotal) {
  LineChart c;
  c.title = "by size class";
  c.stacked = true;
  c.x = {0, 1};
  c.series = {{"16", {10, 20}}, {"32", {30, 60}}};  // totals 40 and 80
  const std::string svg = render_line_chart(c);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(count(svg, "<path class=\"area\""), 2u);
  EXPECT_NE(svg.find("data-stacked=\"true\""), std::string::npos);
  EXPECT_NE(svg.find(">80</text>"), std::string::npos);  // the axis reaches the stacked total
  c.series[0].values = {1};
  EXPECT_THROW(render_line_chart(c), std::invalid_argument);
}

TEST(ReportGridMap, OneCellPerValueShadedByOccupancy) {
  GridMap m;
  m.title = "pools";
  m.columns = 4;
  for (int i = 0; i < 10; ++i) m.cells.push_back({i / 9.0, "pool " + std::to_string(i)});
  m.cells.push_back({std::numeric_limits<double>::quiet_NaN(), "unused <pool>"});
  m.row_labels = {"arena 0", "arena 1", "arena 2"};
  const std::string svg = render_grid_map(m);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_NE(svg.find("data-cells=\"11\" data-columns=\"4\""), std::string::npos);
  EXPECT_EQ(count(svg, "<rect class=\"cell\""), 11u);
  EXPECT_EQ(count(svg, "data-value=\"\""), 1u);
  EXPECT_NE(svg.find("unused &lt;pool&gt;"), std::string::npos);
  EXPECT_NE(svg.find(">arena 2</text>"), std::string::npos);
  EXPECT_EQ(grid_shade(0), "#e8f1fa");
  EXPECT_EQ(grid_shade(1), "#08306b");
  EXPECT_EQ(grid_shade(7), "#08306b");
  m.columns = 0;
  EXPECT_THROW(render_grid_map(m), std::invalid_argument);
}
