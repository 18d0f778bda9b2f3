// The grid map's shades: a cell with anything in it is visibly darker than an empty one (a pool
// with 2 of 127 blocks in use must not read as empty), and the scale still runs light to dark.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "report/grid_map.hpp"

using pyheap::report::grid_shade;

namespace {
// The red channel of "#rrggbb": the shades get darker as it falls.
int red(const std::string& shade) { return static_cast<int>(std::strtol(shade.substr(1, 2).c_str(), nullptr, 16)); }
}  // namespace

TEST(ReportGridShade, ALittleIsVisiblyMoreThanNothing) {
  EXPECT_EQ(grid_shade(0), "#e8f1fa");
  EXPECT_EQ(grid_shade(1), "#08306b");
  // From 0 to 1/64 the shade moves at least a fifth of the way from light to dark.
  EXPECT_GE(red(grid_shade(0)) - red(grid_shade(1.0 / 64)), (0xe8 - 0x08) / 5);
  // And it keeps getting darker all the way.
  int last = red(grid_shade(0));
  for (int k = 1; k <= 8; ++k) {
    const int r = red(grid_shade(k / 8.0));
    EXPECT_LT(r, last) << "at " << k << "/8";
    last = r;
  }
}
