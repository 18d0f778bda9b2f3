// tour/subprocess.hpp — runs a program and collects what it prints on stdout.
#pragma once

#include <string>
#include <vector>

namespace pyheap::tour {

struct ProcessResult {
  int exit_status = -1;  // the program's exit status; -1 if it could not be run or was killed
  std::string out;       // its stdout (its stderr goes to ours, so its errors stay visible)
};

// argv[0] is looked up in PATH. Throws std::system_error if no pipe or process can be made.
ProcessResult run_program(const std::vector<std::string>& argv);

}  // namespace pyheap::tour
