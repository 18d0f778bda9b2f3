// Helpers shared by the container tests.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>

#include "pyheap/heap.hpp"

namespace pyheap::testing {

// What the heap's allocator really holds: small blocks at their class size plus large requests.
// A container's getsizeof must account for exactly the change in this figure.
inline std::uint64_t held(const Heap& h) {
  const auto s = h.allocator().stats();
  return s.bytes_held + s.large_bytes;
}

// An atom (untracked) that runs a function when it dies.
struct Probe : Object {
  explicit Probe(std::function<void()> f) : on_death(std::move(f)) {}
  ~Probe() {
    if (on_death) on_death();
  }
  std::function<void()> on_death;
};

}  // namespace pyheap::testing
