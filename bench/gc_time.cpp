// gc_time: how long pyheap's collect() takes on large graphs, to set beside CPython's
// gc.collect() on the same graphs (bench/gc_time.py builds those and prints both with the ratio).
//
//   gc_time [--sizes 100000,1000000] [--repeat R] [--machine]
//
// Graphs, each of N container objects with two reference fields (CPython: a class with
// __slots__ = ('a', 'b'), so one gc-tracked object per node and no __dict__):
//   pairs      N/2 two-object cycles, all garbage: collect() finds and frees N objects;
//   ring       one ring of N objects, garbage: the first clear frees the rest by reference
//              counting, through the trashcan;
//   tree       a complete binary tree of N objects held by a root variable, young: a full
//              collection examines all of it, finds nothing, and promotes it;
//   tree-old   the same tree again, now in the oldest generation (the steady cost of a full
//              collection over long-lived data).
// Automatic collection is off while building, as gc.disable() is on the CPython side, and the
// time measured is collect() alone. Each figure is the best of R runs (a fresh heap each).
// --machine prints "graph N seconds collected" lines for gc_time.py.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "pyheap/pyheap.hpp"

namespace {

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;

struct Node : Object {
  std::array<Ref<Object>, 2> f;
  void trace(Tracer& t) { t(f); }
};

struct Timing {
  double seconds;
  std::size_t collected;
};

template <class F>
Timing timed_collect(Heap& heap, F&& before) {
  before();
  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t n = heap.gc().collect();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {s, n};
}

Timing run_pairs(std::size_t n) {
  Heap heap;
  heap.gc().disable();
  for (std::size_t i = 0; i < n / 2; ++i) {
    Ref<Node> a = heap.make<Node>();
    Ref<Node> b = heap.make<Node>();
    a->f[0] = b;
    b->f[0] = a;
  }
  return timed_collect(heap, [] {});
}

Timing run_ring(std::size_t n) {
  Heap heap;
  heap.gc().disable();
  {
    Ref<Node> first = heap.make<Node>();
    Ref<Node> prev = first;
    for (std::size_t i = 1; i < n; ++i) {
      Ref<Node> x = heap.make<Node>();
      prev->f[0] = x;
      prev = std::move(x);
    }
    prev->f[0] = first;
  }
  return timed_collect(heap, [] {});
}

Ref<Node> build_tree(Heap& heap, std::size_t n) {
  // Breadth-first, so node i's children are 2i+1 and 2i+2 as in gc_time.py.
  std::vector<Ref<Node>> nodes;
  nodes.reserve(n);
  for (std::size_t i = 0; i < n; ++i) nodes.push_back(heap.make<Node>());
  for (std::size_t i = 0; i < n; ++i) {
    if (2 * i + 1 < n) nodes[i]->f[0] = nodes[2 * i + 1];
    if (2 * i + 2 < n) nodes[i]->f[1] = nodes[2 * i + 2];
  }
  return nodes[0];
}

std::array<Timing, 2> run_tree(std::size_t n) {
  Heap heap;
  heap.gc().disable();
  Ref<Node> root = build_tree(heap, n);
  Timing young = timed_collect(heap, [] {});
  Timing old = timed_collect(heap, [] {});
  return {young, old};
}

std::vector<std::size_t> parse_sizes(const char* s) {
  std::vector<std::size_t> out;
  while (*s) {
    char* end = nullptr;
    out.push_back(std::strtoull(s, &end, 10));
    s = *end == ',' ? end + 1 : end;
    if (end == s && *s) break;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes{100000, 1000000};
  int repeat = 3;
  bool machine = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--sizes") && i + 1 < argc) {
      sizes = parse_sizes(argv[++i]);
    } else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--machine")) {
      machine = true;
    } else {
      std::fprintf(stderr, "usage: gc_time [--sizes N,N...] [--repeat R] [--machine]\n");
      return 2;
    }
  }
  if (!machine) std::printf("%-9s %9s %12s %10s\n", "graph", "objects", "collect ms", "collected");
  for (std::size_t n : sizes) {
    Timing best_pairs{std::numeric_limits<double>::max(), 0}, best_ring = best_pairs;
    Timing best_young = best_pairs, best_old = best_pairs;
    for (int r = 0; r < repeat; ++r) {
      auto keep = [](Timing& best, Timing t) {
        if (t.seconds < best.seconds) best = t;
      };
      keep(best_pairs, run_pairs(n));
      keep(best_ring, run_ring(n));
      auto [y, o] = run_tree(n);
      keep(best_young, y);
      keep(best_old, o);
    }
    const std::pair<const char*, Timing> rows[] = {
        {"pairs", best_pairs}, {"ring", best_ring}, {"tree", best_young}, {"tree-old", best_old}};
    for (const auto& [name, t] : rows) {
      if (machine)
        std::printf("%s %zu %.9f %zu\n", name, n, t.seconds, t.collected);
      else
        std::printf("%-9s %9zu %12.3f %10zu\n", name, n, t.seconds * 1e3, t.collected);
    }
  }
  return 0;
}
