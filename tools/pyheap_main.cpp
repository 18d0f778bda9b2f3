// The pyheap command-line program.
//   pyheap run [--echo] [--verbose] FILE     execute a heap script (../shared/specs/heap-script.md)
#include <CLI/CLI.hpp>

#include <iostream>

#include "script/script_runner.hpp"

int main(int argc, char** argv) {
  CLI::App app{"pyheap: Python's memory management for C++, shown event by event"};
  app.require_subcommand(1);

  pyheap::script::RunOptions run_options;
  std::string script;
  CLI::App* run = app.add_subcommand("run", "Execute a heap script and print what the memory manager did");
  run->add_flag("--echo", run_options.echo, "Print each statement (as '> tokens') before its events");
  run->add_flag("--verbose", run_options.verbose,
                "After each collection, print what its garbage was made of (types, counts, bytes) as '#' lines");
  run->add_option("FILE", script, "The heap script")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  std::ios::sync_with_stdio(false);
  if (*run) {
    const int status = pyheap::script::run_script_file(script, run_options, std::cout, std::cerr);
    std::cout.flush();
    return status;
  }
  return 2;
}
