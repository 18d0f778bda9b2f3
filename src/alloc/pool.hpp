// A pool: one kPoolSize-aligned chunk of an arena holding blocks of a single size class.
//
//   pool address                                                          pool + kPoolSize
//   | header area (512): PoolHeader at one of 8 line offsets | block 0 | block 1 | ... |
//                                                             ^ first_block()
//   bump pointer = first_block() + ncarved*bs; blocks beyond it were never carved.
//
// Free blocks are threaded through their first 8 bytes (FreeBlock::next). Blocks beyond the
// bump pointer were never handed out; they are carved lazily so that a fresh (or madvised)
// pool only touches the pages it actually uses.
#pragma once

#include <cstddef>
#include <cstdint>

#include "alloc/sanitizer.hpp"
#include "alloc/size_class.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap::alloc {

struct ArenaRecord;

struct FreeBlock {
  FreeBlock* next;
};

// Invariants of a pool assigned to a size class (a "used" pool):
//   nfree + nused == capacity,  nfree = length(freelist) + (capacity - ncarved)
//   1 <= nused <= capacity,     ncarved <= capacity
//   nused < capacity  <=>  the pool is linked in the used list of its class (next/prev)
//   every free-list block is a block boundary below the bump pointer, listed once
// An empty pool (nused == 0) that is still committed is linked in the empty-pool FIFO
// through the same next/prev fields; a decommitted pool has no valid header at all.
struct PoolHeader {
  FreeBlock* freelist;
  PoolHeader* next;
  PoolHeader* prev;
  ArenaRecord* arena;
  std::uint16_t nused;
  std::uint16_t ncarved;
  std::uint16_t capacity;
  std::uint8_t szidx;
  std::uint8_t tag;  // the tag of every block of this pool (small_object_allocator.hpp)

  /// The header of the pool starting at `pool` (kPoolSize-aligned).
  static PoolHeader* at(const void* pool) noexcept {
    const auto base = reinterpret_cast<std::uintptr_t>(pool);
    PYHEAP_ASSERT((base & ~kPoolMask) == 0);
    return reinterpret_cast<PoolHeader*>(base + pool_header_offset(base));
  }
  /// The header of the pool holding `block` (any address inside the pool).
  static PoolHeader* of(const void* block) noexcept {
    return at(reinterpret_cast<const void*>(reinterpret_cast<std::uintptr_t>(block) & kPoolMask));
  }
  /// The pool's first byte (the header is not there in general).
  char* base() const noexcept {
    return reinterpret_cast<char*>(reinterpret_cast<std::uintptr_t>(this) & kPoolMask);
  }
  char* first_block() noexcept { return base() + kPoolHeaderSize; }
  const char* first_block() const noexcept { return base() + kPoolHeaderSize; }
  std::size_t block_size() const noexcept { return class_block_size(szidx); }
  bool full() const noexcept { return nused == capacity; }

  /// (Re)initialises the header of a pool taken for class idx. The pool's memory may be
  /// fresh, madvised (zeroes) or stale from an earlier use: nothing of it is trusted.
  void init(ArenaRecord* owner_arena, std::size_t idx, unsigned block_tag) noexcept {
    unpoison(this, sizeof(PoolHeader));
    freelist = nullptr;
    next = prev = nullptr;
    arena = owner_arena;
    nused = 0;
    ncarved = 0;
    capacity = static_cast<std::uint16_t>(class_capacity(idx));
    szidx = static_cast<std::uint8_t>(idx);
    tag = static_cast<std::uint8_t>(block_tag);
    poison(first_block(), kPoolSize - kPoolHeaderSize);
  }

  /// Takes one block. Precondition: !full().
  void* pop() noexcept {
    PYHEAP_ASSERT(nused < capacity);
    void* b;
    if (freelist != nullptr) {
      FreeBlock* f = freelist;
      unpoison(f, sizeof(FreeBlock));
      freelist = f->next;
      b = f;
    } else {
      PYHEAP_ASSERT(ncarved < capacity);
      b = first_block() + std::size_t{ncarved} * block_size();
      ++ncarved;
    }
    ++nused;
    return b;
  }

  /// Returns one block. Precondition: it is a live block of this pool.
  void push(void* b) noexcept {
    PYHEAP_ASSERT(nused > 0);
    const std::size_t bs = block_size();
    unpoison(b, bs);
    auto* f = static_cast<FreeBlock*>(b);
    f->next = freelist;
    freelist = f;
    poison(b, bs);
    --nused;
  }

  /// True if p is the start of a carved block of this pool.
  bool is_block_start(const void* p) const noexcept {
    const auto off = reinterpret_cast<const char*>(p) - first_block();
    return off >= 0 && static_cast<std::size_t>(off) % block_size() == 0 &&
           static_cast<std::size_t>(off) / block_size() < ncarved;
  }
};

static_assert(sizeof(PoolHeader) <= kCacheLine, "a header fits in the line its offset gives it");
static_assert(class_capacity(kNumClasses - 1) > 1, "a pool must hold two blocks");

/// Doubly-linked list of pools through PoolHeader::next/prev (the empty-pool FIFO):
/// push at the tail, pop the oldest at the head, unlink anywhere in O(1).
/// Invariant: count == number of pools reachable from head.
struct PoolFifo {
  PoolHeader* head = nullptr;
  PoolHeader* tail = nullptr;
  std::size_t count = 0;

  void push_back(PoolHeader* p) noexcept {
    p->next = nullptr;
    p->prev = tail;
    if (tail != nullptr) tail->next = p; else head = p;
    tail = p;
    ++count;
  }
  void unlink(PoolHeader* p) noexcept {
    PYHEAP_ASSERT(count > 0);
    if (p->prev != nullptr) p->prev->next = p->next; else head = p->next;
    if (p->next != nullptr) p->next->prev = p->prev; else tail = p->prev;
    p->next = p->prev = nullptr;
    --count;
  }
};

}  // namespace pyheap::alloc
