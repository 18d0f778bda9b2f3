#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "report/scale.hpp"

using namespace pyheap::report;

TEST(ReportScale, LinearScaleMapsEndsAndMiddle) {
  const LinearScale s{0, 100, 300, 50};  // SVG y: larger values higher up
  EXPECT_DOUBLE_EQ(s(0), 300);
  EXPECT_DOUBLE_EQ(s(100), 50);
  EXPECT_DOUBLE_EQ(s(50), 175);
  const LinearScale flat{5, 5, 0, 10};
  EXPECT_DOUBLE_EQ(flat(5), 5);
}

TEST(ReportScale, NiceTicksCoverTheRangeWithRoundSteps) {
  EXPECT_EQ(nice_ticks(0, 100, 6), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(nice_ticks(0, 93, 6), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(nice_ticks(0, 4'800'000, 6), (std::vector<double>{0, 1e6, 2e6, 3e6, 4e6, 5e6}));
  const auto t = nice_ticks(-3, 7, 5);
  EXPECT_LE(t.front(), -3);
  EXPECT_GE(t.back(), 7);
  EXPECT_NE(std::find(t.begin(), t.end(), 0.0), t.end());
  for (std::size_t i = 2; i < t.size(); ++i) EXPECT_NEAR(t[i] - t[i - 1], t[1] - t[0], 1e-9);
  const double step = t[1] - t[0];
  const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
  EXPECT_TRUE(std::fabs(mantissa - 1) < 1e-9 || std::fabs(mantissa - 2) < 1e-9 || std::fabs(mantissa - 5) < 1e-9);
}

TEST(ReportScale, ByteTicksAreRoundInBinaryUnits) {
  const auto t = nice_byte_ticks(0, 24.8e6, 6);  // 23.65 MiB
  const double mib = 1024.0 * 1024;
  EXPECT_EQ(t, (std::vector<double>{0, 5 * mib, 10 * mib, 15 * mib, 20 * mib, 25 * mib}));
  EXPECT_EQ(nice_byte_ticks(0, 900, 4), nice_ticks(0, 900, 4));  // below 1 KiB: plain bytes
}

TEST(ReportScale, NiceTicksOfOneValueOrBadInput) {
  const auto one = nice_ticks(0, 0, 5);
  EXPECT_LT(one.front(), 0);
  EXPECT_GT(one.back(), 0);
  const auto nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(nice_ticks(nan, 1, 5).size(), 2u);
  EXPECT_EQ(nice_ticks(0, 1, 1), (std::vector<double>{0, 1}));
}

TEST(ReportScale, FormatsNumbersBytesSecondsRatios) {
  EXPECT_EQ(format_number(1234567), "1,234,567");
  EXPECT_EQ(format_number(-1000), "-1,000");
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_number(0.25), "0.25");
  EXPECT_EQ(format_number(std::numeric_limits<double>::quiet_NaN()), "n/a");
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(4608), "4.50 KiB");
  EXPECT_EQ(format_bytes(12.5e6), "11.9 MiB");
  EXPECT_EQ(format_bytes(-2048), "-2.00 KiB");
  EXPECT_EQ(format_seconds(0.0042), "4.20 ms");
  EXPECT_EQ(format_seconds(2.5), "2.50 s");
  EXPECT_EQ(format_seconds(0), "0 s");
  EXPECT_EQ(format_ratio(0.375), "0.38x");
}

TEST(ReportScale, SvgNumbersAreShortAndPlain) {
  EXPECT_EQ(svg_number(12), "12");
  EXPECT_EQ(svg_number(12.5), "12.5");
  EXPECT_EQ(svg_number(1.0 / 3), "0.33");
  EXPECT_EQ(svg_number(-0.001), "0");
  EXPECT_EQ(svg_number(1e12), "1000000000000");
  EXPECT_EQ(svg_number(std::numeric_limits<double>::infinity()), "0");
}
