// A pool: one kPoolSize-aligned chunk of an arena holding blocks of a single size class, and
// its PoolRecord, which lives apart from it in the arena's header (arena.hpp).
//
//   pool address                                                          pool + kPoolSize
//   | block 0 | block 1 | ... | block ncarved-1 | never carved ...                         |
//
// Why the record is not in the pool: a free must reach the record of its block's pool. Records
// inside the pools sit 16 KiB apart, one cache line each, so a program freeing across a large heap
// misses on a far line per free; packed two to a line at the start of each 1 MiB arena, the
// records of a 100 MiB heap take 200 KiB and stay in the L2 cache (docs/design.md section 1).
//
// Free blocks are threaded through their first 8 bytes (FreeBlock::next). Blocks past ncarved
// were never handed out; carve() threads them onto the free list one OS page at a time, so that a
// fresh (or purged) pool only touches the pages it uses.
#pragma once

#include <cstddef>
#include <cstdint>

#include "alloc/sanitizer.hpp"
#include "alloc/size_class.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap::alloc {

// The record of one pool. A pool is in exactly one of these states (its arena's masks say which):
//   used     assigned to a (size class, tag): in the class's list, or full and out of it;
//   retired  empty, pages still committed, in the allocator's retired FIFO (reusable by any class
//            until the purge rule decommits it);
//   decommitted (purged) or untouched: nothing resident, the record holds nothing.
//
// Invariants of a used pool:
//   nused() + length(free) + (capacity() - ncarved) == capacity()
//   0 <= nused() <= capacity(),  ncarved <= capacity()
//   every free-list block is a block boundary below ncarved, listed once
//   full_and_detached()  <=>  not linked in its class list; then nused() == capacity() and
//                             free == nullptr and ncarved == capacity()
//   linked in its class list and not the list's head  =>  1 <= nused() < capacity(),
//       ncarved == capacity() and free != nullptr (only the head is allocated from or carved;
//       the others came back, full, with a freed block, at the list's tail)
//   nused() == 0  =>  the pool is its class list's only pool (kept for the next allocation)
// A retired pool: nused() == 0 and retired_at holds when it was retired (the FIFO is in that order).
// The first half (PoolHot, pyheap/internal/alloc_fast.hpp, which the Heap's inline make and release
// use) holds:
//   free / retired_at  used: the next block to hand out (LIFO), nullptr: carve or move on;
//                      retired: the allocator's coarse clock (ns) when it was retired
//   used               blocks in use, plus kFullBit while the pool is full and out of its class
//                      list. One word for both so that a free tests one condition:
//                      (int32)(used - 1) <= 0 catches "was full" (the bit makes it negative) and
//                      "now empty" (zero) at once.
//   ncarved            blocks threaded onto the free list so far (from the pool's start)
//   szidx, tag         the size class, and the tag of every block of this pool
//                      (small_object_allocator.hpp)
struct PoolRecord : PoolHot {
  PoolRecord* next;  // class list, or the retired FIFO
  PoolRecord* prev;

  std::uint32_t nused() const noexcept { return used & ~kFullBit; }
  bool full_and_detached() const noexcept { return (used & kFullBit) != 0; }
  std::size_t block_size() const noexcept { return class_block_size(szidx); }
  std::size_t capacity() const noexcept { return class_capacity(szidx); }

  /// The first byte of this record's pool. The record of pool i is slot i of its arena's header,
  /// which is 2048-aligned (size_class.hpp): its address bits 5..10 are i.
  char* base() const noexcept {
    const auto self = reinterpret_cast<std::uintptr_t>(this);
    const std::uintptr_t index = (self / kRecordSize) & (kPoolsPerArena - 1);
    return reinterpret_cast<char*>((self & kArenaMask) + index * kPoolSize);
  }
  /// The record of the pool holding `p` (any address inside a pool of an arena): one shift, one
  /// mask, no load (size_class.hpp).
  static PoolRecord* of(const void* p) noexcept { return static_cast<PoolRecord*>(PoolHot::of(p)); }

  /// (Re)initialises the record of a pool taken for class idx. The pool's memory may be fresh,
  /// purged (zeroes) or stale from an earlier use: nothing of it is trusted.
  void init(std::size_t idx, unsigned block_tag) noexcept {
    free = nullptr;
    used = 0;
    ncarved = 0;
    szidx = static_cast<std::uint8_t>(idx);
    tag = static_cast<std::uint8_t>(block_tag);
    next = prev = nullptr;
    poison(base(), kPoolSize);
  }

  /// Threads the next page's worth of never-used blocks (at least one) onto the free list.
  /// Precondition: free == nullptr, ncarved < capacity().
  void carve() noexcept {
    PYHEAP_ASSERT(free == nullptr && ncarved < capacity());
    const std::size_t bs = block_size();
    char* const pool = base();
    char* first = pool + std::size_t{ncarved} * bs;
    // Blocks starting before the end of the page `first` is in; the last may run into the next.
    const std::size_t page_end = (static_cast<std::size_t>(first - pool) / kCarvePage + 1) * kCarvePage;
    std::size_t n = (page_end - static_cast<std::size_t>(first - pool) + bs - 1) / bs;
    if (n > capacity() - ncarved) n = capacity() - ncarved;
    char* b = first;
    for (std::size_t k = 1; k < n; ++k, b += bs) link(b, b + bs);
    link(b, nullptr);
    ncarved = static_cast<std::uint16_t>(ncarved + n);
    free = reinterpret_cast<FreeBlock*>(first);
  }

  /// True if p is the start of a carved block of this pool.
  bool is_block_start(const void* p) const noexcept {
    const auto off = reinterpret_cast<const char*>(p) - base();
    return off >= 0 && static_cast<std::size_t>(off) % block_size() == 0 &&
           static_cast<std::size_t>(off) / block_size() < ncarved;
  }
  /// Index of the block at p (a block start of this pool).
  std::size_t block_index(const void* p) const noexcept {
    return static_cast<std::size_t>(reinterpret_cast<const char*>(p) - base()) / block_size();
  }

 private:
  static void link(char* block, char* next_block) noexcept {
    unpoison(block, sizeof(FreeBlock));
    reinterpret_cast<FreeBlock*>(block)->next = reinterpret_cast<FreeBlock*>(next_block);
    poison(block, sizeof(FreeBlock));
  }
};

static_assert(sizeof(PoolRecord) == kRecordSize, "two records per cache line");

/// Doubly-linked list of pool records through next/prev: the retired FIFO (push at the tail,
/// pop the oldest at the head, unlink anywhere in O(1)).
/// Invariant: count == number of records reachable from head; tail is the last of them.
struct PoolFifo {
  PoolRecord* head = nullptr;
  PoolRecord* tail = nullptr;
  std::size_t count = 0;

  void push_back(PoolRecord* p) noexcept {
    p->next = nullptr;
    p->prev = tail;
    if (tail != nullptr) tail->next = p; else head = p;
    tail = p;
    ++count;
  }
  void unlink(PoolRecord* p) noexcept {
    PYHEAP_ASSERT(count > 0);
    if (p->prev != nullptr) p->prev->next = p->next; else head = p->next;
    if (p->next != nullptr) p->next->prev = p->prev; else tail = p->prev;
    p->next = p->prev = nullptr;
    --count;
  }
};

}  // namespace pyheap::alloc
