#include "advise/python_dump.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <system_error>

namespace pyheap::tools {

int run_python_dump(const PythonDumpRequest& request) {
  std::vector<std::string> argv = {request.interpreter, request.dumper};
  if (request.trace) argv.emplace_back("--trace");
  if (!request.at.empty()) {
    argv.emplace_back("--at");
    argv.push_back(request.at);
  }
  argv.emplace_back("--");
  argv.push_back(request.script);
  argv.insert(argv.end(), request.args.begin(), request.args.end());
  // Built before fork: the child only calls async-signal-safe functions.
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::string out_var = "PYHEAP_ADVISE_OUT=" + request.output;
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::string_view(*e).substr(0, 18) != "PYHEAP_ADVISE_OUT=") env.push_back(*e);
  env.push_back(out_var.data());
  env.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    execvpe(args[0], args.data(), env.data());
    _exit(127);  // as a shell reports "command not found"
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace pyheap::tools
