// Arenas: kArenaSize-aligned mappings of kPoolsPerArena pools. Pool 0 holds the ArenaHeader (the
// arena's fields and the records of its pools), so a block's arena, owner and pool record are all
// found from the block's address alone (mask and shift, size_class.hpp); the other 63 pools hold
// blocks. The bucket index finds the fullest arena with a free pool in O(1).
//
//   arena base                    + c * 2048 (c = address bits 20..22)
//   | pool 0: ... | ArenaLinks | ArenaHeader: slot 0 the arena's fields, slots 1..63 the records | ...
//   | pool 1 | pool 2 | ... | pool 63 |
//
// The header (2 KiB) and its ArenaLinks (the fields only slow paths use) share one 4 KiB page:
// the links are at header ^ 2048, the other half of the page. That page is the only one ever
// touched in pool 0: the rest of pool 0 is address space, not memory.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "alloc/pool.hpp"
#include "alloc/size_class.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap::alloc {

struct ArenaHeader;

// The arena's cold fields: bucket list links and the purge step's batch.
struct ArenaLinks {
  ArenaHeader* prev = nullptr;  // bucket list
  ArenaHeader* next = nullptr;
  ArenaHeader* purge_next = nullptr;  // the arenas of the purge step in progress
  std::uint64_t purge_mask = 0;       // pools the purge step in progress decommits
};

// Invariants (bit i of a mask stands for pool i; bit 0, the header, is clear in every mask):
//   this == base() + arena_header_offset(base()),  base() % kArenaSize == 0
//   the arena sits in bucket[nfreepools()] of its allocator's ArenaBuckets
//   ~free_mask & kUsableMask ⊆ committed_mask        (a used pool is committed)
//   released_mask ⊆ free_mask,  released_mask ∩ committed_mask == ∅
//   free_mask ∩ committed_mask == this arena's pools in the allocator's retired FIFO
//   free_mask \ (committed_mask ∪ released_mask) == pools never touched since mapping
//   links().purge_mask == 0 and links().purge_next == nullptr outside a purge step
struct ArenaHeader {
  // Slot 0: the fields. owner first: owner_of() reads it on every object release.
  SmallObjectAllocator* owner;
  std::uint64_t free_mask;       // pools with no block assigned (retired, decommitted or untouched)
  std::uint64_t committed_mask;  // pools whose pages may be resident (used or retired)
  std::uint64_t released_mask;   // pools decommitted by a purge and not used since
  PoolRecord records[kUsablePools];  // slots 1..63: the record of pool i is records[i - 1]

  explicit ArenaHeader(SmallObjectAllocator* allocator) noexcept
      : owner(allocator), free_mask(kUsableMask), committed_mask(0), released_mask(0), records{} {
    ::new (static_cast<void*>(&links())) ArenaLinks();
  }

  /// The header of the arena holding p (any address inside the arena).
  static ArenaHeader* of(const void* p) noexcept {
    const std::uintptr_t arena = reinterpret_cast<std::uintptr_t>(p) & kArenaMask;
    return reinterpret_cast<ArenaHeader*>(arena + arena_header_offset(arena));
  }
  std::uintptr_t base() const noexcept { return reinterpret_cast<std::uintptr_t>(this) & kArenaMask; }
  ArenaLinks& links() const noexcept {
    return *reinterpret_cast<ArenaLinks*>(reinterpret_cast<std::uintptr_t>(this) ^ kArenaHeaderSize);
  }
  PoolRecord* pool(unsigned i) noexcept { return &records[i - 1]; }
  const PoolRecord* pool(unsigned i) const noexcept { return &records[i - 1]; }
  char* pool_address(unsigned i) const noexcept {
    return reinterpret_cast<char*>(base() + std::size_t{i} * kPoolSize);
  }
  unsigned pool_index(const PoolRecord* r) const noexcept { return static_cast<unsigned>(r - records) + 1; }
  unsigned nfreepools() const noexcept { return static_cast<unsigned>(std::popcount(free_mask)); }
  bool empty() const noexcept { return free_mask == kUsableMask; }
  std::uint64_t retired_mask() const noexcept { return free_mask & committed_mask; }
};

// Slot 0 holds the fields, PoolRecord::of assumes it: 32 bytes of fields, then 63 records of 32 with
// no room for padding (the size check below). Not offsetof: PoolRecord derives from PoolHot, which
// makes ArenaHeader a non-standard-layout type.
static_assert(sizeof(SmallObjectAllocator*) + 3 * sizeof(std::uint64_t) == kRecordSize && alignof(PoolRecord) <= kRecordSize,
              "slot 0 holds the fields, PoolRecord::of assumes it");
static_assert(sizeof(ArenaHeader) == kArenaHeaderSize);
static_assert(sizeof(ArenaLinks) <= kArenaHeaderSize);

// The usable-arenas index: bucket k lists the arenas with exactly k free pools (k = 0..63;
// bucket 0 holds the full arenas, bucket 63 the completely free ones).
// Invariant: for k in 1..63, bit k-1 of `nonempty` == (head[k] != nullptr).
// fullest_usable() = head of the lowest non-empty bucket >= 1: one count-trailing-zeros.
struct ArenaBuckets {
  ArenaHeader* head[kUsablePools + 1] = {};
  std::uint64_t nonempty = 0;

  void insert(ArenaHeader* a) noexcept {
    const unsigned k = a->nfreepools();
    ArenaLinks& l = a->links();
    l.prev = nullptr;
    l.next = head[k];
    if (head[k] != nullptr) head[k]->links().prev = a;
    head[k] = a;
    if (k != 0) nonempty |= bit(k);
  }
  /// Unlinks a from bucket k (its free-pool count when it was inserted).
  void remove(ArenaHeader* a, unsigned k) noexcept {
    ArenaLinks& l = a->links();
    if (l.prev != nullptr) l.prev->links().next = l.next; else head[k] = l.next;
    if (l.next != nullptr) l.next->links().prev = l.prev;
    l.prev = l.next = nullptr;
    if (k != 0 && head[k] == nullptr) nonempty &= ~bit(k);
  }
  /// Sets a's free mask, moving a to the bucket for its new free-pool count.
  void set_free_mask(ArenaHeader* a, std::uint64_t mask) noexcept {
    remove(a, a->nfreepools());
    a->free_mask = mask;
    insert(a);
  }
  ArenaHeader* fullest_usable() const noexcept {
    if (nonempty == 0) return nullptr;
    return head[std::countr_zero(nonempty) + 1];
  }

  static std::uint64_t bit(unsigned k) noexcept { return std::uint64_t{1} << (k - 1); }
};

}  // namespace pyheap::alloc
