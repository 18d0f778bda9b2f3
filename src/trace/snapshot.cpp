// Snapshot: filtering, grouping, comparison and the text format of tracing results.
#include <fnmatch.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

#include "pyheap/tracing.hpp"
#include "trace/backtrace.hpp"

namespace pyheap {

std::string AllocationSite::location() const { return file + ':' + std::to_string(line); }

std::vector<std::string> AllocationSite::symbolized_frames() const {
  std::vector<std::string> out;
  out.reserve(frames.size());
  for (std::uintptr_t f : frames) out.push_back(trace::describe_frame(f));
  return out;
}

std::size_t Snapshot::total_bytes() const noexcept {
  std::size_t n = 0;
  for (const Trace& t : traces_) n += t.size * t.count;
  return n;
}

std::size_t Snapshot::total_count() const noexcept {
  std::size_t n = 0;
  for (const Trace& t : traces_) n += t.count;
  return n;
}

namespace {

bool file_matches(const std::string& pattern, const std::string& file) {
  if (pattern.empty()) return true;
  if (pattern.find_first_of("*?[") != std::string::npos) return ::fnmatch(pattern.c_str(), file.c_str(), 0) == 0;
  return file.find(pattern) != std::string::npos;
}

bool matches(const TraceFilter& f, const AllocationSite& site, std::size_t size) {
  return file_matches(f.file, site.file) && (f.type.empty() || f.type == site.type || f.type == site.qualified_type) && size >= f.min_size &&
         size <= f.max_size;
}

// The key of a site in a grouping; for GroupBy::Site the frames are part of the key too.
std::string group_key(const AllocationSite& s, GroupBy by) {
  switch (by) {
    case GroupBy::Site: {
      std::string k = s.location() + " [" + s.type + ']';
      for (std::uintptr_t f : s.frames) {
        char buf[24];
        std::snprintf(buf, sizeof buf, " %zx", static_cast<std::size_t>(f));
        k += buf;
      }
      return k;
    }
    case GroupBy::Line: return s.location();
    case GroupBy::File: return s.file;
    case GroupBy::Type: return s.type;
  }
  return {};
}

// What a grouped statistic shows as its key: the Site key without the raw frame addresses (the
// symbolized traceback goes below it instead).
std::string display_key(const AllocationSite& s, GroupBy by) {
  return by == GroupBy::Site ? s.location() + " [" + s.type + ']' : group_key(s, by);
}

struct Group {
  std::string display;
  std::size_t count = 0;
  std::size_t bytes = 0;
  const AllocationSite* site = nullptr;  // for the traceback (GroupBy::Site)
};

std::map<std::string, Group> group(const Snapshot& snap, GroupBy by) {
  std::map<std::string, Group> groups;
  for (const Snapshot::Trace& t : snap.traces()) {
    const AllocationSite& site = snap.sites()[t.site];
    Group& g = groups[group_key(site, by)];
    if (g.site == nullptr) {
      g.display = display_key(site, by);
      g.site = &site;
    }
    g.count += t.count;
    g.bytes += t.count * t.size;
  }
  return groups;
}

std::vector<std::string> traceback_of(const Group& g, GroupBy by) {
  if (by != GroupBy::Site || g.site == nullptr) return {};
  return g.site->symbolized_frames();
}

std::string signed_count(std::ptrdiff_t n) {
  std::string s(n >= 0 ? "+" : "");
  s += std::to_string(n);
  return s;
}

std::string human_bytes(std::ptrdiff_t n, bool sign) {
  std::string s = sign ? signed_count(n) : std::to_string(n);
  s += " B";
  return s;
}

void append_traceback(std::string& out, const std::vector<std::string>& frames) {
  for (const std::string& f : frames) out += "    " + f + '\n';
}

}  // namespace

Snapshot Snapshot::filter(const TraceFilter& f) const {
  Snapshot out;
  out.sites_ = sites_;
  out.memory_ = memory_;
  for (const Trace& t : traces_) {
    if (matches(f, sites_[t.site], t.size) == f.include) out.traces_.push_back(t);
  }
  return out;
}

std::vector<Statistic> Snapshot::statistics(GroupBy by) const {
  std::vector<Statistic> out;
  for (auto& [key, g] : group(*this, by)) out.push_back(Statistic{g.display, g.count, g.bytes, traceback_of(g, by)});
  std::stable_sort(out.begin(), out.end(), [](const Statistic& a, const Statistic& b) {
    return std::tie(b.bytes, b.count) < std::tie(a.bytes, a.count);
  });
  return out;
}

std::vector<StatisticDiff> Snapshot::compare_to(const Snapshot& older, GroupBy by, GrowthOrder order,
                                                std::size_t top) const {
  const auto now = group(*this, by);
  const auto before = group(older, by);
  std::vector<StatisticDiff> out;
  for (const auto& [key, g] : now) {
    StatisticDiff d{g.display, g.count, g.bytes, static_cast<std::ptrdiff_t>(g.count),
                    static_cast<std::ptrdiff_t>(g.bytes), traceback_of(g, by)};
    if (auto it = before.find(key); it != before.end()) {
      d.count_diff -= static_cast<std::ptrdiff_t>(it->second.count);
      d.bytes_diff -= static_cast<std::ptrdiff_t>(it->second.bytes);
    }
    out.push_back(std::move(d));
  }
  for (const auto& [key, g] : before) {
    if (now.count(key)) continue;  // gone entirely: shown with a count of 0
    out.push_back(StatisticDiff{g.display, 0, 0, -static_cast<std::ptrdiff_t>(g.count),
                                -static_cast<std::ptrdiff_t>(g.bytes), traceback_of(g, by)});
  }
  std::stable_sort(out.begin(), out.end(), [order](const StatisticDiff& a, const StatisticDiff& b) {
    if (order == GrowthOrder::Bytes) return std::tie(b.bytes_diff, b.count_diff) < std::tie(a.bytes_diff, a.count_diff);
    return std::tie(b.count_diff, b.bytes_diff) < std::tie(a.count_diff, a.bytes_diff);
  });
  if (out.size() > top) out.resize(top);
  return out;
}

std::vector<StatisticDiff> compare(const Snapshot& older, const Snapshot& newer, GroupBy by, GrowthOrder order,
                                   std::size_t top) {
  return newer.compare_to(older, by, order, top);
}

std::string format(const std::vector<Statistic>& stats, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < stats.size() && i < limit; ++i) {
    const Statistic& s = stats[i];
    out += s.key + ": " + human_bytes(static_cast<std::ptrdiff_t>(s.bytes), false) + " in " +
           std::to_string(s.count) + (s.count == 1 ? " object" : " objects");
    if (s.count != 0) out += " (average " + std::to_string(s.bytes / s.count) + " B)";
    out += '\n';
    append_traceback(out, s.traceback);
  }
  return out;
}

std::string format(const std::vector<StatisticDiff>& diffs, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < diffs.size() && i < limit; ++i) {
    const StatisticDiff& d = diffs[i];
    out += d.key + ": " + human_bytes(static_cast<std::ptrdiff_t>(d.bytes), false) + " (" +
           human_bytes(d.bytes_diff, true) + ") in " + std::to_string(d.count) +
           (d.count == 1 ? " object" : " objects") + " (" + signed_count(d.count_diff) + ')';
    if (d.count != 0) out += ", average " + std::to_string(d.bytes / d.count) + " B";
    out += '\n';
    append_traceback(out, d.traceback);
  }
  return out;
}

}  // namespace pyheap
