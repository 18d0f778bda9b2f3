// tools/advise/python_dump.hpp — runs a Python script under the heap dumper
// (tools/advise/pyheap_advise.py) and returns where the dump was written.
#pragma once

#include <string>
#include <vector>

namespace pyheap::tools {

struct PythonDumpRequest {
  std::string interpreter = "python3";
  std::string dumper;               // path of pyheap_advise.py
  std::string script;
  std::vector<std::string> args;
  std::string output;               // the dump's path
  bool trace = false;
  std::string at;                   // "FILE:LINE": dump when that line is about to run
};

// The script's stdout and stderr are this process's. Returns the interpreter's exit status (127
// when it cannot be run, -1 when it was killed). Throws std::system_error if no process can be made.
int run_python_dump(const PythonDumpRequest& request);

}  // namespace pyheap::tools
