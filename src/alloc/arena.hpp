// Arenas: kArenaSize-aligned mappings cut into kPoolsPerArena pools, and the bucket index
// that finds the fullest arena with a free pool in O(1).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "alloc/size_class.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap::alloc {

// Out-of-line record of one arena (the arena memory itself holds only pools). Bit i of a
// mask stands for pool i, at base + i * kPoolSize.
//
// Invariants:
//   base % kArenaSize == 0
//   nfreepools == popcount(free_mask),  nfreepools + nusedpools == kPoolsPerArena
//   the record sits in bucket[nfreepools] of its allocator's ArenaBuckets
//   ~free_mask ⊆ committed_mask           (a used pool is committed)
//   released_mask ⊆ free_mask,  released_mask ∩ committed_mask == ∅
//   free_mask ∩ committed_mask == this arena's pools in the empty-pool FIFO
//   free_mask \ (committed_mask ∪ released_mask) == pools never touched since mapping
struct ArenaRecord {
  std::uintptr_t base = 0;
  SmallObjectAllocator* owner = nullptr;
  ArenaRecord* prev = nullptr;  // bucket list
  ArenaRecord* next = nullptr;
  std::uint64_t free_mask = ~std::uint64_t{0};
  std::uint64_t committed_mask = 0;
  std::uint64_t released_mask = 0;
  std::uint32_t nfreepools = kPoolsPerArena;

  void* pool_address(unsigned i) const noexcept {
    return reinterpret_cast<void*>(base + std::size_t{i} * kPoolSize);
  }
  unsigned pool_index(const void* pool) const noexcept {
    return static_cast<unsigned>((reinterpret_cast<std::uintptr_t>(pool) - base) / kPoolSize);
  }
  bool empty() const noexcept { return nfreepools == kPoolsPerArena; }
};

// The usable-arenas index: bucket k lists the arenas with exactly k free pools (k = 0..64;
// bucket 0 holds the full arenas, bucket 64 at most the one reserve arena).
// Invariant: for k in 1..64, bit k-1 of `nonempty` == (head[k] != nullptr).
// fullest_usable() = head of the lowest non-empty bucket >= 1: one count-trailing-zeros.
struct ArenaBuckets {
  ArenaRecord* head[kPoolsPerArena + 1] = {};
  std::uint64_t nonempty = 0;

  void insert(ArenaRecord* a) noexcept {
    const unsigned k = a->nfreepools;
    a->prev = nullptr;
    a->next = head[k];
    if (head[k] != nullptr) head[k]->prev = a;
    head[k] = a;
    if (k != 0) nonempty |= bit(k);
  }
  void remove(ArenaRecord* a) noexcept {
    const unsigned k = a->nfreepools;
    if (a->prev != nullptr) a->prev->next = a->next; else head[k] = a->next;
    if (a->next != nullptr) a->next->prev = a->prev;
    a->prev = a->next = nullptr;
    if (k != 0 && head[k] == nullptr) nonempty &= ~bit(k);
  }
  /// Moves a to the bucket for its new free-pool count.
  void set_free_count(ArenaRecord* a, unsigned nfree) noexcept {
    remove(a);
    a->nfreepools = nfree;
    insert(a);
  }
  ArenaRecord* fullest_usable() const noexcept {
    if (nonempty == 0) return nullptr;
    return head[std::countr_zero(nonempty) + 1];
  }
  ArenaRecord* reserve() const noexcept { return head[kPoolsPerArena]; }

  static std::uint64_t bit(unsigned k) noexcept { return std::uint64_t{1} << (k - 1); }
};

}  // namespace pyheap::alloc
