// The heap-script interpreter. One class, Runner, owns the heap, the variables (the script's
// roots) and the output buffer; statements are dispatched by their first token.
#include "run/script_runner.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pyheap/growth.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/heap_graph.hpp"
#include "pyheap/heap_snapshot.hpp"
#include "pyheap/why_alive.hpp"
#include "run/script_objects.hpp"

namespace pyheap::script {
namespace {

// A script error: the message names what is wrong; the runner adds file and line.
struct ScriptError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr std::size_t kMaxName = 64;

bool is_keyword(std::string_view s) {
  return s == "none" || s == "final" || s == "resurrect" || s == "callback";
}

bool is_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxName || is_keyword(s)) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!alpha(s[0])) return false;
  for (char c : s.substr(1))
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}

std::string_view check_name(std::string_view s, const char* what) {
  if (!is_name(s)) throw ScriptError("bad " + std::string(what) + " '" + std::string(s) + "' (a NAME is [A-Za-z_][A-Za-z0-9_]*, at most 64 characters, not a keyword)");
  return s;
}

struct FieldRef {
  std::string_view var;
  int index;
};

FieldRef parse_field(std::string_view s) {
  const auto dot = s.find('.');
  if (dot == std::string_view::npos) throw ScriptError("bad field '" + std::string(s) + "' (expected VAR.K with K in 0..7)");
  std::string_view var = s.substr(0, dot), k = s.substr(dot + 1);
  if (!is_name(var)) throw ScriptError("bad field '" + std::string(s) + "': bad variable name");
  int index = -1;
  auto [p, ec] = std::from_chars(k.data(), k.data() + k.size(), index);
  if (k.empty() || ec != std::errc() || p != k.data() + k.size() || index < 0 || index > 7)
    throw ScriptError("bad field '" + std::string(s) + "' (K must be a decimal integer 0..7)");
  return {var, index};
}

std::vector<std::string_view> tokenize(std::string_view line) {
  if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) tokens.push_back(line.substr(i, j - i));
    i = j;
  }
  return tokens;
}

class Runner final : public Events {
 public:
  Runner(const RunOptions& options, std::ostream& out) : options_(options), out_(out) {
    heap_.gc().disable();  // scripts start with automatic collection off
    // `gc enable` and `gc threshold` are CPython's gc.enable and gc.set_threshold: 3.11's timing.
    heap_.gc().set_schedule(GcSchedule::CPython311);
    heap_.set_memory_limit(options_.memory_limit);
    if (options_.gc_workers >= 0) heap_.gc().set_workers(static_cast<unsigned>(options_.gc_workers));
    if (options_.gc_parallel_threshold >= 0)
      heap_.gc().set_parallel_threshold(static_cast<std::size_t>(options_.gc_parallel_threshold));
    heap_.set_unraisable_hook([this](const UnraisableInfo& info) {
      std::string what = "unknown exception";
      try {
        if (info.error) std::rethrow_exception(info.error);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      unraisable_ << "Exception ignored in " << info.where << ": " << what << '\n';
    });
    if (options_.verbose) {
      heap_.gc().add_callback([this](GcPhase phase, const CollectionInfo& info) {
        if (phase != GcPhase::Stop || tearing_down_) return;
        out_ << "# gc: generation " << info.generation << ", collected " << info.collected << '\n';
        if (info.garbage != nullptr && info.collected != 0) out_ << info.garbage->format("# ");
      });
    }
  }

  ~Runner() {
    // Teardown prints nothing: events belong to statements.
    tearing_down_ = true;
    vars_.clear();
  }

  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  void execute(const std::vector<std::string_view>& t) {
    if (options_.echo) {
      out_ << '>';
      for (auto tok : t) out_ << ' ' << tok;
      out_ << '\n';
    }
    const std::string_view op = t[0];
    if (op == "new") return stmt_new(t);
    if (op == "let") return stmt_let(t);
    if (op == "set") return stmt_set(t);
    if (op == "get") return stmt_get(t);
    if (op == "del") return stmt_del(t);
    if (op == "weak") return stmt_weak(t);
    if (op == "deref") return stmt_deref(t);
    if (op == "collect") return stmt_collect(t);
    if (op == "gc") return stmt_gc(t);
    if (op == "live") return stmt_live(t);
    if (op == "say") return stmt_say(t);
    if (op == "stats") return stmt_stats(t);
    if (op == "refs") return stmt_refs(t);
    if (op == "why") return stmt_why(t);
    if (op == "growth") return stmt_growth(t);
    if (op == "snapshot") return stmt_snapshot(t);
    throw ScriptError("unknown statement '" + std::string(op) + "'");
  }

  // The variables as named roots (sorted, so output is stable).
  std::vector<NamedRoot> variables() const {
    std::vector<NamedRoot> roots;
    for (const auto& [name, ref] : vars_) roots.push_back(NamedRoot{name, ref.get()});
    std::sort(roots.begin(), roots.end(), [](const NamedRoot& a, const NamedRoot& b) { return a.name < b.name; });
    return roots;
  }

  // The heap's object graph, with the variables as named roots.
  HeapGraph capture_graph() const { return HeapGraph::capture(heap_, variables(), "(script variables)"); }

  // `--snapshot FILE`: the heap as the script leaves it, before teardown.
  void write_snapshot(const std::string& path) const { write_heap_snapshot_file(capture_graph(), path); }

  Heap& heap() noexcept { return heap_; }

  std::string take_unraisable() {
    std::string s = unraisable_.str();
    unraisable_.str({});
    return s;
  }

  // Events
  void on_finalize(Node& node, bool resurrect) override {
    if (tearing_down_) return;
    out_ << "final " << node.label() << '\n';
    if (resurrect) {
      // Store first, release the old binding after (it may run more finalizers).
      Ref<Object> old = std::exchange(vars_[node.label()], Ref<Object>::borrow(&node));
    }
  }
  void on_node_destroyed(Node& node) noexcept override { live_.erase(node.label()); }

 private:
  static void arity(const std::vector<std::string_view>& t, std::size_t lo, std::size_t hi, const char* usage) {
    if (t.size() < lo || t.size() > hi) throw ScriptError(std::string("wrong number of words: expected '") + usage + "'");
  }

  Ref<Object>& bound(std::string_view name) {
    check_name(name, "variable");
    auto it = vars_.find(std::string(name));
    if (it == vars_.end()) throw ScriptError("variable '" + std::string(name) + "' is not bound");
    return it->second;
  }

  Node& bound_node(std::string_view name, const char* stmt) {
    Ref<Object>& r = bound(name);
    if (!is_node(r.get())) throw ScriptError(std::string(stmt) + ": '" + std::string(name) + "' is not a node");
    return static_cast<Node&>(*r);
  }

  void bind(std::string_view name, Ref<Object> value) {
    if (!value) {
      auto it = vars_.find(std::string(name));
      if (it != vars_.end()) {
        Ref<Object> old = std::move(it->second);
        vars_.erase(it);
      }
      return;
    }
    Ref<Object> old = std::exchange(vars_[std::string(name)], std::move(value));
  }

  void claim_label(std::string_view label) {
    check_name(label, "label");
    if (!labels_.insert(std::string(label)).second) throw ScriptError("label '" + std::string(label) + "' was used before");
  }

  void stmt_new(const std::vector<std::string_view>& t) {
    arity(t, 2, 3, "new NAME [final|resurrect]");
    check_name(t[1], "label");
    Ref<Object> node;
    std::string label(t[1]);
    if (t.size() == 2) {
      claim_label(t[1]);
      node = heap_.make<Node>(label, this);
    } else if (t[2] == "final") {
      claim_label(t[1]);
      node = heap_.make<FinalNode>(label, this);
    } else if (t[2] == "resurrect") {
      claim_label(t[1]);
      node = heap_.make<ResurrectNode>(label, this);
    } else {
      throw ScriptError("new: expected 'final' or 'resurrect' after the name, got '" + std::string(t[2]) + "'");
    }
    live_.insert(label);
    bind(t[1], std::move(node));
  }

  void stmt_let(const std::vector<std::string_view>& t) {
    arity(t, 3, 3, "let VAR OTHER");
    check_name(t[1], "variable");
    Ref<Object> value = bound(t[2]);
    bind(t[1], std::move(value));
  }

  void stmt_set(const std::vector<std::string_view>& t) {
    arity(t, 3, 3, "set VAR.K VALUE|none");
    const FieldRef f = parse_field(t[1]);
    Ref<Object> value;
    if (t[2] != "none") value = bound(t[2]);
    Node& node = bound_node(f.var, "set");
    Ref<Object> keep = Ref<Object>::borrow(&node);  // the store may release the last other reference
    node.field(f.index) = std::move(value);
  }

  void stmt_get(const std::vector<std::string_view>& t) {
    arity(t, 3, 3, "get VAR OTHER.K");
    check_name(t[1], "variable");
    const FieldRef f = parse_field(t[2]);
    Ref<Object> value = bound_node(f.var, "get").field(f.index);
    bind(t[1], std::move(value));
  }

  void stmt_del(const std::vector<std::string_view>& t) {
    arity(t, 2, 2, "del VAR");
    bound(t[1]);
    bind(t[1], nullptr);
  }

  void stmt_weak(const std::vector<std::string_view>& t) {
    arity(t, 3, 4, "weak NAME VAR [callback]");
    check_name(t[1], "label");
    if (t.size() == 4 && t[3] != "callback")
      throw ScriptError("weak: expected 'callback' after the variable, got '" + std::string(t[3]) + "'");
    // A strong reference for the duration of the statement, not a reference to the variable:
    // making the weak reference object may run an automatic collection whose resurrecting
    // finalizer rebinds the variable, which would free the referent under our feet.
    Ref<Object> target = bound(t[2]);
    if (is_weak(target.get())) throw ScriptError("weak: cannot create a weak reference to weak reference object '" + std::string(t[2]) + "'");
    claim_label(t[1]);
    WeakReference::Callback cb;
    if (t.size() == 4) {
      cb = [this](WeakReference& wr) {
        if (!tearing_down_) out_ << "callback " << static_cast<LabelledWeak&>(wr).label() << '\n';
      };
    }
    Ref<Object> wr = heap_.make<LabelledWeak>(target.get(), std::move(cb), std::string(t[1]));
    bind(t[1], std::move(wr));
  }

  void stmt_deref(const std::vector<std::string_view>& t) {
    arity(t, 3, 3, "deref VAR WEAK");
    check_name(t[1], "variable");
    Ref<Object>& w = bound(t[2]);
    if (!is_weak(w.get())) throw ScriptError("deref: '" + std::string(t[2]) + "' is not a weak reference");
    Ref<Object> target = static_cast<LabelledWeak&>(*w).lock();
    bind(t[1], std::move(target));
  }

  void stmt_collect(const std::vector<std::string_view>& t) {
    arity(t, 1, 2, "collect [GEN]");
    int gen = 2;
    if (t.size() == 2) {
      if (t[1] == "0") gen = 0;
      else if (t[1] == "1") gen = 1;
      else if (t[1] == "2") gen = 2;
      else throw ScriptError("collect: generation must be 0, 1 or 2, got '" + std::string(t[1]) + "'");
    }
    const std::size_t n = heap_.gc().collect(gen);
    out_ << "collected " << n << '\n';
  }

  void stmt_gc(const std::vector<std::string_view>& t) {
    if (t.size() >= 2 && t[1] == "threshold") return stmt_gc_threshold(t);
    arity(t, 2, 2, "gc disable|enable|freeze|unfreeze");
    if (t[1] == "disable") heap_.gc().disable();
    else if (t[1] == "enable") heap_.gc().enable();
    else if (t[1] == "freeze") heap_.gc().freeze();
    else if (t[1] == "unfreeze") heap_.gc().unfreeze();
    else throw ScriptError("gc: expected disable, enable, freeze or unfreeze, got '" + std::string(t[1]) + "'");
  }

  // Extension: `gc threshold T0 [T1 [T2]]`, as CPython's gc.set_threshold (0 <= T <= 1000000;
  // T0 = 0 turns automatic collection off). With small thresholds and `gc enable`, collections
  // run inside `new` and `weak`: the fuzzer (fuzz/) uses it to reach that path in short scripts.
  void stmt_gc_threshold(const std::vector<std::string_view>& t) {
    arity(t, 3, 5, "gc threshold T0 [T1 [T2]]");
    int v[3] = {-1, -1, -1};
    for (std::size_t i = 2; i < t.size(); ++i) {
      const std::string_view s = t[i];
      int n = -1;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (ec != std::errc() || p != s.data() + s.size() || n < 0 || n > 1000000)
        throw ScriptError("gc threshold: expected an integer 0..1000000, got '" + std::string(s) + "'");
      v[i - 2] = n;
    }
    heap_.gc().set_threshold(v[0], v[1], v[2]);
  }

  void stmt_live(const std::vector<std::string_view>& t) {
    arity(t, 1, 1, "live");
    out_ << "live";
    for (const auto& label : live_) out_ << ' ' << label;  // std::set<std::string>: byte order
    out_ << '\n';
  }

  // Extension: narration for tours. Prints the rest of the line.
  void stmt_say(const std::vector<std::string_view>& t) {
    out_ << "|";
    for (std::size_t i = 1; i < t.size(); ++i) out_ << ' ' << t[i];
    out_ << '\n';
  }

  // Extension: one line of heap, collector and allocator state.
  void stmt_stats(const std::vector<std::string_view>& t) {
    arity(t, 1, 1, "stats");
    const Collector& gc = heap_.gc();
    const auto s = heap_.allocator().stats();
    std::size_t gens[4] = {0, 0, 0, 0};
    for (const auto& o : gc.get_objects(-1)) ++gens[gc.generation_of(o.get())];
    out_ << "| objects " << heap_.live_objects() << ", tracked gen0/1/2 " << gens[0] << '/' << gens[1] << '/'
         << gens[2] << ", frozen " << gc.freeze_count() << "; allocator: " << s.blocks_in_use
         << " blocks in use, " << s.bytes_held << " bytes held for " << s.bytes_requested
         << " requested, " << s.arenas_mapped << " arena(s) mapped\n";
  }

  // Extension: `refs` prints "| refs LABEL=COUNT ..." for every live node and weak reference
  // object, by label: their reference counts as the heap holds them (the viewer's test compares
  // its drawing with them).
  void stmt_refs(const std::vector<std::string_view>& t) {
    arity(t, 1, 1, "refs");
    std::map<std::string_view, std::size_t> counts;
    heap_.for_each_object([&](const Object& o) {
      if (is_node(&o)) counts[static_cast<const Node&>(o).label()] = o.refcount();
      else if (is_weak(&o)) counts[static_cast<const LabelledWeak&>(o).label()] = o.refcount();
    });
    out_ << "| refs";
    for (const auto& [label, n] : counts) out_ << ' ' << label << '=' << n;
    out_ << '\n';
  }

  // Extension: `why LABEL` prints the shortest chain of references from a root (a variable,
  // else a C++ reference) to the live node or weak reference labelled LABEL.
  void stmt_why(const std::vector<std::string_view>& t) {
    arity(t, 2, 2, "why LABEL");
    check_name(t[1], "label");
    const HeapGraph g = capture_graph();
    const Object* target = nullptr;
    for (const auto& n : g.nodes()) {
      if (n.object == nullptr) continue;
      const bool labelled = (is_node(n.object) && static_cast<const Node*>(n.object)->label() == t[1]) ||
                            (is_weak(n.object) && static_cast<const LabelledWeak*>(n.object)->label() == t[1]);
      if (labelled) target = n.object;
    }
    out_ << "| why " << t[1] << ": ";
    if (target == nullptr) {
      out_ << "no live object is labelled " << t[1] << '\n';
    } else if (const auto path = why_alive(g, target)) {
      out_ << format_retention_path(*path) << '\n';
    } else {
      out_ << "not reachable from a root: only a reference cycle holds it (garbage the collector will free)\n";
    }
  }

  // Extension: `growth` prints the types whose number of live objects grew since the last
  // `growth` (objgraph's show_growth), one "| TYPE COUNT +DELTA" line each.
  void stmt_growth(const std::vector<std::string_view>& t) {
    arity(t, 1, 1, "growth");
    const auto grown = growth_.update(heap_);
    std::istringstream lines(GrowthTracker::format(grown));
    for (std::string line; std::getline(lines, line);) out_ << "| " << line << '\n';
    if (grown.empty()) out_ << "| no growth\n";
  }

  // Extension: `snapshot FILE` writes a Chrome DevTools .heapsnapshot of the heap now.
  void stmt_snapshot(const std::vector<std::string_view>& t) {
    arity(t, 2, 2, "snapshot FILE");
    if (!options_.allow_file_output) throw ScriptError("snapshot: writing files is turned off");
    try {
      write_snapshot(std::string(t[1]));
    } catch (const std::runtime_error& e) {
      throw ScriptError(std::string("snapshot: ") + e.what());
    }
  }

  RunOptions options_;
  std::ostream& out_;
  GrowthTracker growth_;
  // Declaration order is destruction order reversed: the variables go first, then the heap
  // (whose teardown still calls back into live_ and tearing_down_), then the rest.
  std::unordered_set<std::string> labels_;
  std::set<std::string> live_;
  std::ostringstream unraisable_;
  bool tearing_down_ = false;
  Heap heap_;
  std::unordered_map<std::string, Ref<Object>> vars_;
};

}  // namespace

int run_script(std::string_view text, const std::string& filename, const RunOptions& options, std::ostream& out,
               std::ostream& err) {
  // on_statement gets each statement's output: the runner prints into `captured`, and each
  // statement's text moves on to `out` once it ran.
  std::ostringstream captured;
  struct Uncaptured {  // what a statement printed before an exception left run_script
    std::ostringstream& captured;
    std::ostream& out;
    ~Uncaptured() { out << captured.str(); }
  } uncaptured{captured, out};
  Runner runner(options, options.on_statement ? captured : out);
  auto statement_done = [&](std::size_t line_no, std::string_view line, std::string_view error) {
    if (options.after_statement) options.after_statement(runner.heap(), line_no, line);
    if (!options.on_statement) return;
    const std::string printed = captured.str();
    captured.str({});
    out << printed;
    const auto vars = runner.variables();
    options.on_statement(runner.heap(), StatementRecord{line_no, line, printed, error, vars});
  };
  if (options.on_start) options.on_start(runner.heap());
  // on_finish runs on every way out, before the runner (and its heap) goes.
  struct Finish {
    const RunOptions& options;
    Runner& runner;
    ~Finish() {
      if (options.on_finish) options.on_finish(runner.heap());
      if (options.on_finish_variables) options.on_finish_variables(runner.heap(), runner.variables());
    }
  } finish{options, runner};
  std::size_t line_no = 0, pos = 0;
  std::string_view line;
  auto fail = [&](const char* what) {
    statement_done(line_no, line, what);
    out.flush();
    err << filename << ':' << line_no << ": error: " << what << '\n';
    return 2;
  };
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    line = text.substr(pos, end - pos);
    ++line_no;
    pos = end + 1;
    const auto tokens = tokenize(line);
    if (tokens.empty()) continue;
    try {
      runner.execute(tokens);
    } catch (const ScriptError& e) {
      return fail(e.what());
    } catch (const MemoryLimitExceeded& e) {
      // Thrown by an allocation, after the emergency collection; the heap is consistent and the
      // statement had no effect beyond what its collection did.
      return fail(e.what());
    }
    statement_done(line_no, line, {});
    if (std::string u = runner.take_unraisable(); !u.empty()) err << u;
  }
  if (!options.snapshot.empty()) {
    try {
      runner.write_snapshot(options.snapshot);
    } catch (const std::runtime_error& e) {
      err << options.snapshot << ": error: " << e.what() << '\n';
      return 2;
    }
  }
  return 0;
}

int run_script_file(const std::string& path, const RunOptions& options, std::ostream& out, std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << path << ": error: cannot open the script\n";
    return 2;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return run_script(buf.str(), path, options, out, err);
}

}  // namespace pyheap::script
