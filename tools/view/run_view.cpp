#include "view/run_view.hpp"

#include <fstream>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "pyheap/heap.hpp"
#include "report/html.hpp"
#include "view/layout.hpp"
#include "view/page.hpp"
#include "view/recorder.hpp"
#include "view/story.hpp"

namespace pyheap::view {

RunView::RunView(std::string page_path, std::string title) : path_(std::move(page_path)), title_(std::move(title)) {}
RunView::~RunView() = default;

void RunView::attach(script::RunOptions& options) {
  options.on_start = [this, before = std::move(options.on_start)](Heap& heap) {
    if (before) before(heap);
    recorder_ = std::make_unique<Recorder>(heap);
    heap.gc().set_observer(recorder_.get());
  };
  options.on_statement = [this, before = std::move(options.on_statement)](Heap& heap, const script::StatementRecord& r) {
    if (before) before(heap, r);
    recorder_->statement(r);
  };
  // The heap's teardown collects: the recorder stops watching before it does.
  options.on_finish = [before = std::move(options.on_finish)](Heap& heap) {
    if (before) before(heap);
    heap.gc().set_observer(nullptr);
  };
}

bool RunView::write(const std::string& script_path, std::ostream& err) {
  if (!recorder_) return true;  // the script did not start (unreadable): nothing to show
  try {
    std::ifstream in(script_path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const std::string source = text.str();
    const Layout layout = lay_out(recorder_->steps(), recorder_->camera());
    const std::vector<Frame> frames = tell(recorder_->steps(), recorder_->camera());
    report::write_text_file(path_, page_html({title_, source, recorder_.get(), &layout, &frames}));
  } catch (const std::exception& e) {
    err << "pyheap run --view: " << e.what() << '\n';
    return false;
  }
  return true;
}

}  // namespace pyheap::view
