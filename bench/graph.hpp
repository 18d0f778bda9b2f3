// The collector benchmark's graphs, as edge lists, shared by the pyheap and Boehm programs and
// reproduced number for number by bench/cpython_workloads.py.
//
// A graph has n nodes with two reference fields each (field value kNoEdge = empty) plus one list
// that holds every node (so every node is live, whatever its in-degree):
//   ring     node i -> node i+1 (mod n) in field 0, field 1 empty: edges follow allocation order;
//   random   fields 0 and 1 -> splitmix64(seed).below(n), drawn in node order, field 0 first.
// The checksum folds every edge with its position; both sides print it and the driver compares.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench_util.hpp"

namespace bench {

inline constexpr std::uint32_t kNoEdge = 0xffffffffu;
inline constexpr std::uint64_t kGraphSeed = 2024;

struct EdgeList {
  std::size_t n = 0;
  std::vector<std::uint32_t> edge;  // 2 * n: node i's fields at 2i and 2i+1
  std::uint64_t checksum = 0;
};

inline EdgeList make_graph(const std::string& shape, std::size_t n) {
  EdgeList g;
  g.n = n;
  g.edge.assign(2 * n, kNoEdge);
  SplitMix64 rng(kGraphSeed);
  for (std::size_t i = 0; i < n; ++i) {
    if (shape == "ring") {
      g.edge[2 * i] = static_cast<std::uint32_t>((i + 1) % n);
    } else {
      g.edge[2 * i] = static_cast<std::uint32_t>(rng.below(n));
      g.edge[2 * i + 1] = static_cast<std::uint32_t>(rng.below(n));
    }
  }
  // sum over positions k of (k + 1) * (edge + 1), empty edges as 0, modulo 2^64.
  for (std::size_t k = 0; k < 2 * n; ++k) {
    const std::uint64_t e = g.edge[k] == kNoEdge ? 0 : std::uint64_t{g.edge[k]} + 1;
    g.checksum += (k + 1) * e;
  }
  return g;
}

inline std::string graph_check(const EdgeList& g) { return std::to_string(g.checksum); }

}  // namespace bench
