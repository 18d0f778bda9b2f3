// Lets a test run force the collector's worker threads on for every heap the tests make:
//   PYHEAP_GC_WORKERS=2 PYHEAP_GC_PARALLEL_THRESHOLD=0 build/tests/pyheap_unit_tests
// (scripts/tsan.sh does, under ThreadSanitizer). Read before any test runs; tests that set the
// workers themselves still do.
#include <cstdlib>
#include <string>

#include "pyheap/collector.hpp"

namespace {
const bool applied = [] {
  if (const char* w = std::getenv("PYHEAP_GC_WORKERS"); w && *w)
    pyheap::Collector::set_default_workers(static_cast<unsigned>(std::stoul(w)));
  if (const char* t = std::getenv("PYHEAP_GC_PARALLEL_THRESHOLD"); t && *t)
    pyheap::Collector::set_default_parallel_threshold(std::stoull(t));
  return true;
}();
}  // namespace
