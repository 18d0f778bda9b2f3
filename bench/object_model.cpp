// object_model: what a polymorphic heap type costs next to the same type without a vtable
// (issue 12). Two pairs of types with the same members:
//   container   two Ref fields and a trace hook (tracked): plain, and with a virtual destructor and
//               a virtual method (its vptr puts the Object header 8 bytes in);
//   atom        one int64, no trace hook (untracked): plain, and with a virtual destructor.
// For each it prints allocated_size, and times
//   pairs   make, drop, make, drop (the block is reused at once);
//   batch   make 4096, then drop them all;
//   collect a ring of 65536 containers made, dropped, and freed by one full collection (the
//           collector finds each object's word through the header's offset bits): ns per object
//           of the collection alone.
// Figures are nanoseconds of thread CPU time per operation, the median of R runs; within each run
// the plain and the polymorphic type take turns, and each ratio is the median of the per-run
// ratios (load that comes and goes on a shared machine hits both sides alike).
//
//   object_model [--ops N] [--runs R] [--harness]
//   object_model --one KIND --ops N     N make+drops (pairs) of one KIND (container-plain,
//                                       container-virtual, atom-plain, atom-virtual), untimed:
//                                       for callgrind, instructions per operation being the
//                                       difference of two run lengths over their difference.
//
// Built against a tree without polymorphic support (no pyheap/memory_limit.hpp), only the plain
// types exist: that is how the plain types' costs are compared before and after (bench/README.md).
//
// Output: JSON lines, e.g.
//   {"bench":"object_model","object":"container","layout":"virtual","allocated_size":48}
//   {"bench":"object_model","object":"container","pattern":"pairs","layout":"plain","ns_per_op":14.2}
//   {"bench":"object_model","object":"container","pattern":"pairs","ratio":"virtual/plain","value":1.05}
// With --harness: bench/run.py's records, the polymorphic type as subject "pyheap" and the plain
// one as "non-polymorphic", so the driver's ratio is what the vtable costs.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "make_drop_timing.hpp"
#include "pyheap/heap.hpp"

#if __has_include("pyheap/memory_limit.hpp")
#define HAVE_POLYMORPHIC 1
#else
#define HAVE_POLYMORPHIC 0
#endif

namespace {

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;

struct PlainContainer : Object {
  Ref<Object> a, b;
  void trace(pyheap::Tracer& t) { t(a, b); }
};
#if HAVE_POLYMORPHIC
struct VirtualContainer : Object {
  virtual ~VirtualContainer() = default;
  virtual int kind() const { return 1; }
  Ref<Object> a, b;
  void trace(pyheap::Tracer& t) { t(a, b); }
};
#else
using VirtualContainer = PlainContainer;
#endif
struct PlainAtom : Object {
  explicit PlainAtom(std::int64_t v) : value(v) {}
  std::int64_t value;
};
#if HAVE_POLYMORPHIC
struct VirtualAtom : Object {
  explicit VirtualAtom(std::int64_t v) : value(v) {}
  virtual ~VirtualAtom() = default;
  std::int64_t value;
};
#else
using VirtualAtom = PlainAtom;
#endif

template <class T>
Ref<T> make_one(Heap& heap, std::int64_t i) {
  if constexpr (std::is_constructible_v<T, std::int64_t>) return heap.make<T>(i);
  else return heap.make<T>();
}

// One full collection of a dropped ring of containers, per object.
template <class T>
double time_collect(Heap& heap) {
  constexpr std::size_t kRing = 65536;
  {
    Ref<T> first = heap.make<T>();
    Ref<T> prev = first;
    for (std::size_t i = 1; i < kRing; ++i) {
      Ref<T> n = heap.make<T>();
      prev->a = n;
      prev = n;
    }
    prev->a = first;
  }
  const double t0 = bench::thread_cpu_ns();
  const std::size_t n = heap.gc().collect();
  const double t1 = bench::thread_cpu_ns();
  if (n != kRing) {
    std::fprintf(stderr, "object_model: collected %zu of a %zu-node ring\n", n, kRing);
    std::exit(1);
  }
  return (t1 - t0) / static_cast<double>(kRing);
}

enum class Pattern { Pairs, Batch, Collect };
const char* pattern_name(Pattern p) { return p == Pattern::Pairs ? "pairs" : p == Pattern::Batch ? "batch" : "collect"; }

// One timed run in a fresh heap, warmed up first (pools and pages exist before timing).
template <class T>
double run_once(Pattern pattern, std::size_t ops) {
  Heap heap;
  heap.gc().disable();
  // Keeps its pool from emptying in `pairs`, which would time the arena's release instead.
  Ref<T> anchor = make_one<T>(heap, -1);
  switch (pattern) {
    case Pattern::Pairs: bench::time_pairs(heap, 8192, make_one<T>); return bench::time_pairs(heap, ops, make_one<T>);
    case Pattern::Batch: bench::time_batch(heap, 8192, make_one<T>); return bench::time_batch(heap, ops, make_one<T>);
    case Pattern::Collect:
      if constexpr (requires(T& t) { t.a; }) {
        time_collect<T>(heap);
        return time_collect<T>(heap);
      }
  }
  return 0;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <class Plain, class Virtual>
void run_object(const char* object, std::size_t ops, int runs, bool harness) {
  Heap heap;
  const Ref<Plain> p = make_one<Plain>(heap, 0);
  const Ref<Virtual> v = make_one<Virtual>(heap, 0);
  const std::size_t plain_size = Heap::allocated_size(p.get()), virtual_size = Heap::allocated_size(v.get());
  if (harness) {
    const std::string figure = std::string("object model allocated_size ") + object;
    bench::emit(figure, "pyheap", static_cast<double>(virtual_size), "bytes");
    bench::emit(figure, "non-polymorphic", static_cast<double>(plain_size), "bytes");
  } else {
    std::printf("{\"bench\":\"object_model\",\"object\":\"%s\",\"layout\":\"plain\",\"allocated_size\":%zu}\n", object, plain_size);
    std::printf("{\"bench\":\"object_model\",\"object\":\"%s\",\"layout\":\"virtual\",\"allocated_size\":%zu}\n", object, virtual_size);
  }
  std::vector<Pattern> patterns{Pattern::Pairs, Pattern::Batch};
  if constexpr (requires(Plain& t) { t.a; }) patterns.push_back(Pattern::Collect);
  for (Pattern pattern : patterns) {
    std::vector<double> plain, virt, ratio;
    for (int r = 0; r < runs; ++r) {
      // Alternate which goes first, so neither always runs on a warmer machine.
      if (r % 2 == 0) {
        plain.push_back(run_once<Plain>(pattern, ops));
        virt.push_back(run_once<Virtual>(pattern, ops));
      } else {
        virt.push_back(run_once<Virtual>(pattern, ops));
        plain.push_back(run_once<Plain>(pattern, ops));
      }
      ratio.push_back(virt.back() / plain.back());
    }
    const char* name = pattern_name(pattern);
    if (harness) {
      const std::string figure = std::string("object model ") + (pattern == Pattern::Collect ? "collect " : "make+drop ") +
                                 object + " " + name + " (polymorphic vs not)";
      bench::emit(figure, "pyheap", median(virt), "ns/op");
      bench::emit(figure, "non-polymorphic", median(plain), "ns/op");
      continue;
    }
    std::printf("{\"bench\":\"object_model\",\"object\":\"%s\",\"pattern\":\"%s\",\"layout\":\"plain\",\"ns_per_op\":%.2f}\n",
                object, name, median(plain));
    std::printf("{\"bench\":\"object_model\",\"object\":\"%s\",\"pattern\":\"%s\",\"layout\":\"virtual\",\"ns_per_op\":%.2f}\n",
                object, name, median(virt));
    std::printf("{\"bench\":\"object_model\",\"object\":\"%s\",\"pattern\":\"%s\",\"ratio\":\"virtual/plain\",\"value\":%.3f}\n",
                object, name, median(ratio));
    std::fflush(stdout);
  }
}

// --one KIND: N make+drops in a fresh heap, nothing timed or printed.
template <class T>
void run_one_kind(std::size_t ops) {
  Heap heap;
  heap.gc().disable();
  Ref<T> anchor = make_one<T>(heap, -1);
  bench::time_pairs(heap, ops, make_one<T>);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t ops = 4'000'000;
  int runs = 7;
  bool harness = false;
  std::string one;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--ops") && i + 1 < argc) ops = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--harness")) harness = true;
    else if (!std::strcmp(argv[i], "--one") && i + 1 < argc) one = argv[++i];
    else {
      std::fprintf(stderr, "usage: object_model [--ops N] [--runs R] [--harness] | --one KIND --ops N\n");
      return 2;
    }
  }
  if (!one.empty()) {
    if (one == "container-plain") run_one_kind<PlainContainer>(ops);
    else if (one == "atom-plain") run_one_kind<PlainAtom>(ops);
    else if (HAVE_POLYMORPHIC && one == "container-virtual") run_one_kind<VirtualContainer>(ops);
    else if (HAVE_POLYMORPHIC && one == "atom-virtual") run_one_kind<VirtualAtom>(ops);
    else {
      std::fprintf(stderr, "object_model: unknown kind '%s'\n", one.c_str());
      return 2;
    }
    return 0;
  }
  if (ops < 4096 || runs < 1) {
    std::fprintf(stderr, "object_model: --ops must be at least 4096 and --runs at least 1\n");
    return 2;
  }
#if !HAVE_POLYMORPHIC
  std::fprintf(stderr, "object_model: this tree has no polymorphic heap types; use --one KIND-plain\n");
  return 2;
#endif
  run_object<PlainContainer, VirtualContainer>("container", ops, runs, harness);
  run_object<PlainAtom, VirtualAtom>("atom", ops, runs, harness);
  return 0;
}
