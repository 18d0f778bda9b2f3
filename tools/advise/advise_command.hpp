// tools/advise/advise_command.hpp — `pyheap advise`: the findings of pyheap/advise.hpp for a
// .heapsnapshot file or for a CPython program, and `pyheap run --advise`'s printing.
//
//   pyheap advise [--top N] [--json] FILE.heapsnapshot
//   pyheap advise [--top N] [--json] [--internals] [--trace] [--keep FILE] [--at FILE:LINE]
//                 [--interpreter PYTHON] [--dumper PATH] --python SCRIPT [ARGS...]
//
// --python runs SCRIPT (with its ARGS) in the interpreter under tools/advise/pyheap_advise.py,
// which dumps the heap when the script ends (or where the script calls pyheap_advise.dump(), or
// where FILE:LINE is about to run with --at), then reads the dump and prints the findings after
// the script's own output.
#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "pyheap/heap_graph.hpp"

namespace pyheap {
class Heap;
}

namespace pyheap::tools {

struct AdviseCommand {
  std::string file;                // a .heapsnapshot, or with --python the script
  std::vector<std::string> args;   // the script's arguments
  bool python = false;
  bool json = false;
  bool trace = false;              // --trace: tracemalloc on from the start: allocation sites
  bool internals = false;          // --internals: the interpreter's own objects too
  std::string at;                  // --at FILE:LINE: read the heap there
  std::size_t top = 10;
  std::string keep;                // where to keep the CPython dump (default: a temporary file)
  std::string interpreter = "python3";
  std::string dumper;              // tools/advise/pyheap_advise.py
};

// Registers the subcommand on app; the options land in cmd.
CLI::App* add_advise_command(CLI::App& app, AdviseCommand& cmd);
// Runs it; returns the exit status.
int run_advise_command(const AdviseCommand& cmd, std::ostream& out, std::ostream& err);

// `pyheap run --advise`: the findings for a script's heap, printed when the script ends, its
// variables named as in its snapshots ("(script variables).a").
void print_heap_advice(const Heap& heap, std::span<const NamedRoot> variables, std::ostream& out, std::size_t top = 10);

}  // namespace pyheap::tools
