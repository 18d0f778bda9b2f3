// Fast paths of SmallObjectAllocator: size -> class is a shift, then a pop from the head
// pool of that class. Everything rarer (new pool, empty pool, large request) is a call.
#include <new>

#include "alloc/allocator_state.hpp"
#include "pyheap/internal/check.hpp"
#include "pyheap/memory_limit.hpp"

namespace pyheap {

using alloc::class_block_size;
using alloc::class_index;
using alloc::PoolHeader;

SmallObjectAllocator::SmallObjectAllocator()
    : state_(std::make_unique<detail::AllocatorState>(this)) {}

SmallObjectAllocator::~SmallObjectAllocator() = default;

void* SmallObjectAllocator::allocate(std::size_t size) { return state_->allocate(size, 0); }

void* SmallObjectAllocator::allocate_tagged(std::size_t size, unsigned tag) {
  PYHEAP_ASSERT(tag < kMaxTags);
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
  PYHEAP_ASSERT(st.held >= class_block_size(idx));
  st.held -= class_block_size(idx);
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
  if (was_full) [[unlikely]] {  // back to the front of its class: reused first
    PoolHeader*& head = st.head(pool->tag, idx);
    pool->prev = nullptr;
    pool->next = head;
    if (pool->next != nullptr) pool->next->prev = pool;
    head = pool;
  } else if (pool->nused == 0) [[unlikely]] {
    st.release_pool(pool);
  }
}

SmallObjectAllocator* SmallObjectAllocator::owner_of(const void* p, std::size_t size) noexcept {
  if (p == nullptr) return nullptr;
  if (size > kMaxSmallSize) return detail::AllocatorState::large_owner(p);
  return PoolHeader::of(p)->arena->owner;
}

void SmallObjectAllocator::fail_after(std::size_t n) noexcept { state_->fail_countdown = n; }

void SmallObjectAllocator::set_memory_limit(std::size_t bytes) noexcept {
  state_->limit = bytes == 0 ? std::numeric_limits<std::size_t>::max() : bytes;
}

std::size_t SmallObjectAllocator::memory_limit() const noexcept {
  return state_->limit == std::numeric_limits<std::size_t>::max() ? 0 : state_->limit;
}

std::size_t SmallObjectAllocator::held_bytes() const noexcept { return state_->held; }

void SmallObjectAllocator::trim() noexcept { state_->trim(); }

void SmallObjectAllocator::set_max_cached_empty_pools(std::size_t n) noexcept {
  state_->max_cached_empty_pools = n;
  state_->enforce_empty_pool_cache();
}

bool SmallObjectAllocator::is_valid(int level) const { return state_->valid(level); }

namespace detail {

// Both public entry points inline this one body, so a tag costs one index, no call; a rare tag
// one compare more (allocate's constant tag 0 folds it away).
inline __attribute__((always_inline)) void* AllocatorState::allocate(std::size_t size, unsigned tag) {
  if (fail_countdown != 0) [[unlikely]] {
    if (--fail_countdown == 0) injected_failure();
  }
  if (size > SmallObjectAllocator::kMaxSmallSize) [[unlikely]] return allocate_large(size, tag);
  if (tag >= alloc::kNumTags) [[unlikely]] return allocate_rare_tag(size, tag);
  const std::size_t idx = class_index(size);
  return take_block(used[tag][idx], idx, size, tag);
}

// A block from the used list `head` (of class idx and tag `tag`), or from a new pool.
inline __attribute__((always_inline)) void* AllocatorState::take_block(PoolHeader*& head, std::size_t idx,
                                                                       std::size_t size, unsigned tag) {
  const std::size_t bs = class_block_size(idx);
  if (held + bs > limit) [[unlikely]] over_limit(size);  // before anything changes
  PoolHeader* pool = head;
  const bool fresh_pool = pool == nullptr;
  if (fresh_pool) [[unlikely]] pool = new_pool(idx, tag);
  void* block = pool->pop();
  if (pool->full()) [[unlikely]] {  // leaves the used list until a block comes back
    head = pool->next;
    if (pool->next != nullptr) pool->next->prev = nullptr;
    pool->next = nullptr;
  }
  held += bs;
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

// A small block of a tag without a row in `used`: its row is made on first use (throws
// std::bad_alloc with nothing changed), then the same path as the fast one.
void* AllocatorState::allocate_rare_tag(std::size_t size, unsigned tag) {
  PYHEAP_CHECK(tag < SmallObjectAllocator::kMaxSmallTags, "allocator tag %u is too large for a small block", tag);
  const std::size_t row = tag - alloc::kNumTags;
  if (row >= rare_used.size()) rare_used.resize(row + 1);  // new rows are zero: empty lists
  const std::size_t idx = class_index(size);
  return take_block(rare_used[row][idx], idx, size, tag);
}

void AllocatorState::injected_failure() { throw std::bad_alloc(); }

void AllocatorState::over_limit(std::size_t size) const { throw MemoryLimitExceeded(limit, held, size); }

}  // namespace detail
}  // namespace pyheap
