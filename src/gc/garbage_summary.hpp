// Tallies the garbage of one collection by type and by allocation site, while it is still alive,
// for the collector's Stop callbacks (GarbageSummary, collector.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "pyheap/collector.hpp"

namespace pyheap {
class AllocationTracing;
class Object;
}  // namespace pyheap

namespace pyheap::detail {

class GarbageSummaryBuilder {
 public:
  explicit GarbageSummaryBuilder(const AllocationTracing& tracing) : tracing_(tracing) {}
  // Counts o, which must be alive (its type, size and site are read now). Throws bad_alloc.
  void add(const Object* o);
  GarbageSummary finish() const;

 private:
  struct Tally {
    std::size_t count = 0;
    std::size_t bytes = 0;
  };
  struct SiteTally {
    std::string type, site;  // resolved when the site is first seen: tracing may stop later
    Tally tally;
  };
  const AllocationTracing& tracing_;
  std::unordered_map<std::uint16_t, Tally> types_;
  std::unordered_map<std::uint32_t, SiteTally> sites_;
  std::size_t objects_ = 0, bytes_ = 0, untraced_ = 0;
};

}  // namespace pyheap::detail
