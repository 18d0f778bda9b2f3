// libFuzzer target: arbitrary bytes are run as a heap script (../../shared/specs/heap-script.md,
// tools/run/script_runner.hpp), half of them under a memory limit. Whatever the input, run_script
// must return 0 or 2 and must not crash, trip a PYHEAP_ASSERT, throw, or make
// ASan/UBSan/LeakSanitizer report anything.
// Every input runs twice: with the collector's worker threads off, and forced on for every
// collection; the two outputs (events and error messages) and statuses must be identical
// (issue 14: the workers change nothing a program can see).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "run/script_runner.hpp"

namespace {

struct Outcome {
  int status;
  std::string out;
};

Outcome run(std::string_view text, long workers, long threshold, std::size_t memory_limit) {
  std::ostringstream out;
  pyheap::script::RunOptions options;
  options.echo = true;  // exercise the echo path too; it must not change anything else
  options.allow_file_output = false;  // arbitrary input must not write files (`snapshot PATH`)
  options.gc_workers = workers;
  options.gc_parallel_threshold = threshold;
  options.memory_limit = memory_limit;
  const int status = pyheap::script::run_script(text, "fuzz.heap", options, out, out);
  if (status != 0 && status != 2) std::abort();
  return {status, out.str()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Inputs of odd length run under a small memory limit (4 to 20 KiB: tens of nodes), so that
  // emergency collections, finalizers run by them and failed makes are fuzzed too.
  const std::size_t limit = size % 2 == 1 ? 4096 + 1024 * (size % 17) : 0;
  const Outcome off = run(text, 1, -1, limit);
  const Outcome on = run(text, 2, 0, limit);
  if (off.status != on.status || off.out != on.out) {
    std::fprintf(stderr, "workers off and on disagree:\n--- off (%d)\n%s\n--- on (%d)\n%s\n", off.status,
                 off.out.c_str(), on.status, on.out.c_str());
    std::abort();
  }
  return 0;
}
