#include "report/scale.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pyheap::report {

double LinearScale::operator()(double v) const noexcept {
  const double span = domain_hi - domain_lo;
  if (span == 0 || !std::isfinite(span)) return (range_lo + range_hi) / 2;
  return range_lo + (v - domain_lo) / span * (range_hi - range_lo);
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || target < 2) return {lo, hi};
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) {
    // One value: a range around it, so the axis still has a scale.
    const double pad = lo == 0 ? 1 : std::fabs(lo) / 2;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / (target - 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / magnitude;
  const double step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
  // A tiny tolerance so that a value exactly on a tick (after floating-point division) does not
  // get one more tick beyond it.
  const double first = std::floor(lo / step + 1e-9) * step;
  const double last = std::ceil(hi / step - 1e-9) * step;
  std::vector<double> ticks;
  const long n = std::lround((last - first) / step);
  for (long i = 0; i <= n; ++i) {
    double t = first + static_cast<double>(i) * step;
    if (std::fabs(t) < step * 1e-9) t = 0;  // -0 and 1e-17 print badly
    ticks.push_back(t);
  }
  return ticks;
}

std::vector<double> nice_byte_ticks(double lo, double hi, int target) {
  double unit = 1;
  const double largest = std::max(std::fabs(lo), std::fabs(hi));
  while (std::isfinite(largest) && largest / unit >= 1024 && unit < 1e15) unit *= 1024;
  std::vector<double> ticks = nice_ticks(lo / unit, hi / unit, target);
  for (double& t : ticks) t *= unit;
  return ticks;
}

namespace {

std::string with_thousands(long long v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

std::string trim_zeros(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// v with three significant figures (v >= 1 expected), keeping trailing zeros: "4.50", "11.9".
std::string three_figures(double v) {
  char buf[32];
  const int decimals = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

std::string format_number(double v) {
  if (!std::isfinite(v)) return std::isnan(v) ? "n/a" : (v > 0 ? "inf" : "-inf");
  if (v == std::round(v) && std::fabs(v) < 9e15) return with_thousands(static_cast<long long>(v));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return trim_zeros(buf);
}

std::string format_bytes(double v) {
  if (!std::isfinite(v)) return format_number(v);
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double a = std::fabs(v);
  int u = 0;
  while (a >= 1024 && u < 4) {
    a /= 1024;
    ++u;
  }
  const std::string sign = v < 0 ? "-" : "";
  if (u == 0) return sign + format_number(a) + " B";
  // 1023.5 KiB rounds to "1024 KiB" at 0 decimals: acceptable, and still exact to 3 figures.
  return sign + three_figures(a) + " " + units[u];
}

std::string format_seconds(double v) {
  if (!std::isfinite(v)) return format_number(v);
  const double a = std::fabs(v);
  const std::string sign = v < 0 ? "-" : "";
  if (a == 0) return "0 s";
  if (a >= 1) return sign + three_figures(a) + " s";
  if (a >= 1e-3) return sign + three_figures(a * 1e3) + " ms";
  if (a >= 1e-6) return sign + three_figures(a * 1e6) + " \xC2\xB5s";
  return sign + three_figures(a * 1e9) + " ns";
}

std::string format_ratio(double v) {
  if (!std::isfinite(v)) return format_number(v);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fx", v);
  return buf;
}

std::string svg_number(double v) {
  if (!std::isfinite(v)) return "0";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = trim_zeros(buf);
  return s == "-0" ? "0" : s;
}

}  // namespace pyheap::report
