// view/run_view.hpp — `pyheap run --view FILE.html`: records a script's run through the runner's
// hooks and writes the page when it ends.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "run/script_runner.hpp"

namespace pyheap::view {

class Recorder;

class RunView {
 public:
  RunView(std::string page_path, std::string title);
  ~RunView();
  RunView(const RunView&) = delete;
  RunView& operator=(const RunView&) = delete;

  // Adds the viewer's hooks to options, keeping the hooks already there (they run first).
  void attach(script::RunOptions& options);

  // After the run: lays the steps out and writes the page, showing the text of the script file.
  // Returns false with a message on err when the page cannot be made or written.
  bool write(const std::string& script_path, std::ostream& err);

 private:
  std::string path_, title_;
  std::unique_ptr<Recorder> recorder_;
};

}  // namespace pyheap::view
