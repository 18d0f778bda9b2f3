// AllocationTracing: start/stop, the record and forget hooks Heap calls, snapshots.
#include <algorithm>
#include <map>
#include <new>
#include <stdexcept>
#include <utility>

#include "pyheap/internal/check.hpp"
#include "pyheap/tracing.hpp"
#include "pyheap/type_info.hpp"
#include "trace/backtrace.hpp"
#include "trace/trace_state.hpp"

namespace pyheap {

AllocationTracing::~AllocationTracing() { stop(); }

void AllocationTracing::start(TraceOptions options) {
  if (options.backtrace_depth > TraceOptions::kMaxBacktraceDepth)
    throw std::invalid_argument("pyheap: backtrace depth above TraceOptions::kMaxBacktraceDepth");
  if (state_ != nullptr) {
    if (state().options == options) return;
    throw std::logic_error("pyheap: tracing is already on with other options; stop() it first");
  }
  auto* s = new detail::TraceState;
  s->options = options;
  state_ = s;  // as its TraceHot base
}

void AllocationTracing::stop() noexcept {
  // Traced objects keep kFlagTraced; forget() finds no state (or, after a restart, no record).
  if (state_ != nullptr) delete &state();
  state_ = nullptr;
}

TraceOptions AllocationTracing::options() const noexcept { return state_ ? state().options : TraceOptions{}; }

TracedMemory AllocationTracing::traced_memory() const noexcept {
  return state_ ? TracedMemory{state_->current, state_->peak} : TracedMemory{};
}

void AllocationTracing::reset_peak() noexcept {
  if (state_) state_->peak = state_->current;
}

std::size_t AllocationTracing::traced_count() const noexcept { return state_ ? state_->objects : 0; }
std::size_t AllocationTracing::dropped() const noexcept { return state_ ? state().dropped : 0; }

// A new site or a new leaf (record's inline path handled neither), or backtraces.
bool AllocationTracing::record_slow(const Object* o, std::size_t bytes, std::uint16_t type_id,
                                    const SourceLocation& where) noexcept {
  detail::TraceState& s = state();
  std::uint32_t id;
  if (s.options.backtrace_depth == 0) {
    id = s.sites.lookup(where, type_id);
    // Remembered for the inline path (only ids the map can hold: above kMaxId, set fails below).
    if (id != 0 && id <= trace::AddressMap::kMaxId) {
      s.site_key = detail::site_key(where, type_id);
      s.site_slot = id << 1;
    }
  } else {
    id = backtrace_site(where, type_id);
  }
  // set() walks to the object's leaf and leaves it in s.leaf for the inline path.
  if (id == 0 || !s.addresses.set(s.leaf, o, id)) [[unlikely]] {
    ++s.dropped;
    return false;
  }
  s.current += bytes;
  if (s.current > s.peak) s.peak = s.current;
  ++s.objects;
  return true;
}

// Out of line, so that record's site-only path does not reserve the frame buffer.
[[gnu::noinline]] std::uint32_t AllocationTracing::backtrace_site(const SourceLocation& where,
                                                                  std::uint16_t type_id) noexcept {
  detail::TraceState& s = state();
  std::uintptr_t frames[TraceOptions::kMaxBacktraceDepth];
  // skip 2 (this function and record_slow): the frames start at record_slow's caller, which is
  // the function make was inlined into, or Heap::construct when it was not.
  const std::size_t n = trace::capture_backtrace(frames, s.options.backtrace_depth, 2);
  return s.sites.intern(where, type_id, frames, n);
}

std::uint32_t AllocationTracing::site_id(const Object* o) const noexcept {
  if (state_ == nullptr || o == nullptr) return 0;
  detail::TraceState& s = state();
  return s.addresses.get(s.leaf, o);
}

const AllocationSite& AllocationTracing::site(std::uint32_t id) const noexcept {
  return state().sites.site(id);
}

std::optional<AllocationSite> AllocationTracing::site_of(const Object* o) const {
  const std::uint32_t id = site_id(o);
  if (id == 0) return std::nullopt;
  return state().sites.site(id);
}

Snapshot AllocationTracing::snapshot() const {
  if (state_ == nullptr) throw std::logic_error("pyheap: snapshot() needs tracing on (start() it first)");
  const detail::TraceState& s = state();
  // (site id, object size) -> count; the map is ordered, so traces come out in a stable order.
  std::map<std::pair<std::uint32_t, std::size_t>, std::size_t> groups;
  std::size_t bytes = 0, objects = 0;
  s.addresses.for_each([&](const void* address, std::uint32_t id) {
    const Object* o = static_cast<const Object*>(address);
    const std::size_t size = detail::block_request(o);
    ++groups[{id, size}];
    bytes += size;
    ++objects;
  });
  // Every record is a live object whose size has not changed since it was made.
  PYHEAP_ASSERT(bytes == s.current && objects == s.objects);

  Snapshot snap;
  snap.memory_ = TracedMemory{s.current, s.peak};
  std::map<std::uint32_t, std::uint32_t> index;  // site id -> index in snap.sites_
  for (const auto& [key, count] : groups) {
    auto [it, fresh] = index.emplace(key.first, static_cast<std::uint32_t>(snap.sites_.size()));
    if (fresh) snap.sites_.push_back(s.sites.site(key.first));
    snap.traces_.push_back(Snapshot::Trace{it->second, key.second, count});
  }
  return snap;
}

}  // namespace pyheap
