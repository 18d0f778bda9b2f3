// The tree workloads of bench/trees.hpp with V8's cppgc (bench/cppgc_heap.hpp): nodes derive from
// cppgc::GarbageCollected and trace their cppgc::Member fields (parents too: a tracing collector
// needs no weak links), locals are raw pointers (the stack is scanned conservatively), nothing is
// freed by hand, collections start when cppgc's heap growth says, as a program runs. cppgc
// reports no per-collection events through its public API, so there is no pause figure.
//
//   trees_cppgc binary DEPTH | churn
#include <cppgc/allocation.h>
#include <cppgc/garbage-collected.h>
#include <cppgc/member.h>
#include <cppgc/visitor.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cppgc_heap.hpp"
#include "trees.hpp"

namespace {

namespace trees = bench::trees;

struct Node final : cppgc::GarbageCollected<Node> {
  Node(Node* l, Node* r) : left(l), right(r) {}
  cppgc::Member<Node> left, right;
  void Trace(cppgc::Visitor* v) const {
    v->Trace(left);
    v->Trace(right);
  }
};

struct ChurnNode final : cppgc::GarbageCollected<ChurnNode> {
  cppgc::Member<ChurnNode> left, right, parent;
  std::uint64_t value = 0;
  void Trace(cppgc::Visitor* v) const {
    v->Trace(left);
    v->Trace(right);
    v->Trace(parent);
  }
};

}  // namespace

int main(int argc, char** argv) {
  bench::CppgcHeap heap;
  cppgc::AllocationHandle& handle = heap.allocation_handle();
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "binary" && argc == 3) {
    const int depth = std::atoi(argv[2]);
    trees::Report report(trees::binary_label(depth), "cppgc");
    const std::uint64_t total = trees::binary_trees<Node*>(
        depth, [&](Node* l, Node* r) { return cppgc::MakeGarbageCollected<Node>(handle, l, r); });
    report.done(total, -1);
    return 0;
  }
  if (mode == "churn" && argc == 2) {
    trees::Report report(trees::churn_label(), "cppgc");
    const std::uint64_t total = trees::churn<ChurnNode*>(
        [&](ChurnNode* parent) {
          ChurnNode* n = cppgc::MakeGarbageCollected<ChurnNode>(handle);
          n->parent = parent;
          return n;
        },
        [](const ChurnNode* n) {
          std::uint64_t d = 0;
          for (const ChurnNode* p = n->parent.Get(); p != nullptr; p = p->parent.Get()) ++d;
          return d;
        });
    report.done(total, -1);
    return 0;
  }
  std::fprintf(stderr, "usage: trees_cppgc binary DEPTH | churn\n");
  return 2;
}
