// The two object-model workloads a C++ team runs first (issue 13), shared by their programs:
// trees_pyheap.cpp, trees_shared_ptr.cpp, trees_boehm.cpp and bench/cpython_workloads.py (`trees`).
//
// binary-trees DEPTH: the Benchmarks Game's program (min depth 4): a stretch tree of DEPTH+1
//   built, checked and dropped; a long-lived tree of DEPTH kept to the end; for d = 4, 6, ..., DEPTH,
//   2^(DEPTH - d + 4) trees of depth d built, checked and dropped. A node has two children; check()
//   counts the nodes. The checksum is the sum of every check() the program makes.
// tree churn: kChurnTrees trees of depth kChurnDepth whose children also point back to their
//   parent (a cycle per edge: cyclic garbage in pyheap and CPython, a weak_ptr parent for
//   shared_ptr, a plain pointer for Boehm), each built, walked and dropped in turn. Node k of a
//   tree (in the order built, 0 = root) holds the value (tree + k) % 1009; the walk sums, over every
//   node, value * (its depth found by following parent pointers up to the root). The checksum is
//   the total over all trees.
// Every subject runs with its automatic memory management on, as a program would (pyheap's and
// CPython's collectors with their default thresholds, Boehm's collections), and reports its time
// (process CPU seconds, user + system: the machine is shared, and elapsed time there measures the
// other jobs too), its peak RSS above the level at start (VmHWM), and for a
// collector the longest single automatic collection, elapsed (pyheap: Collector::stats; CPython:
// gc.callbacks; Boehm: its collection events), the figure a latency budget is about.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

#include "bench_util.hpp"

namespace bench::trees {

inline constexpr int kMinDepth = 4;
inline constexpr int kChurnDepth = 6;  // 127 nodes a tree
inline constexpr int kChurnTrees = 20000;
inline constexpr std::uint64_t kValueModulus = 1009;

inline std::uint64_t churn_value(int tree, std::uint64_t k) { return (static_cast<std::uint64_t>(tree) + k) % kValueModulus; }

inline std::string binary_label(int depth) { return "binary-trees depth " + std::to_string(depth); }
inline std::string churn_label() {
  return "tree churn " + std::to_string(kChurnTrees) + " x " + std::to_string((1 << (kChurnDepth + 1)) - 1) +
         " nodes with parent links";
}

// The tree code, once for every subject: a node pointer type Ptr (Ref, shared_ptr, plain pointer)
// whose nodes have `left` and `right` (binary-trees), plus `parent` and `value` (churn).
// make(left, right) makes a node (binary-trees, children first as the Benchmarks Game does);
// make_child(parent) makes a node whose parent link is set; depth_of(node) counts the parent hops.
template <class Ptr, class Make>
Ptr bottom_up(int depth, Make& make) {
  if (depth <= 0) return make(Ptr(), Ptr());
  Ptr l = bottom_up<Ptr>(depth - 1, make);
  Ptr r = bottom_up<Ptr>(depth - 1, make);
  return make(std::move(l), std::move(r));
}

template <class Ptr>
std::uint64_t count_nodes(const Ptr& n) {
  return n->left ? 1 + count_nodes(n->left) + count_nodes(n->right) : 1;
}

template <class Ptr, class MakeChild>
Ptr build_churn(const Ptr& parent, int depth, int tree, std::uint64_t& k, MakeChild& make_child) {
  Ptr n = make_child(parent);
  n->value = churn_value(tree, k++);
  if (depth > 0) {
    n->left = build_churn(n, depth - 1, tree, k, make_child);
    n->right = build_churn(n, depth - 1, tree, k, make_child);
  }
  return n;
}

template <class Ptr, class DepthOf>
std::uint64_t walk_churn(const Ptr& n, DepthOf& depth_of) {
  std::uint64_t sum = n->value * depth_of(n);
  if (n->left) sum += walk_churn(n->left, depth_of) + walk_churn(n->right, depth_of);
  return sum;
}

// The churn loop: kChurnTrees trees built, walked and dropped in turn.
template <class Ptr, class MakeChild, class DepthOf>
std::uint64_t churn(MakeChild make_child, DepthOf depth_of) {
  std::uint64_t total = 0;
  for (int tree = 0; tree < kChurnTrees; ++tree) {
    std::uint64_t k = 0;
    Ptr root = build_churn(Ptr(), kChurnDepth, tree, k, make_child);
    total += walk_churn(root, depth_of);
  }
  return total;
}

// The Benchmarks Game's driver. Dropping a tree's root frees it (or leaves it to a collector).
template <class Ptr, class Make>
std::uint64_t binary_trees(int max_depth, Make make) {
  const int depth = max_depth < kMinDepth + 2 ? kMinDepth + 2 : max_depth;
  std::uint64_t total = 0;
  {
    Ptr stretch = bottom_up<Ptr>(depth + 1, make);
    total += count_nodes(stretch);
  }
  Ptr long_lived = bottom_up<Ptr>(depth, make);
  for (int d = kMinDepth; d <= depth; d += 2) {
    const std::uint64_t iterations = std::uint64_t{1} << (depth - d + kMinDepth);
    for (std::uint64_t i = 0; i < iterations; ++i) {
      Ptr t = bottom_up<Ptr>(d, make);
      total += count_nodes(t);
    }
  }
  total += count_nodes(long_lived);
  return total;
}

// Runs a workload and emits its figures: time (s), peak RSS above the start (MiB), and, when
// pause_ms >= 0, the longest automatic collection (ms).
struct Report {
  std::string figure;
  std::string subject;
  double start_rss;
  double t0;

  Report(std::string f, std::string s) : figure(std::move(f)), subject(std::move(s)), start_rss(rss_mib()), t0(cpu_seconds()) {}
  void done(std::uint64_t checksum, double pause_ms, const std::string& note = "") const {
    const double t = cpu_seconds() - t0;
    const std::string check = std::to_string(checksum) + "/-";
    emit(figure, subject, t, "s (CPU)", check, note);
    emit(figure + ": peak RSS above start", subject, peak_rss_mib() - start_rss, "MiB", check);
    if (pause_ms >= 0) emit(figure + ": longest automatic collection", subject, pause_ms, "ms", check);
  }
};

}  // namespace bench::trees
