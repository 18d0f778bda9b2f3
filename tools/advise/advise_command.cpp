// `pyheap advise` and `pyheap run --advise`.
#include "advise/advise_command.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <stdexcept>

#include "advise/python_dump.hpp"
#include "tool_paths.hpp"
#include "pyheap/advise.hpp"
#include "pyheap/object_graph.hpp"

// The dumper is a data file installed beside the program (share/pyheap/, tool_paths.hpp);
// --dumper or $PYHEAP_ADVISE_DUMPER override it.

namespace pyheap::tools {

namespace {

std::string default_dumper() {
  if (const char* env = std::getenv("PYHEAP_ADVISE_DUMPER"); env && *env) return env;
  return data_file("pyheap_advise.py").string();
}

// A fresh temporary file name for the dump (the file is created, so no one else takes it).
std::string temporary_dump() {
  std::string path = (std::filesystem::temp_directory_path() / "pyheap-advise-XXXXXX.heapsnapshot").string();
  const int fd = mkstemps(path.data(), static_cast<int>(std::string_view(".heapsnapshot").size()));
  if (fd < 0) throw std::runtime_error("cannot create a temporary file in " + std::filesystem::temp_directory_path().string());
  close(fd);
  return path;
}

AdviseOptions options_of(const AdviseCommand& cmd) {
  AdviseOptions o;
  o.internals = cmd.internals;
  return o;
}

void print(const ObjectGraph& graph, const AdviseCommand& cmd, std::ostream& out) {
  const Advice advice = advise(graph, options_of(cmd));
  out << (cmd.json ? advice_json(advice) : format_advice(advice, cmd.top));
  out.flush();
}

int advise_python(const AdviseCommand& cmd, std::ostream& out, std::ostream& err) {
  if (cmd.dumper.empty() || !std::filesystem::is_regular_file(cmd.dumper)) {
    err << "pyheap advise: the dumper '" << cmd.dumper
        << "' does not exist (pass --dumper PATH to pyheap_advise.py)\n";
    return 2;
  }
  PythonDumpRequest req;
  req.interpreter = cmd.interpreter;
  req.dumper = cmd.dumper;
  req.script = cmd.file;
  req.args = cmd.args;
  req.trace = cmd.trace;
  req.at = cmd.at;
  req.output = cmd.keep.empty() ? temporary_dump() : cmd.keep;
  struct Remove {
    std::string path;
    ~Remove() {
      if (!path.empty()) std::filesystem::remove(path);
    }
  } remove{cmd.keep.empty() ? req.output : std::string()};
  out.flush();
  const int status = run_python_dump(req);
  if (status == 127) {
    err << "pyheap advise: cannot run '" << cmd.interpreter << "' (install python3, or pass --interpreter PATH)\n";
    return 2;
  }
  if (status != 0) {
    err << "pyheap advise: " << cmd.file << " exited with status " << status << "; no advice\n";
    return status < 0 ? 1 : status;
  }
  print(ObjectGraph::read_file(req.output), cmd, out);
  return 0;
}

}  // namespace

CLI::App* add_advise_command(CLI::App& app, AdviseCommand& cmd) {
  cmd.dumper = default_dumper();
  CLI::App* sub = app.add_subcommand(
      "advise", "What to change to make a heap smaller, and how many bytes each change saves "
                "(a .heapsnapshot, or a Python program with --python)");
  sub->add_flag("--python", cmd.python,
                "FILE is a Python script: run it (with ARGS) in CPython and advise on its heap when it ends");
  sub->add_option("FILE", cmd.file, "A .heapsnapshot (pyheap's or pyheap_advise.py's), or the script with --python")
      ->required();
  sub->add_option("--top", cmd.top, "Print at most this many findings (besides the last, the dominators)")
      ->capture_default_str();
  sub->add_flag("--json", cmd.json, "Print the findings as JSON");
  sub->add_flag("--internals", cmd.internals,
                "Also advise on the interpreter's and the libraries' own objects, and name them as holders");
  sub->add_flag("--trace", cmd.trace, "With --python: trace allocations (tracemalloc) to name where objects were made");
  sub->add_option("--at", cmd.at,
                  "With --python: read the heap when FILE:LINE is about to run (the first time), not when the script ends")
      ->check([](const std::string& v) {
        const auto colon = v.rfind(':');
        const bool ok = colon != std::string::npos && colon > 0 && colon + 1 < v.size() &&
                        v.find_first_not_of("0123456789", colon + 1) == std::string::npos;
        return ok ? std::string() : "--at wants FILE:LINE (app.py:12), not '" + v + "'";
      });
  sub->add_option("--keep", cmd.keep, "With --python: keep the heap dump in this file");
  sub->add_option("--interpreter", cmd.interpreter, "With --python: the CPython 3.11 interpreter")->capture_default_str();
  sub->add_option("--dumper", cmd.dumper, "With --python: the CPython heap dumper (default: share/pyheap/pyheap_advise.py beside the program)")->capture_default_str();
  // Everything after FILE is the script's, options included: CLI11 leaves it in remaining().
  sub->prefix_command();
  sub->callback([sub, &cmd] { cmd.args = sub->remaining(); });
  sub->footer("ARGS...: with --python, everything after the script is passed to it.");
  return sub;
}

int run_advise_command(const AdviseCommand& cmd, std::ostream& out, std::ostream& err) {
  try {
    if (cmd.python) return advise_python(cmd, out, err);
    if (!cmd.args.empty()) {
      err << "pyheap advise: arguments after the file are for a script (with --python)\n";
      return 2;
    }
    if (!cmd.at.empty()) {
      err << "pyheap advise: --at is for a script (with --python)\n";
      return 2;
    }
    print(ObjectGraph::read_file(cmd.file), cmd, out);
    return 0;
  } catch (const std::exception& e) {
    err << "pyheap advise: " << e.what() << '\n';
    return 1;
  }
}

void print_heap_advice(const Heap& heap, std::span<const NamedRoot> variables, std::ostream& out, std::size_t top) {
  out << format_advice(advise(heap, AdviseOptions{}, variables, "(script variables)"), top);
}

}  // namespace pyheap::tools
