// A tree of arrays built and dropped: no cycle anywhere. Each round builds a tree of depth
// kDepth whose nodes hold their children in a vector (kFanout each) and an array of 1 to 16
// numbers drawn from a seeded generator, walks it (the sum of every number times its node's
// depth) and drops it. Reference counting frees every tree the moment its root goes; an automatic
// collection can find nothing here, so whatever time the collector takes is overhead (the target:
// <= 5% of the time). The checksum is the total of the walks.
#pragma once

#include <cstdint>
#include <utility>

#include "../bench_util.hpp"

namespace shapes {

template <class P>
struct ArrayTree {
  struct Node : P::template Base<Node> {
    typename P::template Vec<typename P::template Ptr<Node>> kids;
    typename P::template Vec<std::int64_t> values;
    void trace(typename P::Tracer& t) { t(kids); }
    ~Node() {
      if constexpr (P::kByHand)
        for (Node* k : kids) P::destroy(k);
    }
  };
  using NodeP = typename P::template Ptr<Node>;

  static constexpr int kDepth = 7;   // 5,461 nodes a tree
  static constexpr int kFanout = 4;
  static constexpr int kRounds = 130;

  static NodeP build(int depth, bench::SplitMix64& rng) {
    NodeP n = P::template make<Node>();
    const std::uint64_t count = 1 + rng.below(16);
    n->values.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) n->values.push_back(static_cast<std::int64_t>(rng.below(1000)));
    if (depth > 0) {
      n->kids.reserve(kFanout);
      for (int k = 0; k < kFanout; ++k) n->kids.push_back(build(depth - 1, rng));
    }
    return n;
  }

  static std::uint64_t walk(const NodeP& n, std::uint64_t depth) {
    std::uint64_t sum = 0;
    for (std::int64_t v : n->values) sum += static_cast<std::uint64_t>(v) * depth;
    for (const NodeP& k : n->kids) sum += walk(k, depth + 1);
    return sum;
  }

  static std::uint64_t run(int scale) {
    bench::SplitMix64 rng(20);
    std::uint64_t total = 0;
    for (int round = 0; round < kRounds * scale; ++round) {
      NodeP root = build(kDepth, rng);
      total += walk(root, 1);
      P::destroy(root);
    }
    return total;
  }
};

}  // namespace shapes
