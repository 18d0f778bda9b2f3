#include "tour/tour.hpp"

#include <exception>
#include <ostream>

#include "tour/cpython_side.hpp"
#include "tour/lessons.hpp"
#include "tour/pyheap_side.hpp"
#include "tour/tour_report.hpp"
#include "tour/tour_text.hpp"

namespace pyheap::tour {

namespace {

constexpr const char* kMethod =
    "Bytes are what each allocator hands out for the data, measured before and after building it with the "
    "data alive. pyheap: the allocator's bytes_held (small blocks at their block size) plus large "
    "allocations as requested, checked against deep_size. CPython: tracemalloc's traces after gc.collect(), "
    "each allocation of up to 512 bytes rounded up to pymalloc's 16-byte blocks, larger ones as requested. "
    "Ratio = pyheap / CPython.";

}  // namespace

int run_tour(const TourOptions& options, std::ostream& out, std::ostream& err) {
  try {
    const Figures ours = measure_pyheap(options.sizes);
    const Figures theirs = measure_cpython(options.sizes, options.python, options.cpython_script);
    const auto lessons = make_lessons(options.sizes, ours, theirs);
    const auto version = theirs.strings.count("python.version") ? theirs.strings.at("python.version") : "?";

    out << "pyheap tour: the same data in pyheap and in CPython " << version << " (" << options.python << ")\n";
    out << "Bytes as each allocator hands them out; ratio = pyheap / CPython.\n";
    print_lessons(lessons, out);
    if (!options.report.empty()) {
      write_tour_report(lessons, {version, kMethod}, options.report);
      out << "\nReport: " << options.report << '\n';
    }
    out.flush();
    return 0;
  } catch (const std::exception& e) {
    out.flush();
    err << "pyheap tour: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace pyheap::tour
