// libFuzzer target: arbitrary bytes are run as a heap script (../../shared/specs/heap-script.md,
// tools/run/script_runner.hpp), half of them under a memory limit. Whatever the input, run_script
// must return 0 or 2 and must not crash, trip a PYHEAP_ASSERT, throw, or make
// ASan/UBSan/LeakSanitizer report anything.
// Output and error messages go to a stream that discards them (but still formats them).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

#include "run/script_runner.hpp"

namespace {

// Accepts and discards everything, so that the runner's output paths still run.
class NullBuf final : public std::streambuf {
 protected:
  int_type overflow(int_type c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static NullBuf buf;
  static std::ostream null_out(&buf);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  pyheap::script::RunOptions options;
  options.echo = true;  // exercise the echo path too; it must not change anything else
  options.allow_file_output = false;  // arbitrary input must not write files (`snapshot PATH`)
  // Inputs of odd length run under a small memory limit (4 to 20 KiB: tens of nodes), so that
  // emergency collections, finalizers run by them and failed makes are fuzzed too.
  if (size % 2 == 1) options.memory_limit = 4096 + 1024 * (size % 17);
  const int status = pyheap::script::run_script(text, "fuzz.heap", options, null_out, null_out);
  if (status != 0 && status != 2) std::abort();
  return 0;
}
