// The line chart's x-axis labels stay inside the <svg>: a label centred on a tick at the plot's
// right edge would be cut off ("100,00" in a run of 100,000 samples), so it ends at its tick.
#include <gtest/gtest.h>

#include <string>

#include "report/line_chart.hpp"

using namespace pyheap::report;

namespace {
// The text-anchor of the x-axis tick label that reads `label`, or "" if there is none.
std::string anchor_of(const std::string& svg, const std::string& label) {
  const std::size_t axis = svg.find("class=\"axis x-axis\"");
  const std::size_t at = svg.find(">" + label + "</text>", axis);
  if (axis == std::string::npos || at == std::string::npos) return "";
  const std::size_t a = svg.rfind("text-anchor=\"", at);
  const std::size_t b = svg.find('"', a + 13);
  return svg.substr(a + 13, b - a - 13);
}
}  // namespace

TEST(ReportLineAxis, LastTickLabelEndsAtTheRightEdge) {
  LineChart c;
  c.title = "samples";
  for (int i = 1; i <= 100000; i += 999) c.x.push_back(i);
  c.x.push_back(100000);
  LineSeries s{"bytes", {}};
  for (double v : c.x) s.values.push_back(v * 128);
  c.series.push_back(s);
  const std::string svg = render_line_chart(c);
  EXPECT_EQ(anchor_of(svg, "100,000"), "end");
  EXPECT_EQ(anchor_of(svg, "40,000"), "middle");
}

TEST(ReportLineAxis, LabelsInsideThePlotStayCentred) {
  LineChart c;
  c.title = "short";
  c.x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  c.series.push_back({"v", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}});
  const std::string svg = render_line_chart(c);
  EXPECT_EQ(anchor_of(svg, "0"), "middle");
  EXPECT_EQ(anchor_of(svg, "10"), "middle");  // 10 of 12: short, and away from the edge
}
