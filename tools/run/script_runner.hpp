// Runs a heap script (../shared/specs/heap-script.md) on a fresh Heap and prints its events.
//
// Statements run one line at a time: a line that is not valid stops the run with
// "FILE:LINE: error: WHAT" on the error stream and exit status 2, after the events of the lines
// before it were printed. The heap is always torn down cleanly and silently at the end.
#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "pyheap/heap_graph.hpp"

namespace pyheap {
class Heap;
class Object;
}

namespace pyheap::script {

// One statement as it ran, for observers that show a run step by step (`--view`).
struct StatementRecord {
  std::size_t line = 0;
  std::string_view statement;  // the source line as written (comments included)
  std::string_view output;     // what the statement printed (its event lines, in order)
  std::string_view error;      // why the script stopped here, or empty
  // The variables (the script's roots) after the statement, by name.
  std::span<const NamedRoot> variables;
};

struct RunOptions {
  bool echo = false;  // print "> statement" before each statement's events
  std::string snapshot;  // when not empty: write a .heapsnapshot there when the script ends
  bool allow_file_output = true;  // false: the `snapshot FILE` statement is an error (fuzzing)
  // Observers of the script's heap (e.g. `--report`'s MemoryRecorder): on_start before the first
  // statement, after_statement after each one (also after the one that failed), on_finish before
  // the heap is torn down. They must not create or drop objects of the heap.
  std::function<void(Heap&)> on_start;
  std::function<void(Heap&, std::size_t line, std::string_view statement)> after_statement;
  std::function<void(Heap&)> on_finish;
  // After on_finish, with the script's variables as named roots (what `--advise` names them by,
  // as snapshots and `why` do; HeapGraph::capture's group "(script variables)").
  std::function<void(Heap&, std::span<const NamedRoot> variables)> on_finish_variables;
  // After each statement (with after_statement), with what it printed and the variables. When
  // set, a statement's output is collected and written out after it ran, in one piece.
  std::function<void(Heap&, const StatementRecord&)> on_statement;
  // After each collection, print what its garbage was, as '#' comment lines (so the output
  // differs from the spec's only by lines a reader of events can skip).
  bool verbose = false;
  // When not 0: the heap's memory limit in bytes (heap.set_memory_limit). A statement whose
  // allocation passes it, after the emergency collection, stops the script with
  // "FILE:LINE: error: memory limit of ..." and exit status 2, like a bad statement.
  std::size_t memory_limit = 0;
  // The collector's worker threads (Collector::set_workers, set_parallel_threshold); -1 keeps
  // the library's defaults. Output never depends on them: the tests run scripts with the
  // workers forced on (threshold 0) and compare.
  long gc_workers = -1;
  long gc_parallel_threshold = -1;
};

// Returns the process exit status: 0, or 2 for an invalid script.
int run_script(std::string_view text, const std::string& filename, const RunOptions& options,
               std::ostream& out, std::ostream& err);

// Reads the file, then run_script. An unreadable file is reported like a script error.
int run_script_file(const std::string& path, const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace pyheap::script
