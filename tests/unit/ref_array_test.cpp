// RefArray<T> (pyheap/ref_array.hpp, issue 19): a fixed-length heap array of references, inline,
// traced, released last to first.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "pyheap/ref_array.hpp"
#include "test_objects.hpp"

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::RefArray;
using pyheap::testing::Leaf;

namespace {

struct Node : Object {
  explicit Node(std::vector<int>* log = nullptr, int id = 0) : log(log), id(id) {}
  ~Node() {
    if (log) log->push_back(id);
  }
  std::vector<int>* log;
  int id;
  Ref<RefArray<Node>> out;  // a node's successors: arrays and nodes make cycles
  void trace(pyheap::Tracer& t) { t(out); }
};

TEST(RefArray, StartsEmptyHoldsItsElementsInlineAndCountsThem) {
  Heap h;
  Ref<RefArray<Leaf>> a = RefArray<Leaf>::make(h, 10);
  EXPECT_EQ(a->size(), 10u);
  for (const Ref<Leaf>& r : *a) EXPECT_FALSE(r);
  // One block: collector word + header + length + 10 references.
  EXPECT_EQ(Heap::allocated_size(a.get()), 8u + 16u + 80u + 8u);  // 104 rounded to 112
  Ref<Leaf> l = h.make<Leaf>(7);
  (*a)[3] = l;
  a->at(9) = l;
  EXPECT_EQ(l->refcount(), 3u);
  EXPECT_EQ((*a)[3]->value, 7);
  EXPECT_THROW(a->at(10), std::out_of_range);
  a->fill(l);
  EXPECT_EQ(l->refcount(), 11u);
  a.reset();
  EXPECT_EQ(l->refcount(), 1u);
  EXPECT_EQ(h.live_objects(), 1u);
}

TEST(RefArray, EmptyAndLargeArrays) {
  Heap h;
  Ref<RefArray<Leaf>> none = RefArray<Leaf>::make(h, 0);
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(none->begin(), none->end());
  Ref<RefArray<Leaf>> big = RefArray<Leaf>::make(h, 100000);  // a large block, outside the pools
  Ref<Leaf> l = h.make<Leaf>();
  (*big)[99999] = l;
  EXPECT_EQ(big->span().size(), 100000u);
  big.reset();
  EXPECT_EQ(l->refcount(), 1u);
  EXPECT_THROW(RefArray<Leaf>::make(h, std::size_t{1} << 62), std::length_error);
  EXPECT_TRUE(h.allocator().is_valid(2));
}

TEST(RefArray, ReleasesItsElementsLastToFirst) {
  Heap h;
  std::vector<int> log;
  {
    Ref<RefArray<Node>> a = RefArray<Node>::make(h, 4);
    for (int i = 0; i < 4; ++i) (*a)[static_cast<std::size_t>(i)] = h.make<Node>(&log, i);
  }
  EXPECT_EQ(log, (std::vector<int>{3, 2, 1, 0}));
}

TEST(RefArray, CyclesThroughArraysAreCollected) {
  Heap h;
  std::vector<int> log;
  {
    // A ring of 100 nodes, each pointing at the next through its array of successors.
    std::vector<Ref<Node>> nodes;
    for (int i = 0; i < 100; ++i) nodes.push_back(h.make<Node>(&log, i));
    for (int i = 0; i < 100; ++i) {
      nodes[static_cast<std::size_t>(i)]->out = RefArray<Node>::make(h, 2);
      (*nodes[static_cast<std::size_t>(i)]->out)[0] = nodes[static_cast<std::size_t>((i + 1) % 100)];
    }
    EXPECT_TRUE(h.gc().is_tracked(nodes[0]->out.get()));
  }
  EXPECT_EQ(h.live_objects(), 200u);
  EXPECT_EQ(h.gc().collect(), 200u);
  EXPECT_EQ(log.size(), 100u);
  EXPECT_EQ(h.live_objects(), 0u);
}

TEST(RefArray, OfConstAndOfAPolymorphicBase) {
  struct Shape : Object {
    virtual ~Shape() = default;
    virtual int sides() const = 0;
  };
  struct Tri final : Shape {
    int sides() const override { return 3; }
  };
  Heap h;
  Ref<RefArray<const Shape>> shapes = RefArray<const Shape>::make(h, 2);
  (*shapes)[0] = h.make<Tri>();
  EXPECT_EQ((*shapes)[0]->sides(), 3);
  shapes.reset();
  EXPECT_EQ(h.live_objects(), 0u);
}

}  // namespace
