// tour/pyheap_side.hpp — the pyheap half of the tour: builds each lesson's data in a fresh Heap
// and measures the bytes as the allocator hands them out (bytes_held + large_bytes before and
// after, the data alive in between). Each measurement is checked against deep_size of the data:
// the two must agree to the byte, or the tour stops (std::logic_error).
#pragma once

#include "tour/figures.hpp"
#include "tour/tour.hpp"

namespace pyheap::tour {

// The same keys as tools/tour/cpython_side.py prints.
Figures measure_pyheap(const TourSizes& sizes);

}  // namespace pyheap::tour
