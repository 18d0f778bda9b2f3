// The tree workloads of bench/trees.hpp with std::shared_ptr, as a C++ program writes them:
// nodes made with std::make_shared, children held by shared_ptr, and (churn) the parent by a
// weak_ptr, which the walk locks to follow. The last shared_ptr to a tree going away frees it.
//
//   trees_shared_ptr binary DEPTH | churn
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "trees.hpp"

namespace {

namespace trees = bench::trees;

struct Node {
  std::shared_ptr<Node> left, right;
  Node(std::shared_ptr<Node> l, std::shared_ptr<Node> r) : left(std::move(l)), right(std::move(r)) {}
};

struct ChurnNode {
  std::shared_ptr<ChurnNode> left, right;
  std::weak_ptr<ChurnNode> parent;
  std::uint64_t value = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "binary" && argc == 3) {
    const int depth = std::atoi(argv[2]);
    trees::Report report(trees::binary_label(depth), "shared_ptr");
    const std::uint64_t total = trees::binary_trees<std::shared_ptr<Node>>(
        depth, [](std::shared_ptr<Node> l, std::shared_ptr<Node> r) {
          return std::make_shared<Node>(std::move(l), std::move(r));
        });
    report.done(total, -1);
    return 0;
  }
  if (mode == "churn" && argc == 2) {
    trees::Report report(trees::churn_label(), "shared_ptr");
    const std::uint64_t total = trees::churn<std::shared_ptr<ChurnNode>>(
        [](const std::shared_ptr<ChurnNode>& parent) {
          auto n = std::make_shared<ChurnNode>();
          n->parent = parent;
          return n;
        },
        [](const std::shared_ptr<ChurnNode>& n) {
          std::uint64_t d = 0;
          for (std::shared_ptr<ChurnNode> p = n->parent.lock(); p; p = p->parent.lock()) ++d;
          return d;
        });
    report.done(total, -1);
    return 0;
  }
  std::fprintf(stderr, "usage: trees_shared_ptr binary DEPTH | churn\n");
  return 2;
}
