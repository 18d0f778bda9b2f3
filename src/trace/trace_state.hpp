// What a Heap's AllocationTracing holds while it is on (include/pyheap/tracing.hpp).
//
// Invariants (checked by AllocationTracing::record/forget in debug builds):
//   current == sum of the sizes recorded for the addresses in `addresses`, objects == their
//   number, peak >= current.
#pragma once

#include <cstddef>

#include "common/assert.hpp"

#include "pyheap/tracing.hpp"
#include "trace/address_map.hpp"
#include "trace/site_table.hpp"

namespace pyheap::detail {

struct TraceState {
  TraceOptions options;
  trace::SiteTable sites;
  trace::AddressMap addresses;  // object address -> site id
  std::size_t current = 0;
  std::size_t peak = 0;
  std::size_t objects = 0;
  std::size_t dropped = 0;
};

}  // namespace pyheap::detail

namespace pyheap {

inline void AllocationTracing::forget(const Object* o, std::size_t bytes) noexcept {
  if (state_ == nullptr) return;  // traced in a session that was stopped since
  detail::TraceState& s = *state_;
  if (s.addresses.take(o) == 0) return;  // traced in an earlier session
  PYHEAP_ASSERT(s.current >= bytes && s.objects > 0);
  s.current -= bytes;
  --s.objects;
}

}  // namespace pyheap
