// report/scale.hpp — mapping data to pixels, choosing axis ticks, and writing numbers for people.
//
// Axes use "nice" ticks (1, 2 or 5 times a power of ten) and extend the domain to the outer
// ticks, so a bar never ends above the top gridline and tick labels are short round numbers.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace pyheap::report {

// Maps [domain_lo, domain_hi] linearly onto [range_lo, range_hi] (either may be reversed, as
// SVG's y axis is). A zero-width domain maps everything to the middle of the range.
struct LinearScale {
  double domain_lo = 0, domain_hi = 1;
  double range_lo = 0, range_hi = 1;
  double operator()(double v) const noexcept;
};

// About `target` round tick values covering [lo, hi]: the first <= lo, the last >= hi, evenly
// spaced by 1, 2 or 5 times a power of ten. Non-finite input or target < 2 gives {lo, hi}.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);
// The same in the binary unit (B, KiB, MiB, ...) of the larger end, so that byte axes read
// "0, 5.00 MiB, 10.0 MiB" rather than "0, 4.77 MiB, 9.54 MiB".
std::vector<double> nice_byte_ticks(double lo, double hi, int target = 5);
// Chooses the ticks of an axis: nice_ticks or nice_byte_ticks.
using Ticker = std::function<std::vector<double>(double lo, double hi, int target)>;

// How values are written in labels.
using Formatter = std::function<std::string(double)>;
// 1234567 -> "1,234,567"; non-integers keep up to 3 decimals without trailing zeros ("0.25").
std::string format_number(double v);
// Bytes in binary units with 3 significant figures: 512 -> "512 B", 4608 -> "4.50 KiB",
// 12.5e6 -> "11.9 MiB".
std::string format_bytes(double v);
// Seconds with a unit that keeps 3 significant figures: 0.0042 -> "4.20 ms".
std::string format_seconds(double v);
// A ratio: 0.375 -> "0.38x".
std::string format_ratio(double v);

// A coordinate for SVG: at most 2 decimals, no trailing zeros, never exponent notation.
std::string svg_number(double v);

}  // namespace pyheap::report
