// The tree workloads of bench/trees.hpp with Boehm GC: nodes are GC_MALLOC'd structs of plain
// pointers (parents too), nothing is freed by hand, collections start when Boehm decides (its
// default heap growth), as a program runs. The pause figure is the longest span from a
// collection's GC_EVENT_START to its GC_EVENT_END (the stop-the-world mark and the eager part of
// the sweep; the rest of the sweep is lazy, done by later allocations, and is in the time figure).
// GC_MARKERS=1 is set by the driver: one marker thread, as pyheap and CPython collect on one.
//
//   trees_boehm binary DEPTH | churn
#include <gc.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "trees.hpp"

namespace {

namespace trees = bench::trees;

struct Node {
  Node* left;
  Node* right;
};

struct ChurnNode {
  ChurnNode* left;
  ChurnNode* right;
  ChurnNode* parent;
  std::uint64_t value;
};

template <class T>
T* gc_new() {
  return static_cast<T*>(GC_MALLOC(sizeof(T)));  // zeroed
}

double g_started = 0, g_longest = 0;
unsigned g_collections = 0;

void GC_CALLBACK on_event(GC_EventType e) {
  if (e == GC_EVENT_START) {
    g_started = bench::now_seconds();
  } else if (e == GC_EVENT_END) {
    const double pause = bench::now_seconds() - g_started;
    if (pause > g_longest) g_longest = pause;
    ++g_collections;
  }
}

std::string note() { return "collections: " + std::to_string(g_collections); }

}  // namespace

int main(int argc, char** argv) {
  GC_INIT();
  GC_set_on_collection_event(on_event);
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "binary" && argc == 3) {
    const int depth = std::atoi(argv[2]);
    trees::Report report(trees::binary_label(depth), "Boehm");
    const std::uint64_t total = trees::binary_trees<Node*>(depth, [](Node* l, Node* r) {
      Node* n = gc_new<Node>();
      n->left = l;
      n->right = r;
      return n;
    });
    report.done(total, g_longest * 1e3, note());
    return 0;
  }
  if (mode == "churn" && argc == 2) {
    trees::Report report(trees::churn_label(), "Boehm");
    const std::uint64_t total = trees::churn<ChurnNode*>(
        [](ChurnNode* parent) {
          ChurnNode* n = gc_new<ChurnNode>();
          n->parent = parent;
          return n;
        },
        [](const ChurnNode* n) {
          std::uint64_t d = 0;
          for (const ChurnNode* p = n->parent; p != nullptr; p = p->parent) ++d;
          return d;
        });
    report.done(total, g_longest * 1e3, note());
    return 0;
  }
  std::fprintf(stderr, "usage: trees_boehm binary DEPTH | churn\n");
  return 2;
}
