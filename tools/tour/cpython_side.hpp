// tour/cpython_side.hpp — the CPython half of the tour: runs tools/tour/cpython_side.py with
// the same sizes in a python3 subprocess and reads the figures it prints (one JSON object).
#pragma once

#include <string>

#include "tour/figures.hpp"
#include "tour/tour.hpp"

namespace pyheap::tour {

// Throws std::runtime_error when the script is missing, python cannot run it, it fails, or its
// output is not the expected JSON.
Figures measure_cpython(const TourSizes& sizes, const std::string& python, const std::string& script);

}  // namespace pyheap::tour
