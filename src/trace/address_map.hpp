// AddressMap: a side table from object address to a site id, for allocation tracing.
//
// A three-level radix tree over the 48-bit user address space at 16-byte granularity: 44 key bits
// split 13 (root) / 14 (middle) / 17 (leaf), so a leaf covers 2 MiB of address space and the
// objects of an allocator arena share one leaf. An object starts 8 bytes into a granule or at its
// start (a 16-aligned block plus a 0, 8 or 16-byte prefix), and no two objects share a granule
// (blocks are at least 16 bytes, and the prefix lies inside its block): a slot holds
// id << 1 | (address bit 3). 16-byte granules halve the leaf memory a burst of makes and frees
// walks through, compared with 8-byte ones.
// Every level is an anonymous mapping, so an untouched page of a leaf costs no memory; the last
// leaf used is remembered, so set/take are usually one compare, one load and one store, with no
// hashing and no probing: this is what keeps traced make+drop near untraced cost. That memory
// (detail::TraceLeafCache) belongs to the owner, which passes it to every call: it sits in the
// line of the owner's hot counters (no pointer to it to load from the map), and
// AllocationTracing::record's inline path stores through it without calling the map.
//
// Invariants: get(p) != 0 iff p was set and not taken since; the map never holds the id 0.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pyheap/internal/check.hpp"
#include "pyheap/internal/trace_hot.hpp"

namespace pyheap::trace {

class AddressMap {
 public:
  static constexpr unsigned kGranuleBits = detail::kTraceGranuleBits;
  static constexpr unsigned kLeafBits = detail::kTraceLeafBits;
  static constexpr unsigned kMidBits = 14;
  static constexpr unsigned kRootBits = 13;
  static constexpr unsigned kAddressBits = kGranuleBits + kLeafBits + kMidBits + kRootBits;  // 48
  static constexpr std::uint32_t kMaxId = (std::uint32_t{1} << 31) - 1;  // one slot bit is the half

  // `cache` in every call: the last leaf walked to, kept by the owner; one cache per map (a leaf
  // of another map would be written through it).
  AddressMap() = default;
  ~AddressMap();
  AddressMap(const AddressMap&) = delete;
  AddressMap& operator=(const AddressMap&) = delete;

  // Maps p (8-aligned) to 0 < id <= kMaxId. False (map unchanged) if id is too large, memory for
  // a new level is lacking or p lies outside the 48-bit space.
  bool set(detail::TraceLeafCache& cache, const void* p, std::uint32_t id) noexcept {
    PYHEAP_ASSERT(id != 0);
    if (id > kMaxId) [[unlikely]] return false;
    std::uint32_t* slot = slot_for(cache, p, /*create=*/true);
    if (slot == nullptr) return false;
    PYHEAP_ASSERT(*slot == 0);  // two live objects never share a granule
    *slot = (id << 1) | half(p);
    return true;
  }
  // The id of p, which the map forgets; 0 if p is not mapped.
  std::uint32_t take(detail::TraceLeafCache& cache, const void* p) noexcept {
    std::uint32_t* slot = slot_for(cache, p, /*create=*/false);
    if (slot == nullptr) return 0;
    const std::uint32_t v = *slot;
    if (v == 0 || (v & 1) != half(p)) return 0;
    *slot = 0;
    return v >> 1;
  }
  std::uint32_t get(detail::TraceLeafCache& cache, const void* p) noexcept {
    const std::uint32_t* slot = slot_for(cache, p, /*create=*/false);
    if (slot == nullptr || *slot == 0 || (*slot & 1) != half(p)) return 0;
    return *slot >> 1;
  }

  // Calls f(address, id) for every mapped address, in address order.
  template <class F>
  void for_each(F&& f) const {
    if (root_ == nullptr) return;
    for (std::size_t r = 0; r < kRootSize; ++r) {
      Mid* mid = root_[r];
      if (mid == nullptr) continue;
      for (std::size_t m = 0; m < kMidSize; ++m) {
        const std::uint32_t* leaf = mid->leaves[m];
        if (leaf == nullptr) continue;
        for (std::size_t i = 0; i < kLeafSize; ++i) {
          if (leaf[i] == 0) continue;
          const std::uintptr_t key = (((r << kMidBits) | m) << kLeafBits) | i;
          const std::uintptr_t address = (key << kGranuleBits) | (std::uintptr_t{leaf[i] & 1} << 3);
          f(reinterpret_cast<const void*>(address), leaf[i] >> 1);
        }
      }
    }
  }

 private:
  static constexpr std::size_t kLeafSize = std::size_t{1} << kLeafBits;
  static constexpr std::size_t kMidSize = std::size_t{1} << kMidBits;
  static constexpr std::size_t kRootSize = std::size_t{1} << kRootBits;
  struct Mid {
    std::uint32_t* leaves[kMidSize];
  };

  // Which half of its granule p starts in.
  static std::uint32_t half(const void* p) noexcept {
    return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(p) >> 3) & 1;
  }
  std::uint32_t* slot_for(detail::TraceLeafCache& cache, const void* p, bool create) noexcept {
    const std::uintptr_t a = reinterpret_cast<std::uintptr_t>(p);
    PYHEAP_ASSERT(a % 8 == 0);
    const std::uintptr_t key = a >> kGranuleBits;
    // Consecutive objects mostly come from one arena, i.e. one leaf: remember the last one.
    if ((key >> kLeafBits) == cache.region) [[likely]] return &cache.leaf[key & (kLeafSize - 1)];
    std::uint32_t* slot = walk(cache, key, create);
    return slot;
  }
  // The slot of key through the three levels (creating them if asked), remembered as the last
  // leaf. Out of line: the callers' fast path then needs few registers.
  std::uint32_t* walk(detail::TraceLeafCache& cache, std::uintptr_t key, bool create) noexcept;
  bool grow_root() noexcept;
  Mid* grow_mid(std::uintptr_t r) noexcept;
  std::uint32_t* grow_leaf(Mid* mid, std::uintptr_t m) noexcept;

  Mid** root_ = nullptr;  // kRootSize entries, mapped on first use
};

}  // namespace pyheap::trace
