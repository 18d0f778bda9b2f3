// for_each_block / count_blocks: a read-only walk of the live blocks of one tag.
//
// Small blocks: every used pool of the tag (a clear usable bit of free_mask in some arena), and in it
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

template <class Fn>
void for_each_tagged_pool(const detail::AllocatorState& st, unsigned tag, Fn&& fn) {
  for (unsigned k = 0; k <= kUsablePools; ++k) {
    for (ArenaHeader* a = st.arenas.head[k]; a != nullptr; a = a->links().next) {
      for (std::uint64_t m = ~a->free_mask & kUsableMask; m != 0; m &= m - 1) {
        PoolRecord* pool = a->pool(static_cast<unsigned>(std::countr_zero(m)));
        if (pool->tag == tag) fn(pool);
      }
    }
  }
}
}  // namespace

void SmallObjectAllocator::for_each_block(unsigned tag, BlockVisitor fn, void* context) const {
  PYHEAP_ASSERT(tag < kNumTags);
  const detail::AllocatorState& st = *state_;
  for_each_tagged_pool(st, tag, [&](PoolRecord* pool) {
    std::bitset<kMaxCapacity> is_free;
    const std::size_t bs = pool->block_size();
    for (FreeBlock* f = pool->free; f != nullptr;) {
      is_free.set(pool->block_index(f));
      unpoison(f, sizeof(FreeBlock));  // free blocks are poisoned under ASan
      FreeBlock* next = f->next;
      poison(f, sizeof(FreeBlock));
      f = next;
    }
    PYHEAP_ASSERT(pool->ncarved - is_free.count() == pool->nused());
    for (std::size_t i = 0; i < pool->ncarved; ++i) {
      if (!is_free.test(i)) fn(pool->base() + i * bs, bs, context);
    }
  });
  for (LargeHeader* h = st.large; h != nullptr; h = h->next) {
    if (h->tag == tag) fn(h->user(), h->size, context);
  }
}

std::size_t SmallObjectAllocator::count_blocks(unsigned tag) const noexcept {
  PYHEAP_ASSERT(tag < kNumTags);
  const detail::AllocatorState& st = *state_;
  std::size_t n = st.large_tagged[tag];
  for_each_tagged_pool(st, tag, [&](PoolRecord* pool) { n += pool->nused(); });
  return n;
}

}  // namespace pyheap
