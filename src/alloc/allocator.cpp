// Fast paths of SmallObjectAllocator: size -> class is a shift, then a pop from the head
// pool of that class. Everything rarer (new pool, empty pool, large request) is a call.
#include <new>

#include "alloc/allocator_state.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap {

using alloc::class_block_size;
using alloc::class_index;
using alloc::PoolHeader;

SmallObjectAllocator::SmallObjectAllocator()
    : state_(std::make_unique<detail::AllocatorState>(this)) {}

SmallObjectAllocator::~SmallObjectAllocator() = default;

namespace {
// A full pool just got a block back: it returns to the front of its class's used list (reused
// first).
inline void relink_full_pool(detail::AllocatorState& st, PoolHeader* pool) noexcept {
  PoolHeader*& head = st.used[pool->tag][pool->szidx];
  pool->prev = nullptr;
  pool->next = head;
  if (pool->next != nullptr) pool->next->prev = pool;
  head = pool;
}
}  // namespace

void* SmallObjectAllocator::allocate(std::size_t size) { return state_->allocate(size, 0); }

void* SmallObjectAllocator::allocate_tagged(std::size_t size, unsigned tag) {
  PYHEAP_ASSERT(tag < kNumTags);
  return state_->allocate(size, tag);
}

void SmallObjectAllocator::deallocate(void* p, std::size_t size) noexcept {
  if (p == nullptr) return;
  detail::AllocatorState& st = *state_;
  if (size > kMaxSmallSize) [[unlikely]] {
    st.deallocate_large(p, size);
    return;
  }
  const std::size_t idx = class_index(size);
  PoolHeader* pool = PoolHeader::of(p);
  PYHEAP_ASSERT(pool->arena != nullptr && pool->arena->owner == this);
  PYHEAP_ASSERT(pool->szidx == idx);  // wrong size passed to deallocate
  PYHEAP_ASSERT(pool->is_block_start(p));
#if PYHEAP_ASAN
  PYHEAP_ASSERT(!__asan_address_is_poisoned(p));  // double free
#endif
  const bool was_full = pool->full();
  pool->push(p);
  detail::ClassCounters& c = st.classes[idx];
  PYHEAP_ASSERT(c.blocks > 0 && c.bytes_requested >= size);
  --c.blocks;
  c.bytes_requested -= size;
  if (was_full) [[unlikely]] {
    relink_full_pool(st, pool);
  } else if (pool->nused == 0) [[unlikely]] {
    st.release_pool(pool);
  }
}

void SmallObjectAllocator::deallocate_batch(void* const* blocks, const std::size_t* sizes, std::size_t n) noexcept {
  detail::AllocatorState& st = *state_;
  std::size_t i = 0;
  while (i < n) {
    if (sizes[i] > kMaxSmallSize) [[unlikely]] {
      st.deallocate_large(blocks[i], sizes[i]);
      ++i;
      continue;
    }
    PoolHeader* pool = PoolHeader::of(blocks[i]);
    const std::uintptr_t base = reinterpret_cast<std::uintptr_t>(pool->base());
    const std::size_t idx = pool->szidx;
    const bool was_full = pool->full();
    std::size_t count = 0, bytes = 0;
    do {
      void* p = blocks[i];
      PYHEAP_ASSERT(p != nullptr && pool->arena != nullptr && pool->arena->owner == this);
      PYHEAP_ASSERT(class_index(sizes[i]) == idx);  // wrong size
      PYHEAP_ASSERT(pool->is_block_start(p));
#if PYHEAP_ASAN
      PYHEAP_ASSERT(!__asan_address_is_poisoned(p));  // double free
#endif
      pool->push(p);
      ++count;
      bytes += sizes[i];
      ++i;
    } while (i < n && sizes[i] <= kMaxSmallSize && (reinterpret_cast<std::uintptr_t>(blocks[i]) & alloc::kPoolMask) == base);
    detail::ClassCounters& c = st.classes[idx];
    PYHEAP_ASSERT(c.blocks >= count && c.bytes_requested >= bytes);
    c.blocks -= count;
    c.bytes_requested -= bytes;
    if (was_full) relink_full_pool(st, pool);  // as deallocate does for the first block back
    if (pool->nused == 0) st.release_pool(pool);
  }
}

SmallObjectAllocator* SmallObjectAllocator::owner_of(const void* p, std::size_t size) noexcept {
  if (p == nullptr) return nullptr;
  if (size > kMaxSmallSize) return detail::AllocatorState::large_owner(p);
  return PoolHeader::of(p)->arena->owner;
}

void SmallObjectAllocator::fail_after(std::size_t n) noexcept { state_->fail_countdown = n; }

void SmallObjectAllocator::trim() noexcept { state_->trim(); }

void SmallObjectAllocator::hold_empty_pools(bool on) noexcept {
  state_->hold_empty_pools = on;
  if (!on) state_->enforce_empty_pool_cache();
}

void SmallObjectAllocator::set_max_cached_empty_pools(std::size_t n) noexcept {
  state_->max_cached_empty_pools = n;
  state_->enforce_empty_pool_cache();
}

bool SmallObjectAllocator::is_valid(int level) const { return state_->valid(level); }

namespace detail {

// Both public entry points inline this one body, so a tag costs one index, no call.
inline __attribute__((always_inline)) void* AllocatorState::allocate(std::size_t size, unsigned tag) {
  if (fail_countdown != 0) [[unlikely]] {
    if (--fail_countdown == 0) injected_failure();
  }
  if (size > SmallObjectAllocator::kMaxSmallSize) [[unlikely]] return allocate_large(size, tag);

  const std::size_t idx = class_index(size);
  PoolHeader*& head = used[tag][idx];
  PoolHeader* pool = head;
  const bool fresh_pool = pool == nullptr;
  if (fresh_pool) [[unlikely]] pool = new_pool(idx, tag);
  void* block = pool->pop();
  if (pool->full()) [[unlikely]] {  // leaves the used list until a block comes back
    head = pool->next;
    if (pool->next != nullptr) pool->next->prev = nullptr;
    pool->next = nullptr;
  }
  ClassCounters& c = classes[idx];
  ++c.blocks;
  c.bytes_requested += size;
#if PYHEAP_ASAN
  alloc::poison(block, class_block_size(idx));
  alloc::unpoison(block, size == 0 ? 1 : size);
#endif
  if constexpr (kDebugLevel >= 2) {
    if (fresh_pool) debug_check();
  }
  return block;
}

void AllocatorState::injected_failure() { throw std::bad_alloc(); }

}  // namespace detail
}  // namespace pyheap
