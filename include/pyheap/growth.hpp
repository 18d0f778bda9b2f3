// pyheap/growth.hpp — which types grew since last time (objgraph's show_growth).
//
// A GrowthTracker remembers the number of live objects of each type (by TypeInfo::name) at
// its last update. update() counts again (one Heap::for_each_object walk), returns the types
// whose count went up, with the new count and the increase, largest increase first (ties by
// name), and remembers the new counts. The first update compares with an empty heap, so it
// lists every type, as show_growth's first call does.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "pyheap/internal/export.hpp"

namespace pyheap {

class Heap;

struct TypeGrowth {
  std::string type;
  std::size_t count = 0;  // live objects of the type now
  std::size_t delta = 0;  // how many more than at the previous update
};

// Live objects per type, by TypeInfo::name.
PYHEAP_API std::map<std::string, std::size_t> count_objects_by_type(const Heap& heap);

class PYHEAP_API GrowthTracker {
 public:
  std::vector<TypeGrowth> update(const Heap& heap);
  // One line per type, objgraph's layout: "Node     12     +3".
  static std::string format(const std::vector<TypeGrowth>& growth);

 private:
  std::map<std::string, std::size_t> last_;
};

}  // namespace pyheap
