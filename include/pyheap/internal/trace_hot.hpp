// pyheap/internal/trace_hot.hpp — the inline part of allocation tracing (tracing.hpp): the state
// a traced make touches and the fast path that records a make at the same site as the last one.
// Included by the make path only; src/trace/ holds the rest (docs/design.md, "The hot path").
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "pyheap/internal/check.hpp"
#include "pyheap/tracing.hpp"

namespace pyheap {

namespace detail {

// The geometry of the address side table's leaves (src/trace/address_map.hpp): a slot per
// 16-byte granule, 2^17 slots (2 MiB of address space) per leaf. Here because the inline fast
// path of AllocationTracing::record indexes the cached leaf.
inline constexpr unsigned kTraceGranuleBits = 4;
inline constexpr unsigned kTraceLeafBits = 17;

// The leaf of the side table used last: region = address >> (granule + leaf bits), and the leaf.
// No region has the all-ones number, so the cache starts empty.
struct TraceLeafCache {
  std::uintptr_t region = ~std::uintptr_t{0};
  std::uint32_t* leaf = nullptr;
};

// Everything a traced make or free touches, at the start of the tracing state and in one cache
// line, so a burst of makes at one site costs the state one line, not three (before this, the
// site cache, the leaf cache and the counters sat kilobytes apart).
struct alignas(64) TraceHot {
  TraceLeafCache leaf;
  // The site recorded last by site-only tracing: site_key() of its (location, type), and the
  // slot value of its id (id << 1; the low bit is the granule half, added per object). ~0: none
  // (backtrace tracing never fills it, so it always takes the slow path).
  std::uint64_t site_key = ~std::uint64_t{0};
  std::uint32_t site_slot = 0;
  std::size_t current = 0;  // bytes of the live traced objects
  std::size_t peak = 0;
  std::size_t objects = 0;  // live traced objects
};

// With libstdc++ a SourceLocation is one pointer to a static record of the call site,
// distinct per (file, function, line, column) within a translation unit: that pointer, with the
// type id in the bits above the 47-bit user address space, names a (site, type) in one compare.
// (Equal sites seen through different pointers, one per translation unit, miss this key and
// are interned by content on the slow path, so they still share one id.) Where the layout is
// different, every make takes the slow path.
// A template so that the bit_cast branch is only checked for a location type it fits.
template <class Location>
inline std::uint64_t site_key(const Location& where, std::uint16_t type_id) noexcept {
  if constexpr (sizeof(Location) == sizeof(std::uintptr_t) && std::is_trivially_copyable_v<Location>) {
    return std::bit_cast<std::uintptr_t>(where) | (std::uint64_t{type_id} << 48);
  } else {
    return ~std::uint64_t{0};
  }
}

}  // namespace detail

inline bool AllocationTracing::record(const Object* o, std::size_t bytes, std::uint16_t type_id,
                                      const SourceLocation& where) noexcept {
  detail::TraceHot& h = *state_;
  const auto a = reinterpret_cast<std::uintptr_t>(o);
  constexpr unsigned kRegionShift = detail::kTraceGranuleBits + detail::kTraceLeafBits;
  if (detail::site_key(where, type_id) == h.site_key && (a >> kRegionShift) == h.leaf.region) [[likely]] {
    std::uint32_t* slot =
        &h.leaf.leaf[(a >> detail::kTraceGranuleBits) & ((std::uintptr_t{1} << detail::kTraceLeafBits) - 1)];
    // Two live objects never share a granule, and a freed traced object cleared its slot.
    PYHEAP_ASSERT(*slot == 0);
    // An object starts at its granule's start or 8 bytes in: bit 3 tells which (AddressMap).
    *slot = h.site_slot | static_cast<std::uint32_t>((a >> 3) & 1);
    h.current += bytes;
    h.peak = h.current > h.peak ? h.current : h.peak;  // a conditional move, not a branch
    ++h.objects;
    return true;
  }
  return record_slow(o, bytes, type_id, where);
}

}  // namespace pyheap
