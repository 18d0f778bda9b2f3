// stats() snapshot and its two renderings. The field lists come from the single
// PYHEAP_ALLOCATOR_STATS X-macro in include/pyheap/allocator_stats.hpp.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "alloc/allocator_state.hpp"

namespace pyheap {

using namespace alloc;

AllocatorStats SmallObjectAllocator::stats() const {
  const detail::AllocatorState& st = *state_;
  AllocatorStats s;
  for (std::size_t i = 0; i < kNumClasses; ++i) {
    const detail::ClassCounters& k = st.classes;
    SizeClassStats& c = s.size_classes[i];
    c.block_size = class_block_size(i);
    c.pools_in_use = k.pools[i];
    c.blocks_in_use = k.blocks[i];
    c.blocks_free = k.pools[i] * class_capacity(i) - k.blocks[i];
    c.bytes_requested = k.bytes_requested[i];
    c.bytes_held = k.blocks[i] * class_block_size(i);
    s.pools_in_use += c.pools_in_use;
    s.blocks_in_use += c.blocks_in_use;
    s.blocks_free += c.blocks_free;
    s.bytes_requested += c.bytes_requested;
    s.bytes_held += c.bytes_held;
  }
  s.arenas_mapped = st.arenas_mapped;
  s.arenas_mapped_total = st.arenas_mapped_total;
  s.arenas_unmapped_total = st.arenas_unmapped_total;
  s.arenas_mapped_peak = st.arenas_mapped_peak;
  s.bytes_mapped = st.arenas_mapped * kArenaSize;
  s.pools_committed = s.pools_in_use + st.retired.count;
  s.pools_retired = st.retired.count;
  s.pools_decommitted = st.pools_decommitted;
  s.pools_decommitted_total = st.pools_decommitted_total;
  s.madvise_calls = st.madvise_calls;
  s.purges = st.purges;
  s.injected_failures = st.injected_failures;
  s.large_count = st.large_count;
  s.large_bytes = st.large_bytes;
  s.large_count_total = st.large_count_total;
  s.large_bytes_total = st.large_bytes_total;
  return s;
}

namespace {

void append(std::string& out, const char* fmt, auto... args) {
  char buf[256];
  const int n = std::snprintf(buf, sizeof buf, fmt, args...);
  out.append(buf, static_cast<std::size_t>(std::max(n, 0)));
}

std::string number(std::uint64_t v) { return std::to_string(v); }

}  // namespace

std::string SmallObjectAllocator::format_stats_table() const {
  const AllocatorStats s = stats();

  // Per-class table: one column per CLASS entry, one row per class that has pools.
  std::vector<std::string> names;
#define PYHEAP_COLUMN_NAME(name, description) names.emplace_back(#name);
  PYHEAP_ALLOCATOR_STATS(PYHEAP_COLUMN_NAME, PYHEAP_STATS_IGNORE)
#undef PYHEAP_COLUMN_NAME
  std::vector<std::vector<std::string>> rows;
  for (const SizeClassStats& c : s.size_classes) {
    if (c.pools_in_use == 0) continue;
    std::vector<std::string>& row = rows.emplace_back();
#define PYHEAP_COLUMN_VALUE(name, description) row.push_back(number(c.name));
    PYHEAP_ALLOCATOR_STATS(PYHEAP_COLUMN_VALUE, PYHEAP_STATS_IGNORE)
#undef PYHEAP_COLUMN_VALUE
  }
  std::vector<std::size_t> width(names.size());
  for (std::size_t j = 0; j < names.size(); ++j) {
    width[j] = names[j].size();
    for (const auto& row : rows) width[j] = std::max(width[j], row[j].size());
  }
  std::string out = "size classes (in use only):\n";
  for (std::size_t j = 0; j < names.size(); ++j)
    append(out, "%s%*s", j ? "  " : "", static_cast<int>(width[j]), names[j].c_str());
  out += '\n';
  for (const auto& row : rows) {
    for (std::size_t j = 0; j < row.size(); ++j)
      append(out, "%s%*s", j ? "  " : "", static_cast<int>(width[j]), row[j].c_str());
    out += '\n';
  }
  if (rows.empty()) out += "(none)\n";

  // Allocator-wide counters: name, value, description.
  std::size_t name_width = 0, value_width = 0;
#define PYHEAP_MEASURE(name, description)                           \
  name_width = std::max(name_width, sizeof(#name) - 1);             \
  value_width = std::max(value_width, number(s.name).size());
  PYHEAP_ALLOCATOR_STATS(PYHEAP_STATS_IGNORE, PYHEAP_MEASURE)
#undef PYHEAP_MEASURE
  out += "totals:\n";
#define PYHEAP_LINE(name, description)                                                      \
  append(out, "%-*s  %*s  %s\n", static_cast<int>(name_width), #name,                       \
         static_cast<int>(value_width), number(s.name).c_str(), description);
  PYHEAP_ALLOCATOR_STATS(PYHEAP_STATS_IGNORE, PYHEAP_LINE)
#undef PYHEAP_LINE
  return out;
}

std::string SmallObjectAllocator::format_stats_json() const {
  const AllocatorStats s = stats();
  std::string out = "{\n  \"size_classes\": [";
  for (std::size_t i = 0; i < s.size_classes.size(); ++i) {
    const SizeClassStats& c = s.size_classes[i];
    out += i ? ",\n    {" : "\n    {";
    const char* sep = "";
#define PYHEAP_JSON_MEMBER(name, description)                                              \
  out += sep;                                                                              \
  out += "\"" #name "\": " + number(c.name);                                               \
  sep = ", ";
    PYHEAP_ALLOCATOR_STATS(PYHEAP_JSON_MEMBER, PYHEAP_STATS_IGNORE)
#undef PYHEAP_JSON_MEMBER
    out += "}";
  }
  out += "\n  ]";
#define PYHEAP_JSON_MEMBER(name, description) out += ",\n  \"" #name "\": " + number(s.name);
  PYHEAP_ALLOCATOR_STATS(PYHEAP_STATS_IGNORE, PYHEAP_JSON_MEMBER)
#undef PYHEAP_JSON_MEMBER
  out += "\n}\n";
  return out;
}

}  // namespace pyheap
