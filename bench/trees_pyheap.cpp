// The tree workloads of bench/trees.hpp, pyheap's side: nodes are heap objects holding Refs, made
// with Heap::make, automatic collection on with its defaults (thresholds 700/10/10, the Scaled
// schedule), as a program runs.
//
//   trees_pyheap binary DEPTH | churn
//
// binary: the last Ref to a tree going away frees it at once (reference counting; no cycle).
// churn: every child holds a strong Ref to its parent, so a dropped tree is cyclic garbage that the
// automatic collections find and free. The walk reads parents through Ref::get (no count traffic).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "pyheap/pyheap.hpp"
#include "trees.hpp"

namespace {

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
namespace trees = bench::trees;

struct Node : Object {
  Ref<Node> left, right;
  Node(Ref<Node> l, Ref<Node> r) : left(std::move(l)), right(std::move(r)) {}
  void trace(pyheap::Tracer& t) { t(left, right); }
};

struct ChurnNode : Object {
  Ref<ChurnNode> left, right, parent;
  std::uint64_t value = 0;
  void trace(pyheap::Tracer& t) { t(left, right, parent); }
};

double longest_collection_ms(const Heap& heap) {
  double longest = 0;
  for (const auto& g : heap.gc().stats()) longest = g.longest > longest ? g.longest : longest;
  return longest * 1e3;
}

std::string collections_note(const Heap& heap) {
  const auto s = heap.gc().stats();
  return "automatic collections: " + std::to_string(s[0].collections) + " / " + std::to_string(s[1].collections) +
         " / " + std::to_string(s[2].collections) + " (generations 0/1/2)";
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  Heap heap;
  if (mode == "binary" && argc == 3) {
    const int depth = std::atoi(argv[2]);
    trees::Report report(trees::binary_label(depth), "pyheap");
    const std::uint64_t total = trees::binary_trees<Ref<Node>>(
        depth, [&](Ref<Node> l, Ref<Node> r) { return heap.make<Node>(std::move(l), std::move(r)); });
    report.done(total, longest_collection_ms(heap), collections_note(heap));
    return 0;
  }
  if (mode == "churn" && argc == 2) {
    trees::Report report(trees::churn_label(), "pyheap");
    const std::uint64_t total = trees::churn<Ref<ChurnNode>>(
        [&](const Ref<ChurnNode>& parent) {
          Ref<ChurnNode> n = heap.make<ChurnNode>();
          n->parent = parent;
          return n;
        },
        [](const Ref<ChurnNode>& n) {
          std::uint64_t d = 0;
          for (const ChurnNode* p = n->parent.get(); p != nullptr; p = p->parent.get()) ++d;
          return d;
        });
    report.done(total, longest_collection_ms(heap), collections_note(heap));
    return 0;
  }
  std::fprintf(stderr, "usage: trees_pyheap binary DEPTH | churn\n");
  return 2;
}
