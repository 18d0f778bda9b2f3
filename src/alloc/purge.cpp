// Giving memory back to the OS: the purge rule.
//
// A pool that empties is retired (pools.cpp): it keeps its pages, joins the retired FIFO with the
// time it was retired, and any class may take it back at no cost. A *purge step* decommits, with
// madvise(MADV_DONTNEED), the retired pools that have waited purge_delay (default 100 ms) or more,
// and the heads of class lists that have stayed empty as long; contiguous pools of one arena go in
// one call. An arena left with nothing used or committed is unmapped, except one kept (decommitted)
// as the reserve, so that a program working at an arena boundary does not mmap/munmap each time.
//
// When a purge step runs (a single-threaded heap has no thread to run it on a timer):
//   * at an allocation's slow path, once every 64 slow-path events (a carve, a pool taken or
//     detached, a pool retired), when something is retired; if the step ran out of its budget
//     (kActivityBudget pools), at the next slow path again;
//   * at the end of every collection (Collector, src/gc/collector.cpp): a young collection runs
//     the delayed step, a full collection purges everything retired, whatever its age;
//   * SmallObjectAllocator::purge_expired() / Heap::idle(): the delayed step; it returns how long
//     until the next retired pool is due, for an event loop's timeout;
//   * purge() and trim(): everything, now (trim also unmaps the reserve).
// Never inside deallocate(): a free only links blocks and lists.
//
// Worst case: memory freed and then left alone (no allocation slow path, no collection, no
// purge_expired() call) stays resident, bounded by the peak. A program that allocates again, or
// collects, gets it back at the first of those events after the delay. Time stamps come from a
// coarse clock read at each step (not at each retirement), so a pool may be purged earlier than
// its delay after a long quiet spell, never later than the first step after it.
#include <bit>
#include <chrono>
#include <limits>

#include "alloc/allocator_state.hpp"
#include "alloc/os_pages.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap {

using alloc::ArenaHeader;
using alloc::ArenaLinks;
using alloc::kArenaSize;
using alloc::kPoolSize;
using alloc::PoolRecord;

namespace {
// Pools an activity step may decommit (16 MiB): a step inside an allocation stays short; the
// rest waits for the next slow path.
constexpr std::size_t kActivityBudget = 1024;
constexpr std::size_t kNoBudget = std::numeric_limits<std::size_t>::max();
constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

std::chrono::nanoseconds as_duration(std::uint64_t ns) {
  if (ns >= static_cast<std::uint64_t>(std::chrono::nanoseconds::max().count()))
    return std::chrono::nanoseconds::max();
  return std::chrono::nanoseconds(static_cast<std::chrono::nanoseconds::rep>(ns));
}
}  // namespace

void SmallObjectAllocator::trim() noexcept { state_->trim(); }

void SmallObjectAllocator::purge() noexcept {
  detail::AllocatorState& st = *state_;
  st.purge_step(st.read_clock(), true, kNoBudget);
  st.debug_check();
}

std::chrono::nanoseconds SmallObjectAllocator::purge_expired() noexcept {
  detail::AllocatorState& st = *state_;
  if (st.retired.count == 0 && st.empty_heads[0] == 0 && st.empty_heads[1] == 0)
    return std::chrono::nanoseconds::max();
  const std::uint64_t due = st.purge_step(st.read_clock(), false, kNoBudget);
  st.debug_check();
  return as_duration(due);
}

void SmallObjectAllocator::set_purge_delay(std::chrono::nanoseconds delay) noexcept {
  state_->purge_delay = static_cast<std::uint64_t>(delay.count() < 0 ? 0 : delay.count());
}

void SmallObjectAllocator::set_clock(Clock now) noexcept {
  state_->clock = now;
  state_->read_clock();  // stamps taken from here on are on the new clock's scale
}

std::chrono::nanoseconds SmallObjectAllocator::purge_delay() const noexcept {
  return as_duration(state_->purge_delay);
}

namespace detail {

std::uint64_t AllocatorState::read_clock() noexcept {
  const std::chrono::nanoseconds t =
      clock != nullptr ? clock() : std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::steady_clock::now().time_since_epoch());
  coarse_now = static_cast<std::uint64_t>(t.count() < 0 ? 0 : t.count());
  return coarse_now;
}

void AllocatorState::activity_step() noexcept {
  events = 0;
  purge_pending = false;
  const std::uint64_t now = read_clock();  // also keeps the stamps of later retirements fresh
  if (retired.count == 0 && empty_heads[0] == 0 && empty_heads[1] == 0) return;
  purge_step(now, false, kActivityBudget);
}

std::uint64_t AllocatorState::purge_step(std::uint64_t now, bool force, std::size_t budget) noexcept {
  const auto due = [&](std::uint64_t since) { return force || since + purge_delay <= now; };
  ArenaHeader* batch = nullptr;
  std::uint64_t next_due = kNever;
  const auto wait_for = [&](std::uint64_t since) {
    const std::uint64_t at = since + purge_delay;
    const std::uint64_t left = at > now ? at - now : 0;
    if (left < next_due) next_due = left;
  };

  // Heads of class lists that stayed empty: decommitted without passing through the FIFO (their
  // wait started when they emptied, which would break the FIFO's order).
  for (unsigned w = 0; w < 2; ++w) {
    for (std::uint64_t m = empty_heads[w]; m != 0; m &= m - 1) {
      const unsigned k = w * 64 + static_cast<unsigned>(std::countr_zero(m));
      const unsigned t = k / alloc::kNumClasses;
      const std::size_t i = k % alloc::kNumClasses;
      PoolRecord* head = used[t][i];
      const std::uint64_t bit = std::uint64_t{1} << (k % 64);
      if (head == nullptr || head->nused() != 0) {
        empty_heads[w] &= ~bit;  // in use again, or retired since
        continue;
      }
      if (!due(empty_since[t][i])) {
        wait_for(empty_since[t][i]);
        continue;
      }
      empty_heads[w] &= ~bit;
      unlink_used(head);
      return_to_arena(head);
      mark_for_purge(head, batch);
    }
  }

  // The retired FIFO, oldest first.
  std::size_t n = 0;
  while (retired.head != nullptr && due(retired.head->retired_at)) {
    if (n == budget) {
      purge_pending = true;
      break;
    }
    PoolRecord* pool = retired.head;
    retired.unlink(pool);
    mark_for_purge(pool, batch);
    ++n;
  }
  if (retired.head != nullptr) wait_for(retired.head->retired_at);

  if (batch != nullptr) {
    ++purges;
    decommit_batch(batch);
  }
  return next_due;
}

void AllocatorState::mark_for_purge(PoolRecord* pool, ArenaHeader*& batch) noexcept {
  ArenaHeader* a = ArenaHeader::of(pool);
  const std::uint64_t bit = std::uint64_t{1} << a->pool_index(pool);
  ArenaLinks& l = a->links();
  PYHEAP_ASSERT((a->free_mask & a->committed_mask & bit) != 0 && (l.purge_mask & bit) == 0);
  if (l.purge_mask == 0) {
    l.purge_next = batch;
    batch = a;
  }
  l.purge_mask |= bit;
}

// Each arena's marked pools: one madvise per run of contiguous pools, or, when nothing of the
// arena stays in use or committed, one munmap for the whole arena (unless it becomes the reserve).
void AllocatorState::decommit_batch(ArenaHeader* batch) noexcept {
  while (batch != nullptr) {
    ArenaHeader* a = batch;
    ArenaLinks& l = a->links();
    batch = l.purge_next;
    l.purge_next = nullptr;
    const std::uint64_t m = l.purge_mask;
    l.purge_mask = 0;
    a->committed_mask &= ~m;
    pools_decommitted_total += static_cast<std::size_t>(std::popcount(m));
    const bool vacant = a->empty() && a->committed_mask == 0;
    if (vacant && reserve != nullptr && reserve != a) {
      unmap_arena(a);
      continue;
    }
    a->released_mask |= m;
    pools_decommitted += static_cast<std::size_t>(std::popcount(m));
    for (std::uint64_t rest = m; rest != 0;) {
      const unsigned start = static_cast<unsigned>(std::countr_zero(rest));
      const unsigned len = static_cast<unsigned>(std::countr_one(rest >> start));
      alloc::decommit(a->pool_address(start), std::size_t{len} * kPoolSize);
      ++madvise_calls;
      rest &= ~(((std::uint64_t{1} << len) - 1) << start);  // len <= 63: bit 0 is never marked
    }
    if (vacant) reserve = a;
  }
}

void AllocatorState::unmap_arena(ArenaHeader* a) noexcept {
  PYHEAP_ASSERT(a->empty() && a->committed_mask == 0 && a->links().purge_mask == 0);
  pools_decommitted -= static_cast<std::size_t>(std::popcount(a->released_mask));
  arenas.remove(a, a->nfreepools());
  if (reserve == a) reserve = nullptr;
  alloc::unmap(reinterpret_cast<void*>(a->base()), kArenaSize);  // the header goes with it
  --arenas_mapped;
  ++arenas_unmapped_total;
}

void AllocatorState::trim() noexcept {
  purge_step(read_clock(), true, kNoBudget);
  if (reserve != nullptr) unmap_arena(reserve);
  debug_check();
}

AllocatorState::~AllocatorState() {
  // Unmap everything, live blocks or not (the allocator must outlive its blocks).
  for (ArenaHeader*& head : arenas.head) {
    while (head != nullptr) {
      ArenaHeader* a = head;
      head = a->links().next;
      alloc::unmap(reinterpret_cast<void*>(a->base()), kArenaSize);
    }
  }
}

}  // namespace detail
}  // namespace pyheap
