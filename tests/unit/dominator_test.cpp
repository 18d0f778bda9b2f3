// Immediate dominators on graphs with known answers, and retained sizes of heaps.
#include <gtest/gtest.h>

#include <vector>

#include "test_objects.hpp"
#include "pyheap/pyheap.hpp"

using pyheap::testing::Pair;

namespace {

using namespace pyheap;

struct Csr {
  std::vector<std::uint32_t> first, targets;
};
Csr csr(std::size_t n, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges) {
  Csr g;
  g.first.assign(n + 1, 0);
  for (auto [a, b] : edges) ++g.first[a + 1];
  for (std::size_t i = 0; i < n; ++i) g.first[i + 1] += g.first[i];
  g.targets.resize(edges.size());
  auto fill = g.first;
  for (auto [a, b] : edges) g.targets[fill[a]++] = b;
  return g;
}

TEST(Dominators, Diamond) {
  // 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, 3 -> 4
  Csr g = csr(5, {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {3, 4}});
  EXPECT_EQ(immediate_dominators(g.first, g.targets, 0), (std::vector<std::uint32_t>{0, 0, 0, 0, 3}));
}

TEST(Dominators, CooperHarveyKennedyFigure4) {
  // The irreducible example of the paper (nodes renumbered: 5 is the entry -> 0).
  // 0 -> 1, 0 -> 2; 1 -> 3; 2 -> 4, 2 -> 5; 3 -> 4... as a graph: entry 0, a=1, b=2, c=3, d=4, e=5
  // edges: 0->1, 0->2, 1->3, 2->4, 2->5, 3->4, 4->3, 4->5, 5->4
  Csr g = csr(6, {{0, 1}, {0, 2}, {1, 3}, {2, 4}, {2, 5}, {3, 4}, {4, 3}, {4, 5}, {5, 4}});
  EXPECT_EQ(immediate_dominators(g.first, g.targets, 0), (std::vector<std::uint32_t>{0, 0, 0, 0, 0, 0}));
}

TEST(Dominators, ChainsLoopsAndUnreachableNodes) {
  // 0 -> 1 -> 2 -> 3 -> 1 (a loop back), 2 -> 4; 5 -> 4 but 5 is unreachable.
  Csr g = csr(6, {{0, 1}, {1, 2}, {2, 3}, {3, 1}, {2, 4}, {5, 4}});
  const auto idom = immediate_dominators(g.first, g.targets, 0);
  EXPECT_EQ(idom, (std::vector<std::uint32_t>{0, 0, 1, 2, 2, kUnreachable}));
  const std::vector<std::uint64_t> self{0, 10, 20, 30, 40, 50};
  EXPECT_EQ(retained_sizes(idom, self, 0), (std::vector<std::uint64_t>{100, 100, 90, 30, 40, 0}));
}

TEST(Dominators, DeepChainNeedsNoDeepStack) {
  const std::uint32_t n = 1'000'000;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
  for (std::uint32_t i = 0; i + 1 < n; ++i) edges.emplace_back(i, i + 1);
  Csr g = csr(n, edges);
  const auto idom = immediate_dominators(g.first, g.targets, 0);
  EXPECT_EQ(idom[n - 1], n - 2);
  const std::vector<std::uint64_t> self(n, 1);
  EXPECT_EQ(retained_sizes(idom, self, 0)[1], n - 1);
}


TEST(RetainedSize, TreeOwnsItsSubtreeSharedObjectsDoNot) {
  Heap heap;
  auto root = heap.make<Pair>();
  root->left = heap.make<Pair>();
  root->right = heap.make<Pair>();
  auto shared = heap.make<Pair>();
  static_cast<Pair*>(root->left.get())->left = shared;
  static_cast<Pair*>(root->right.get())->left = shared;
  const std::size_t one = getsizeof(shared.get());
  // `shared` is also held from C++ here: nobody but the root dominates it... and not even the
  // root while our Ref holds it.
  EXPECT_EQ(retained_size(heap, root.get()), 3 * one);
  Object* s = shared.get();
  shared.reset();
  EXPECT_EQ(retained_size(heap, root.get()), 4 * one);           // reached only through root
  EXPECT_EQ(retained_size(heap, root->left.get()), one);         // two paths to `shared`
  EXPECT_EQ(retained_size(heap, s), one);
}

TEST(RetainedSize, WeakReferencesRetainNothingAndGarbageIsNotRetained) {
  Heap heap;
  auto holder = heap.make<Pair>();
  auto target = List::make(heap, {Str::make(heap, "payload")});
  holder->left = Ref<Object>(WeakRef<List>(target).handle());
  const std::size_t target_size = getsizeof(target.get()) + getsizeof((*target)[0].get());
  EXPECT_EQ(retained_size(heap, target.get()), target_size);
  EXPECT_EQ(retained_size(heap, holder.get()), getsizeof(holder.get()) + getsizeof(holder->left.get()));
  auto a = heap.make<Pair>();
  a->left = a;
  Object* cyc = a.get();
  a.reset();
  EXPECT_EQ(retained_size(heap, cyc), 0u);  // not reachable from a root
  heap.gc().collect();
}

}  // namespace
