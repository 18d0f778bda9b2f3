#include "tour/cpython_side.hpp"

#include <filesystem>
#include <stdexcept>
#include <vector>

#include "tour/subprocess.hpp"

namespace pyheap::tour {

Figures measure_cpython(const TourSizes& sizes, const std::string& python, const std::string& script) {
  if (script.empty() || !std::filesystem::is_regular_file(script))
    throw std::runtime_error("the CPython side's script '" + script +
                             "' does not exist (pass --cpython-script PATH to tools/tour/cpython_side.py)");
  const std::vector<std::string> argv = {python,
                                         script,
                                         "--records", std::to_string(sizes.records),
                                         "--floats", std::to_string(sizes.floats),
                                         "--strings", std::to_string(sizes.strings),
                                         "--distinct", std::to_string(sizes.distinct),
                                         "--nodes", std::to_string(sizes.nodes)};
  const ProcessResult r = run_program(argv);
  if (r.exit_status == 127)
    throw std::runtime_error("cannot run '" + python + "' (install python3, or pass --python PATH)");
  if (r.exit_status != 0)
    throw std::runtime_error("'" + python + " " + script + "' failed with status " + std::to_string(r.exit_status));
  Figures f = parse_flat_json(r.out, "CPython");
  const auto impl = f.strings.find("python.implementation");
  if (impl == f.strings.end() || impl->second != "cpython")
    throw std::runtime_error("'" + python + "' is not CPython: the tour compares against CPython's memory manager");
  return f;
}

}  // namespace pyheap::tour
