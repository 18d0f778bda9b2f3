// report/grid_map.hpp — a grid of cells shaded by a value in [0, 1] as inline SVG, e.g. the
// allocator's pools drawn row by row (one row per arena), each cell as full as its pool.
//
// Cells are filled left to right, `columns` per row. A cell's value picks a shade from light
// (0) to dark blue (1), with a step between 0 and anything above it, so that a cell with a little
// in it never passes for an empty one; NaN marks a cell with nothing in it (an unused or decommitted pool),
// drawn white with an outline. Each cell carries a tooltip, and a five-step legend explains the
// shades.
//
// Stable markup for tools: the <svg> has class "pyheap-chart pyheap-grid-chart",
// data-chart="grid", data-cells, data-columns; each cell is a <rect class="cell"> with
// data-value (empty for NaN).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pyheap::report {

struct GridCell {
  double value = 0;   // 0..1 (clamped), or NaN
  std::string label;  // tooltip, optional
};

struct GridMap {
  std::string id;
  std::string title;
  std::string description;
  std::size_t columns = 64;
  std::vector<GridCell> cells;
  std::vector<std::string> row_labels;  // optional, one per row (missing ones are left blank)
  std::string low_label = "0%";
  std::string high_label = "100%";
  std::string empty_label = "unused";
  double cell_size = 11;
};

// Throws std::invalid_argument when columns is 0.
std::string render_grid_map(const GridMap& map);

// The shade for a value in [0, 1] as "#rrggbb" (exposed for tests and legends elsewhere).
std::string grid_shade(double value);

}  // namespace pyheap::report
