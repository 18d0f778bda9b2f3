// Fast paths of SmallObjectAllocator. Allocation: size -> class is a shift, the class's pool comes
// from the direct table, a pop from that pool's free list. Free: the pool's record is found by
// masking the address (no load), a push onto its free list, one test; a pool that was full goes
// back to the tail of its class's list, inline. Everything rarer (carving, a pool that emptied, a
// new pool, a large request) is a call.
#include <chrono>
#include <limits>
#include <new>

#include "alloc/allocator_state.hpp"
#include "pyheap/internal/check.hpp"
#include "pyheap/memory_limit.hpp"

namespace pyheap {

using alloc::class_block_size;
using alloc::class_index;
using alloc::FreeBlock;
using alloc::PoolRecord;

SmallObjectAllocator::SmallObjectAllocator()
    : state_(std::make_unique<detail::AllocatorState>(this)), hot_(state_.get()) {}

SmallObjectAllocator::~SmallObjectAllocator() = default;

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
  [[maybe_unused]] PoolRecord* pool = PoolRecord::of(p);  // for the checks
  PYHEAP_ASSERT(alloc::ArenaHeader::of(p)->owner == this);
  PYHEAP_ASSERT(reinterpret_cast<const void*>(pool) != alloc::ArenaHeader::of(p));  // not in pool 0
  PYHEAP_ASSERT((alloc::ArenaHeader::of(p)->free_mask & (std::uint64_t{1} << alloc::ArenaHeader::of(p)->pool_index(pool))) == 0);
  PYHEAP_ASSERT(pool->szidx == class_index(size));  // wrong size passed to deallocate
  PYHEAP_ASSERT(pool->is_block_start(p));
#if PYHEAP_ASAN
  PYHEAP_ASSERT(!__asan_address_is_poisoned(p));  // double free
#endif
  if (alloc::PoolHot* done = st.push_free(p, size)) [[unlikely]] st.finish_free(static_cast<PoolRecord*>(done));
}

void SmallObjectAllocator::finish_free(alloc::PoolHot* pool) noexcept {
  state_->finish_free(static_cast<PoolRecord*>(pool));
}

namespace detail {

void AllocatorState::finish_free(PoolRecord* pool) noexcept {
  const std::uint32_t count = pool->used;
  const std::size_t idx = pool->szidx;
  PoolRecord* head = used[pool->tag][idx];
  if ((count & PoolRecord::kFullBit) != 0 && head != nullptr && head->used != 0) {
    // It was full: back to the tail of its class's list. The pools ahead of it are used first, so
    // by the time it is the head it has collected the blocks freed meanwhile, and the head serves a
    // run of allocations from one pool (a queue; putting it first, or right behind the head, made
    // every allocation of the mixed benchmark start a new pool with one free block: 1.3x the time,
    // docs/performance.md). The head's `used` is 0 only when it is the empty only pool, which must
    // be retired first: deallocate_slow.
    pool->used = count & ~PoolRecord::kFullBit;
    PoolRecord*& last_slot = tail[pool->tag][idx];
    PoolRecord* last = last_slot;
    pool->prev = last;
    pool->next = nullptr;
    last->next = pool;
    last_slot = pool;
    return;
  }
  deallocate_slow(pool);
}

}  // namespace detail

// A run of k blocks of one pool. The first goes through deallocate(), which makes the only list
// move a pool can need before it is empty (a full pool rejoining its class's list); the other k-1
// cannot move it until the count reaches 0: nused() >= k - 1 after the first, since each block
// was in use. So they are pushed and counted at once, and deallocate_slow() runs for an emptied
// pool exactly as the last single free would have called it.
void SmallObjectAllocator::deallocate_batch(void* const* blocks, const std::size_t* sizes, std::size_t n) noexcept {
  detail::AllocatorState& st = *state_;
  std::size_t i = 0;
  while (i < n) {
    void* const first = blocks[i];
    deallocate(first, sizes[i]);
    ++i;
    if (sizes[i - 1] > kMaxSmallSize) continue;
    PoolRecord* const pool = PoolRecord::of(first);
    const std::size_t idx = pool->szidx;
    std::uint32_t k = 0;
    std::size_t requested = 0;
    FreeBlock* free = pool->free;
    for (; i < n && sizes[i] <= kMaxSmallSize && PoolRecord::of(blocks[i]) == pool; ++i, ++k) {
      void* p = blocks[i];
      PYHEAP_ASSERT(class_index(sizes[i]) == idx);  // wrong size passed
      PYHEAP_ASSERT(pool->is_block_start(p));
#if PYHEAP_ASAN
      PYHEAP_ASSERT(!__asan_address_is_poisoned(p));  // double free
#endif
      const std::size_t bs = class_block_size(idx);
      alloc::unpoison(p, bs);
      auto* f = static_cast<FreeBlock*>(p);
      f->next = free;
      free = f;
      alloc::poison(p, bs);
      requested += sizes[i];
    }
    if (k == 0) continue;
    pool->free = free;
    const std::size_t bytes = std::size_t{k} * class_block_size(idx);
    PYHEAP_ASSERT((pool->used & PoolRecord::kFullBit) == 0 && pool->used >= k);
    PYHEAP_ASSERT(st.classes.blocks[idx] >= k && st.classes.bytes_requested[idx] >= requested && st.held >= bytes);
    st.classes.blocks[idx] -= k;
    st.classes.bytes_requested[idx] -= requested;
    st.held -= bytes;
    pool->used -= k;
    if (pool->used == 0) st.deallocate_slow(pool);
  }
}

SmallObjectAllocator* SmallObjectAllocator::owner_of(const void* p, std::size_t size) noexcept {
  if (p == nullptr) return nullptr;
  if (size > kMaxSmallSize) return detail::AllocatorState::large_owner(p);
  return alloc::ArenaHeader::of(p)->owner;
}

void SmallObjectAllocator::fail_after(std::size_t n) noexcept { state_->arm_failure(n); }

void SmallObjectAllocator::set_memory_limit(std::size_t bytes) noexcept {
  state_->limit = bytes == 0 ? std::numeric_limits<std::size_t>::max() : bytes;
}

std::size_t SmallObjectAllocator::memory_limit() const noexcept {
  return state_->limit == std::numeric_limits<std::size_t>::max() ? 0 : state_->limit;
}

std::size_t SmallObjectAllocator::held_bytes() const noexcept { return state_->held; }

bool SmallObjectAllocator::is_valid(int level) const { return state_->valid(level); }

namespace detail {

PoolRecord AllocatorState::kNoPool{};

AllocatorState::AllocatorState(SmallObjectAllocator* owner) noexcept
    : self(owner),
      purge_delay(static_cast<std::uint64_t>(
          std::chrono::nanoseconds(SmallObjectAllocator::kDefaultPurgeDelay).count())) {
  for (auto& row : direct)
    for (alloc::PoolHot*& d : row) d = &kNoPool;
  read_clock();  // stamps before the first purge step count from here, not from the clock's epoch
}

// Both public entry points inline this one body, so a tag costs one index, no call. The common case
// is AllocatorHot::try_allocate, the same one the Heap's make inlines.
inline __attribute__((always_inline)) void* AllocatorState::allocate(std::size_t size, unsigned tag) {
  if (void* block = try_allocate(size, tag)) [[likely]] return block;
  if (size > SmallObjectAllocator::kMaxSmallSize) [[unlikely]] return allocate_large(size, tag);
  const std::size_t idx = class_index(size);
  if (held + class_block_size(idx) > limit) [[unlikely]] over_limit(size);  // before anything changes
  // The head ran out. Most often it is full and the next pool of the list has blocks (a pool
  // after the head always has: pool.hpp): detach the head here, no call, and pop from the next.
  // Anything else (carving, no next pool, kNoPool) is the slow path.
  auto* pool = static_cast<PoolRecord*>(direct[tag][idx]);
  PoolRecord* next = pool->next;
  if (next == nullptr || pool->ncarved != alloc::kClassCapacity[idx]) {
    return allocate_slow(size, tag);  // throws with nothing changed
  }
  PYHEAP_ASSERT(fail_countdown == 0 && pool == used[tag][idx] && next->free != nullptr);
  pool->used |= PoolRecord::kFullBit;
  pool->next = nullptr;
  next->prev = nullptr;
  used[tag][idx] = next;
  direct[tag][idx] = next;
  return try_allocate(size, tag);
}

void AllocatorState::set_head(unsigned tag, std::size_t idx, PoolRecord* pool) noexcept {
  used[tag][idx] = pool;
  if (fail_countdown == 0) direct[tag][idx] = pool != nullptr ? pool : &kNoPool;
}

// While a failure is armed every small allocation takes the slow path, which counts down; the
// fast path then has nothing to test.
void AllocatorState::arm_failure(std::size_t n) noexcept {
  fail_countdown = n;
  for (unsigned t = 0; t < alloc::kNumTags; ++t)
    for (std::size_t i = 0; i < alloc::kNumClasses; ++i)
      direct[t][i] = n != 0 || used[t][i] == nullptr ? &kNoPool : used[t][i];
}

void AllocatorState::over_limit(std::size_t size) const { throw MemoryLimitExceeded(limit, held, size); }

void AllocatorState::count_down_failure() {
  if (--fail_countdown != 0) return;
  arm_failure(0);
  ++injected_failures;
  throw std::bad_alloc();
}

}  // namespace detail
}  // namespace pyheap
