// What a Heap's AllocationTracing holds while it is on (include/pyheap/tracing.hpp).
//
// The fields every traced make and free touch (the leaf cache, the last site, the counters) are
// the TraceHot base, one cache line that AllocationTracing::record's inline path reaches through
// state_; the tables behind them follow.
//
// Invariants (checked by AllocationTracing::record_slow/forget and snapshot() in debug builds):
//   current == sum of the sizes recorded for the addresses in `addresses`, objects == their
//   number, peak >= current; site_key, when not ~0, names a site-only (location, type) whose id
//   sites.lookup gives, and site_slot == that id << 1.
#pragma once

#include <cstddef>

#include "pyheap/internal/check.hpp"

#include "pyheap/internal/trace_hot.hpp"
#include "trace/address_map.hpp"
#include "trace/site_table.hpp"

namespace pyheap::detail {

struct TraceState : TraceHot {
  TraceOptions options;
  trace::SiteTable sites;
  trace::AddressMap addresses;  // object address -> site id; its last leaf is TraceHot::leaf
  std::size_t dropped = 0;
};

}  // namespace pyheap::detail

namespace pyheap {

inline detail::TraceState& AllocationTracing::state() const noexcept {
  PYHEAP_ASSERT(state_ != nullptr);
  return *static_cast<detail::TraceState*>(state_);
}

inline void AllocationTracing::forget(const Object* o, std::size_t bytes) noexcept {
  if (state_ == nullptr) return;  // traced in a session that was stopped since
  detail::TraceState& s = state();
  if (s.addresses.take(s.leaf, o) == 0) return;  // traced in an earlier session
  PYHEAP_ASSERT(s.current >= bytes && s.objects > 0);
  s.current -= bytes;
  --s.objects;
}

}  // namespace pyheap
