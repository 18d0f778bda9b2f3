// AddressMap: a side table from object address to a 32-bit site id, for allocation tracing.
//
// A three-level radix tree over the 48-bit user address space at 8-byte granularity (objects
// start 8-aligned: a 16-aligned block plus a 0, 8 or 16-byte prefix). 45 key bits are split
// 14 (root) / 14 (middle) / 17 (leaf): a leaf covers 1 MiB of address space, so the objects of
// one allocator arena share one leaf. Every level is an anonymous mapping, so an untouched page
// of a leaf costs no memory, and set/take are three dependent loads and a store, with no hashing
// and no probing: this is what keeps traced make+drop near untraced cost.
//
// Invariants: get(p) != 0 iff p was set and not taken since; the map never holds the id 0.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/assert.hpp"

namespace pyheap::trace {

class AddressMap {
 public:
  static constexpr unsigned kGranuleBits = 3;
  static constexpr unsigned kLeafBits = 17;
  static constexpr unsigned kMidBits = 14;
  static constexpr unsigned kRootBits = 14;
  static constexpr unsigned kAddressBits = kGranuleBits + kLeafBits + kMidBits + kRootBits;  // 48

  AddressMap() = default;
  ~AddressMap();
  AddressMap(const AddressMap&) = delete;
  AddressMap& operator=(const AddressMap&) = delete;

  // Maps p (8-aligned) to id != 0. False (map unchanged) if memory for a new level is lacking or
  // p lies outside the 48-bit space.
  bool set(const void* p, std::uint32_t id) noexcept {
    PYHEAP_ASSERT(id != 0);
    std::uint32_t* slot = slot_for(p, /*create=*/true);
    if (slot == nullptr) return false;
    PYHEAP_ASSERT(*slot == 0);  // two live objects never share an address
    *slot = id;
    return true;
  }
  // The id of p, which the map forgets; 0 if p is not mapped.
  std::uint32_t take(const void* p) noexcept {
    std::uint32_t* slot = slot_for(p, /*create=*/false);
    if (slot == nullptr) return 0;
    const std::uint32_t id = *slot;
    *slot = 0;
    return id;
  }
  std::uint32_t get(const void* p) const noexcept {
    std::uint32_t* slot = const_cast<AddressMap*>(this)->slot_for(p, /*create=*/false);
    return slot == nullptr ? 0 : *slot;
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
          f(reinterpret_cast<const void*>(key << kGranuleBits), leaf[i]);
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

  std::uint32_t* slot_for(const void* p, bool create) noexcept {
    const std::uintptr_t a = reinterpret_cast<std::uintptr_t>(p);
    PYHEAP_ASSERT(a % (std::uintptr_t{1} << kGranuleBits) == 0);
    const std::uintptr_t key = a >> kGranuleBits;
    const std::uintptr_t r = key >> (kLeafBits + kMidBits);
    if (r >= kRootSize) [[unlikely]] return nullptr;
    if (root_ == nullptr) [[unlikely]] {
      if (!create || !grow_root()) return nullptr;
    }
    Mid* mid = root_[r];
    if (mid == nullptr) [[unlikely]] {
      if (!create || (mid = grow_mid(r)) == nullptr) return nullptr;
    }
    const std::uintptr_t m = (key >> kLeafBits) & (kMidSize - 1);
    std::uint32_t* leaf = mid->leaves[m];
    if (leaf == nullptr) [[unlikely]] {
      if (!create || (leaf = grow_leaf(mid, m)) == nullptr) return nullptr;
    }
    return &leaf[key & (kLeafSize - 1)];
  }
  bool grow_root() noexcept;
  Mid* grow_mid(std::uintptr_t r) noexcept;
  std::uint32_t* grow_leaf(Mid* mid, std::uintptr_t m) noexcept;

  Mid** root_ = nullptr;  // kRootSize entries, mapped on first use
};

}  // namespace pyheap::trace
