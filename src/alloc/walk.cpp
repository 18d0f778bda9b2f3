// for_each_block / for_each_block_from / count_blocks: read-only walks of the live blocks of one
// tag, or of every tag from one on.
//
// Small blocks: every used pool of the tag (a set bit of ~free_mask in some arena), and in it
// every carved block (below the bump pointer) that is not on the pool's free list. Large blocks:
// the `large` list. Nothing is written, so the fast paths pay nothing for the walk's existence;
// the price is the walk itself, O(pools + blocks) of the tag's size classes.
#include <bit>
#include <bitset>

#include "alloc/allocator_state.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap {

using namespace alloc;

namespace {
constexpr std::size_t kMaxCapacity = class_capacity(0);

// Calls fn(pool) for every used pool whose tag passes keep(tag).
template <class Keep, class Fn>
void for_each_used_pool(const detail::AllocatorState& st, Keep&& keep, Fn&& fn) {
  for (unsigned k = 0; k <= kPoolsPerArena; ++k) {
    for (const ArenaRecord* a = st.arenas.head[k]; a != nullptr; a = a->next) {
      for (std::uint64_t m = ~a->free_mask; m != 0; m &= m - 1) {
        auto* pool = PoolHeader::at(a->pool_address(static_cast<unsigned>(std::countr_zero(m))));
        if (keep(pool->tag)) fn(pool);
      }
    }
  }
}

// Calls fn(block, block_size) for every live block of the pool: the carved ones (below the bump
// pointer) that are not on its free list.
template <class Fn>
void for_each_live_block(PoolHeader* pool, Fn&& fn) {
  std::bitset<kMaxCapacity> is_free;
  const std::size_t bs = pool->block_size();
  for (FreeBlock* f = pool->freelist; f != nullptr;) {
    is_free.set(static_cast<std::size_t>(reinterpret_cast<char*>(f) - pool->first_block()) / bs);
    unpoison(f, sizeof(FreeBlock));  // free blocks are poisoned under ASan
    FreeBlock* next = f->next;
    poison(f, sizeof(FreeBlock));
    f = next;
  }
  PYHEAP_ASSERT(pool->ncarved - is_free.count() == pool->nused);
  for (std::size_t i = 0; i < pool->ncarved; ++i) {
    if (!is_free.test(i)) fn(pool->first_block() + i * bs, bs);
  }
}
}  // namespace

void SmallObjectAllocator::for_each_block(unsigned tag, BlockVisitor fn, void* context) const {
  PYHEAP_ASSERT(tag < kMaxTags);
  const detail::AllocatorState& st = *state_;
  for_each_used_pool(
      st, [tag](unsigned t) { return t == tag; },
      [&](PoolHeader* pool) { for_each_live_block(pool, [&](void* b, std::size_t bs) { fn(b, bs, context); }); });
  for (LargeHeader* h = st.large; h != nullptr; h = h->next) {
    if (h->tag == tag) fn(h->user(), h->size, context);
  }
}

void SmallObjectAllocator::for_each_block_from(unsigned first_tag, TaggedBlockVisitor fn, void* context) const {
  const detail::AllocatorState& st = *state_;
  // Blocks of a rare tag exist only if a rare row was made or a large block has one: a heap of
  // ordinary objects pays nothing for this walk.
  if (first_tag >= kNumTags && st.rare_used.empty() && st.large_rare == 0) return;
  for_each_used_pool(
      st, [first_tag](unsigned t) { return t >= first_tag; },
      [&](PoolHeader* pool) {
        const unsigned tag = pool->tag;
        for_each_live_block(pool, [&](void* b, std::size_t bs) { fn(b, bs, tag, context); });
      });
  for (LargeHeader* h = st.large; h != nullptr; h = h->next) {
    if (h->tag >= first_tag) fn(h->user(), h->size, static_cast<unsigned>(h->tag), context);
  }
}

std::size_t SmallObjectAllocator::count_blocks(unsigned tag) const noexcept {
  PYHEAP_ASSERT(tag < kMaxTags);
  const detail::AllocatorState& st = *state_;
  std::size_t n = 0;
  if (tag < kNumTags) {
    n = st.large_tagged[tag];
  } else {
    for (const LargeHeader* h = st.large; h != nullptr; h = h->next) n += h->tag == tag;
  }
  for_each_used_pool(
      st, [tag](unsigned t) { return t == tag; }, [&](PoolHeader* pool) { n += pool->nused; });
  return n;
}

}  // namespace pyheap
