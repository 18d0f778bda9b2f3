// The pyheap command-line program.
//   pyheap run [--echo] [--verbose] [--snapshot OUT] [--report FILE.html] [--view FILE.html]
//              [--memory-limit BYTES] [--gc-workers N] [--gc-parallel-threshold N] FILE
//                                execute a heap script (../shared/specs/heap-script.md), and
//                                optionally write its heap snapshot, its memory report
//                                (pyheap/memory_report.hpp) and its step-by-step page (tools/view/);
//                                the collector's worker threads can also be set by
//                                $PYHEAP_GC_WORKERS, $PYHEAP_GC_PARALLEL_THRESHOLD
//   pyheap tour [--report FILE]  the same data in pyheap and CPython, bytes side by side
//   pyheap advise FILE | --python SCRIPT [ARGS...]
//                                what to change to save memory, and how much each change saves
//                                (tools/advise/advise_command.hpp); `run --advise` prints it too
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "advise/advise_command.hpp"
#include "pyheap/memory_report.hpp"

#include "run/script_runner.hpp"
#include "tool_paths.hpp"
#include "tour/tour.hpp"
#include "view/run_view.hpp"

int main(int argc, char** argv) {
  CLI::App app{"pyheap: Python's memory management for C++, shown event by event"};
  app.require_subcommand(1);

  pyheap::script::RunOptions run_options;
  std::string script;
  CLI::App* run = app.add_subcommand("run", "Execute a heap script and print what the memory manager did");
  run->add_flag("--echo", run_options.echo, "Print each statement (as '> tokens') before its events");
  run->add_option("--snapshot", run_options.snapshot,
                  "When the script ends, write the heap to this file as a Chrome DevTools .heapsnapshot");
  run->add_flag("--verbose", run_options.verbose,
                "After each collection, print what its garbage was made of (types, counts, bytes) as '#' lines");
  run->add_option("--memory-limit", run_options.memory_limit,
                  "Cap the heap's memory at BYTES: an allocation above it first runs a full collection, and "
                  "if still above, stops the script with 'FILE:LINE: error: memory limit ...' (0: no limit)")
      ->type_name("BYTES")
      ->check([](const std::string& s) {
        // Digits only: a size_t would take "-5" as 2^64 - 5, i.e. no limit at all.
        return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos
                   ? std::string()
                   : "expected a number of bytes (0: no limit), got '" + s + "'";
      });
  run->add_option("FILE", script, "The heap script")->required();
  run->add_option("--gc-workers", run_options.gc_workers,
                  "Threads for the collector's subtract and mark steps (0: one per core; 1: none)")
      ->envname("PYHEAP_GC_WORKERS")
      ->check(CLI::Range(0, 1024));
  run->add_option("--gc-parallel-threshold", run_options.gc_parallel_threshold,
                  "Collections of at least this many objects use the worker threads (0: all of them)")
      ->envname("PYHEAP_GC_PARALLEL_THRESHOLD")
      ->check(CLI::Range(0L, 1L << 40));
  std::string run_report;
  run->add_option("--report", run_report,
                  "Write an HTML report: memory after each statement, collections, largest types, pool map");

  bool run_advise = false;
  run->add_flag("--advise", run_advise, "When the script ends, print what to change to save memory (pyheap advise)");

  pyheap::tools::AdviseCommand advise_command;
  CLI::App* advise = pyheap::tools::add_advise_command(app, advise_command);
  std::string run_view;
  run->add_option("--view", run_view,
                  "Write an HTML page that steps through the script: objects, references, counts, generations, "
                  "and each collection phase by phase (lays graphs out with Graphviz's dot)");

  pyheap::tour::TourOptions tour_options;
  // The CPython half of the tour is installed beside the program (tool_paths.hpp);
  // --cpython-script or $PYHEAP_TOUR_CPYTHON_SCRIPT override it.
  if (const char* env = std::getenv("PYHEAP_TOUR_CPYTHON_SCRIPT"); env && *env)
    tour_options.cpython_script = env;
  else
    tour_options.cpython_script = pyheap::tools::data_file("cpython_side.py").string();
  CLI::App* tour = app.add_subcommand("tour", "Build the same data in pyheap and in CPython and print the bytes each uses");
  tour->add_option("--report", tour_options.report, "Also write an HTML report with charts to this file");
  tour->add_option("--records", tour_options.sizes.records, "Records in lesson 1")->capture_default_str()->check(CLI::Range(1, 10'000'000));
  tour->add_option("--floats", tour_options.sizes.floats, "Floats in lesson 2")->capture_default_str()->check(CLI::Range(1, 100'000'000));
  tour->add_option("--strings", tour_options.sizes.strings, "Strings in lesson 3")->capture_default_str()->check(CLI::Range(1, 10'000'000));
  tour->add_option("--distinct", tour_options.sizes.distinct, "Distinct texts among them")->capture_default_str()->check(CLI::Range(1, 10'000'000));
  tour->add_option("--nodes", tour_options.sizes.nodes, "Nodes in lesson 4's chain and ring")->capture_default_str()->check(CLI::Range(1, 10'000'000));
  tour->add_option("--python", tour_options.python, "The CPython interpreter to compare with")->capture_default_str();
  tour->add_option("--cpython-script", tour_options.cpython_script, "The tour's CPython half (default: share/pyheap/cpython_side.py beside the program)")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  std::ios::sync_with_stdio(false);
  if (*run) {
    std::unique_ptr<pyheap::MemoryRecorder> recorder;
    bool report_failed = false;
    if (!run_report.empty()) {
      run_options.on_start = [&](pyheap::Heap& heap) { recorder = std::make_unique<pyheap::MemoryRecorder>(heap); };
      run_options.after_statement = [&](pyheap::Heap&, std::size_t line, std::string_view statement) {
        recorder->sample("line " + std::to_string(line) + ": " + std::string(statement));
      };
      run_options.on_finish = [&](pyheap::Heap&) {
        try {
          recorder->write_html(run_report, "pyheap run " + script);
        } catch (const std::exception& e) {
          std::cerr << "pyheap run: " << e.what() << '\n';
          report_failed = true;
        }
        recorder.reset();  // before the heap goes: it removes its collector callback
      };
    }
    if (run_advise) {
      run_options.on_finish_variables = [&](pyheap::Heap& heap, std::span<const pyheap::NamedRoot> variables) {
        pyheap::tools::print_heap_advice(heap, variables, std::cout);
      };
    }
    std::unique_ptr<pyheap::view::RunView> view;
    if (!run_view.empty()) {
      view = std::make_unique<pyheap::view::RunView>(run_view, "pyheap run " + script);
      view->attach(run_options);
    }
    int status = pyheap::script::run_script_file(script, run_options, std::cout, std::cerr);
    if (status == 0 && report_failed) status = 1;
    std::cout.flush();
    if (view && !view->write(script, std::cerr) && status == 0) status = 1;
    std::cout.flush();
    return status;
  }
  if (*tour) return pyheap::tour::run_tour(tour_options, std::cout, std::cerr);
  if (*advise) return pyheap::tools::run_advise_command(advise_command, std::cout, std::cerr);
  return 2;
}
