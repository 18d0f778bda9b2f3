// GrowthTracker: counts by type, compared with the previous counts.
#include "pyheap/growth.hpp"

#include <algorithm>
#include <cstdio>

#include "pyheap/heap.hpp"
#include "pyheap/heap_graph.hpp"

namespace pyheap {

std::map<std::string, std::size_t> count_objects_by_type(const Heap& heap) {
  // Names are per type, so count by type id first and name each type once.
  std::map<std::uint16_t, std::pair<const Object*, std::size_t>> by_id;
  heap.for_each_object([&](Object& o) {
    auto& slot = by_id[o.type_id()];
    slot.first = &o;
    ++slot.second;
  });
  std::map<std::string, std::size_t> counts;
  for (const auto& [id, sample] : by_id) counts[type_of(*sample.first).name] += sample.second;
  return counts;
}

std::vector<TypeGrowth> GrowthTracker::update(const Heap& heap) {
  std::map<std::string, std::size_t> now = count_objects_by_type(heap);
  std::vector<TypeGrowth> grown;
  for (const auto& [type, count] : now) {
    const auto it = last_.find(type);
    const std::size_t before = it == last_.end() ? 0 : it->second;
    if (count > before) grown.push_back(TypeGrowth{type, count, count - before});
  }
  std::sort(grown.begin(), grown.end(), [](const TypeGrowth& a, const TypeGrowth& b) {
    return a.delta != b.delta ? a.delta > b.delta : a.type < b.type;
  });
  last_ = std::move(now);
  return grown;
}

std::string GrowthTracker::format(const std::vector<TypeGrowth>& growth) {
  std::size_t width = 0;
  for (const auto& g : growth) width = std::max(width, g.type.size());
  std::string out;
  char buf[64];
  for (const auto& g : growth) {
    std::snprintf(buf, sizeof buf, " %9zu %+9lld\n", g.count, static_cast<long long>(g.delta));
    out += g.type + std::string(width - g.type.size(), ' ') + buf;
  }
  return out;
}

}  // namespace pyheap
