// tracing_overhead: what allocation tracing costs on the make-and-drop path (issue 6, part 1).
//
//   tracing_overhead [--ops N] [--runs R] [--harness]
//
// Times heap.make<T>() followed at once by dropping the Ref, for two object kinds:
//   small      an 8-byte payload, no trace hook (a 16-byte block);
//   container  two Ref fields and a trace hook (tracked by the collector: 32-byte block);
// and two patterns: `pairs` (make, drop, make, drop: the block is reused at once) and `batch`
// (make 4096 objects, then drop them all: the side table sees spread-out addresses).
// Each figure is run untraced, traced with call sites only, and traced with a native backtrace of
// depth 8 (N/16 operations). Each figure is the median of R runs of N operations, in nanoseconds
// per make+drop of thread CPU time; each ratio the median of the R per-run ratios (the modes take turns).
//
// Output: one JSON object per line (for bench/run.py), then one line per ratio:
//   {"bench":"tracing_overhead","object":"small","pattern":"pairs","mode":"untraced","ns_per_op":12.3}
//   {"bench":"tracing_overhead","object":"small","pattern":"pairs","ratio":"sites/untraced","value":1.21}
// With --harness, the figures are printed instead as bench/run.py's records (bench_util.hpp's emit):
// per object and pattern, a figure for sites-only tracing and one for backtraces, each with the
// traced time as subject "pyheap" and the untraced time of the same run as subject "untraced", so
// the driver's pyheap/peer ratio is the overhead (the issue-6 target is <= 1.3 for sites only).
// Built without tracing support (an older tree), only the untraced figures are printed: that is
// how the before/after comparison of the untraced path is made.
#include <algorithm>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "make_drop_timing.hpp"
#include "pyheap/pyheap.hpp"

#if __has_include("pyheap/tracing.hpp")
#include "pyheap/tracing.hpp"
#define HAVE_TRACING 1
#else
#define HAVE_TRACING 0
#endif

namespace {

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;

struct Small : Object {
  explicit Small(std::int64_t v) : value(v) {}
  std::int64_t value;
};

struct Container : Object {
  Ref<Object> a, b;
  void trace(pyheap::Tracer& t) { t(a, b); }
};


template <class T>
Ref<T> make_one(Heap& heap, std::int64_t i) {
  if constexpr (std::is_same_v<T, Small>) return heap.make<Small>(i);
  else return heap.make<Container>();
}

enum class Mode { Untraced, Sites, Backtrace };
const char* mode_name(Mode m) {
  switch (m) {
    case Mode::Untraced: return "untraced";
    case Mode::Sites: return "sites";
    case Mode::Backtrace: return "backtrace8";
  }
  return "?";
}

// One timed run in a fresh heap.
template <class T>
double run_once(Mode mode, bool batch, std::size_t ops) {
  Heap heap;
  heap.gc().disable();
  // One object that stays alive keeps its pool from ever becoming empty: otherwise each drop
  // in `pairs` empties the heap's only pool and arena, and the allocator's arena release
  // (madvise, then a page fault on the next make) dominates the figure.
  Ref<T> anchor = make_one<T>(heap, -1);
#if HAVE_TRACING
  if (mode == Mode::Sites) heap.tracing().start();
  if (mode == Mode::Backtrace) heap.tracing().start(pyheap::TraceOptions{.backtrace_depth = 8});
#endif
  // Warm up: the pools, the side table's pages and the site table exist before timing.
  batch ? bench::time_batch(heap, 8192, make_one<T>) : bench::time_pairs(heap, 8192, make_one<T>);
  return batch ? bench::time_batch(heap, ops, make_one<T>) : bench::time_pairs(heap, ops, make_one<T>);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void print_figure(const char* object, const char* pattern, Mode mode, double ns) {
  std::printf("{\"bench\":\"tracing_overhead\",\"object\":\"%s\",\"pattern\":\"%s\",\"mode\":\"%s\",\"ns_per_op\":%.2f}\n",
              object, pattern, mode_name(mode), ns);
}

void print_ratio(const char* object, const char* pattern, const char* name, double value) {
  std::printf("{\"bench\":\"tracing_overhead\",\"object\":\"%s\",\"pattern\":\"%s\",\"ratio\":\"%s\",\"value\":%.3f}\n",
              object, pattern, name, value);
}

// The modes take turns within each run, and a ratio is the median of the per-run ratios: on a
// shared machine, load that comes and goes then hits both sides of a ratio alike.
void emit_for_harness(const char* object, const char* pattern, const char* mode, double traced,
                      double untraced) {
  const std::string figure = std::string("tracing make+drop ") + object + " " + pattern + " (" + mode + ")";
  bench::emit(figure, "pyheap", traced, "ns/op");
  bench::emit(figure, "untraced", untraced, "ns/op");
}

template <class T>
void run_object(const char* object, std::size_t ops, int runs, bool harness) {
  for (bool batch : {false, true}) {
    const char* pattern = batch ? "batch" : "pairs";
    std::vector<double> untraced, sites, bt, sites_ratio, bt_ratio;
    for (int r = 0; r < runs; ++r) {
      untraced.push_back(run_once<T>(Mode::Untraced, batch, ops));
#if HAVE_TRACING
      sites.push_back(run_once<T>(Mode::Sites, batch, ops));
      // Backtraces cost microseconds each: fewer operations keep the run short.
      bt.push_back(run_once<T>(Mode::Backtrace, batch, ops / 16));
      sites_ratio.push_back(sites.back() / untraced.back());
      bt_ratio.push_back(bt.back() / untraced.back());
#endif
    }
#if HAVE_TRACING
    if (harness) {
      emit_for_harness(object, pattern, "sites only", median(sites), median(untraced));
      emit_for_harness(object, pattern, "backtrace 8", median(bt), median(untraced));
      continue;
    }
#endif
    print_figure(object, pattern, Mode::Untraced, median(untraced));
#if HAVE_TRACING
    print_figure(object, pattern, Mode::Sites, median(sites));
    print_figure(object, pattern, Mode::Backtrace, median(bt));
    print_ratio(object, pattern, "sites/untraced", median(sites_ratio));
    print_ratio(object, pattern, "backtrace8/untraced", median(bt_ratio));
#endif
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t ops = 4'000'000;
  int runs = 7;
  bool harness = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--ops") && i + 1 < argc) ops = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--harness")) harness = true;
    else {
      std::fprintf(stderr, "usage: tracing_overhead [--ops N] [--runs R] [--harness]\n");
      return 2;
    }
  }
  if (ops < 4096 || runs < 1) {
    std::fprintf(stderr, "tracing_overhead: --ops must be at least 4096 and --runs at least 1\n");
    return 2;
  }
#if !HAVE_TRACING
  if (harness) {
    std::fprintf(stderr, "tracing_overhead: --harness needs a tree with tracing\n");
    return 2;
  }
#endif
  run_object<Small>("small", ops, runs, harness);
  run_object<Container>("container", ops, runs, harness);
  return 0;
}
