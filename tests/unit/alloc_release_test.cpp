// Memory goes back to the OS: measured with the resident set size from /proc/self/statm.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <vector>

#include "alloc/sanitizer.hpp"  // PYHEAP_ASAN: the one way to ask "is this an ASan build"
#include "alloc/size_class.hpp"
#include "manual_clock.hpp"
#include "pyheap/small_object_allocator.hpp"

using pyheap::SmallObjectAllocator;
using pyheap::testing::ManualClock;

namespace {

// Under ASan the resident set also holds the shadow of every poisoned byte and the quarantine of
// freed heap memory, neither of which follows the allocator; the Release build measures RSS.
#if PYHEAP_ASAN
#define SKIP_RSS_UNDER_ASAN() GTEST_SKIP() << "RSS is not meaningful under AddressSanitizer"
#else
#define SKIP_RSS_UNDER_ASAN() static_cast<void>(0)
#endif

long rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

constexpr std::size_t kBlocks = 1'000'000;
constexpr std::size_t kSize = 64;
constexpr long kMiB = 1024 * 1024;

void fill(SmallObjectAllocator& a, std::vector<void*>& blocks) {
  for (std::size_t i = 0; i < kBlocks; ++i) {
    blocks[i] = a.allocate(kSize);
    std::memset(blocks[i], static_cast<int>(i), kSize);
  }
}

}  // namespace

TEST(AllocRelease, FreeAllThenTrimReturnsMemory) {
  SKIP_RSS_UNDER_ASAN();
  std::vector<void*> blocks(kBlocks);
  SmallObjectAllocator a;
  const long start = rss_bytes();
  fill(a, blocks);
  const long peak = rss_bytes();
  for (void* p : blocks) a.deallocate(p, kSize);
  a.trim();
  const long end = rss_bytes();
  std::printf("[ figures  ] trim: RSS start %.1f MiB, after 1M x 64 B %.1f MiB, after free+trim %.1f MiB\n",
              double(start) / kMiB, double(peak) / kMiB, double(end) / kMiB);
  EXPECT_GT(peak - start, 60 * kMiB);
  EXPECT_LT(end - start, 1 * kMiB);
  EXPECT_EQ(a.stats().arenas_mapped, 0u);
  EXPECT_GT(a.stats().arenas_mapped_peak, 60u);
  EXPECT_TRUE(a.is_valid(2));
}

TEST(AllocRelease, FreeNeverReturnsMemoryThePurgeRuleDoes) {
  SKIP_RSS_UNDER_ASAN();
  std::vector<void*> blocks(kBlocks);
  SmallObjectAllocator a;
  a.set_clock(&ManualClock::read);  // time moves only when the test says
  a.set_purge_delay(std::chrono::milliseconds(20));
  const long start = rss_bytes();
  fill(a, blocks);
  const long peak = rss_bytes();
  const auto before = a.stats();
  for (void* p : blocks) a.deallocate(p, kSize);
  const long freed = rss_bytes();
  const auto after_free = a.stats();
  // Freeing a million blocks, emptying every pool and arena, made no system call.
  EXPECT_EQ(after_free.madvise_calls, before.madvise_calls);
  EXPECT_EQ(after_free.arenas_unmapped_total, before.arenas_unmapped_total);
  EXPECT_EQ(after_free.pools_decommitted_total, before.pools_decommitted_total);
  EXPECT_GT(after_free.pools_retired, 3000u);
  EXPECT_GT(freed - start, 60 * kMiB) << "retired pools keep their pages until the purge rule runs";

  // The rule, driven as an event loop would: nothing is due before the delay; purge_expired() says
  // how long to wait (the whole delay: the clock has not moved since the frees), and once that
  // has passed for everything, everything is back.
  auto wait = a.purge_expired();
  EXPECT_EQ(wait, std::chrono::milliseconds(20));
  EXPECT_EQ(a.stats().madvise_calls, before.madvise_calls);
  ManualClock::advance(wait - std::chrono::nanoseconds(1));
  EXPECT_EQ(a.purge_expired(), std::chrono::nanoseconds(1)) << "one nanosecond early: still waiting";
  EXPECT_EQ(a.stats().madvise_calls, before.madvise_calls);
  ManualClock::advance(std::chrono::nanoseconds(1));
  wait = a.purge_expired();
  EXPECT_EQ(wait, std::chrono::nanoseconds::max()) << "nothing left waiting";
  const int calls = 3;
  const double took_ms = 20;
  const long end = rss_bytes();
  const auto s = a.stats();
  std::printf("[ figures  ] purge rule (delay 20 ms): RSS start %.1f MiB, after 1M x 64 B %.1f MiB, after "
              "free %.1f MiB, %.1f MiB after %d purge_expired() calls %.1f ms after the last free; %llu "
              "madvise calls, %llu arenas unmapped, %llu left mapped\n",
              double(start) / kMiB, double(peak) / kMiB, double(freed) / kMiB, double(end) / kMiB, calls, took_ms,
              static_cast<unsigned long long>(s.madvise_calls),
              static_cast<unsigned long long>(s.arenas_unmapped_total),
              static_cast<unsigned long long>(s.arenas_mapped));
  EXPECT_LT(end - start, 1 * kMiB);
  EXPECT_LE(s.arenas_mapped, 1u);  // at most the decommitted reserve
  EXPECT_EQ(s.pools_committed, 0u);
  // Batches: whole arenas unmapped, runs of contiguous pools in one call; before this rule, one
  // madvise per emptied pool (3,900 here).
  EXPECT_LT(s.madvise_calls * 50, s.pools_decommitted_total);
  EXPECT_TRUE(a.is_valid(2));
}

TEST(AllocRelease, PurgeRunsAtAnAllocationAfterTheDelay) {
  SKIP_RSS_UNDER_ASAN();
  std::vector<void*> blocks(kBlocks);
  SmallObjectAllocator a;
  a.set_clock(&ManualClock::read);
  a.set_purge_delay(std::chrono::milliseconds(10));
  const long start = rss_bytes();
  fill(a, blocks);
  for (void* p : blocks) a.deallocate(p, kSize);
  // Before the delay, allocation slow paths purge nothing...
  ManualClock::advance(std::chrono::milliseconds(9));
  void* early = a.allocate(512);
  EXPECT_EQ(a.stats().purges, 0u);
  EXPECT_GT(a.stats().pools_retired, 3000u);
  a.deallocate(early, 512);
  ManualClock::advance(std::chrono::milliseconds(6));
  // The program goes on allocating, in another class: a purge step runs at an allocation slow path
  // (the frees counted more than 64 slow-path events), 1024 pools at most, and steps go on at the
  // following slow paths (512-byte blocks: one per 8 blocks carved) until nothing due is left.
  std::vector<void*> more;
  while (a.stats().pools_retired != 0 && more.size() < 64 * 8) more.push_back(a.allocate(512));
  const auto s = a.stats();
  EXPECT_EQ(s.pools_retired, 0u);
  EXPECT_GE(s.purges, 4u);  // 3,900 retired pools, 1,024 a step
  const long end = rss_bytes();
  std::printf("[ figures  ] purge at allocation: %llu steps in %zu allocations of 512 B, RSS %.2f MiB above start\n",
              static_cast<unsigned long long>(s.purges), more.size(), double(end - start) / kMiB);
  EXPECT_LT(end - start, 1 * kMiB + static_cast<long>(more.size() * 512));
  for (void* p : more) a.deallocate(p, 512);
  EXPECT_TRUE(a.is_valid(2));
}

TEST(AllocRelease, AnActivityStepPurgesWithinItsBudgetAndTheNextGoesOn) {
  std::vector<void*> blocks(kBlocks);
  SmallObjectAllocator a;
  a.set_purge_delay(std::chrono::nanoseconds(0));
  fill(a, blocks);
  for (void* p : blocks) a.deallocate(p, kSize);
  const auto before = a.stats();
  ASSERT_GT(before.pools_retired, 2048u);
  ASSERT_EQ(before.purges, 0u);
  // A free noticed that retired pools are due (delay 0): the first allocation slow path runs a step.
  void* p = a.allocate(512);
  auto s = a.stats();
  EXPECT_EQ(s.purges, 1u);
  EXPECT_EQ(s.pools_decommitted_total, 1024u + 1u) << "the budget, and the 64-byte class's last pool";
  EXPECT_LE(before.pools_retired - s.pools_retired, 1024u + 1u);  // (+1: the pool the allocation took)
  // The step ran out of budget: the next slow path (a new class: a new pool) goes on.
  void* q = a.allocate(496);
  s = a.stats();
  EXPECT_EQ(s.purges, 2u);
  EXPECT_EQ(s.pools_decommitted_total, 2048u + 1u);
  EXPECT_TRUE(a.is_valid(2));
  a.deallocate(p, 512);
  a.deallocate(q, 496);
  a.trim();
  EXPECT_EQ(a.stats().arenas_mapped, 0u);
}

TEST(AllocRelease, TheOnlyPoolOfAClassStaysUntilTheDelay) {
  SmallObjectAllocator a;
  a.set_clock(&ManualClock::read);
  a.set_purge_delay(std::chrono::milliseconds(5));
  // Made and dropped in a loop: the class's one pool empties every time and is kept, not retired.
  for (int i = 0; i < 1000; ++i) a.deallocate(a.allocate(48), 48);
  auto s = a.stats();
  EXPECT_EQ(s.pools_in_use, 1u);
  EXPECT_EQ(s.pools_retired, 0u);
  EXPECT_EQ(s.arenas_mapped_total, 1u);
  // Once it has stayed empty for the delay, the purge rule takes it back.
  a.purge_expired();  // reads the clock: the pool's wait starts no later than this
  a.deallocate(a.allocate(48), 48);
  ManualClock::advance(std::chrono::milliseconds(4));
  EXPECT_EQ(a.purge_expired(), std::chrono::milliseconds(1)) << "kept until the delay has passed";
  EXPECT_EQ(a.stats().pools_in_use, 1u);
  ManualClock::advance(std::chrono::milliseconds(1));
  EXPECT_EQ(a.purge_expired(), std::chrono::nanoseconds::max());
  s = a.stats();
  EXPECT_EQ(s.pools_in_use, 0u);
  EXPECT_EQ(s.pools_committed, 0u);
  EXPECT_EQ(s.pools_decommitted, 1u);
  EXPECT_TRUE(a.is_valid(2));
}

TEST(AllocRelease, FreeingNinetyPercentInAllocationOrderEmptiesWholePools) {
  SKIP_RSS_UNDER_ASAN();
  std::vector<void*> blocks(kBlocks);
  SmallObjectAllocator a;
  const long start = rss_bytes();
  fill(a, blocks);
  const long peak = rss_bytes();
  const std::size_t cut = kBlocks * 9 / 10;
  for (std::size_t i = 0; i < cut; ++i) a.deallocate(blocks[i], kSize);
  a.trim();
  const long after = rss_bytes();
  std::printf("[ figures  ] 90%% in order: RSS start %.1f MiB, peak %.1f MiB, after free 90%%+trim %.1f MiB\n",
              double(start) / kMiB, double(peak) / kMiB, double(after) / kMiB);
  // ~10% of ~64 MiB must stay; allow one arena of slack on top.
  EXPECT_LT(after - start, (peak - start) / 10 + 2 * kMiB);
  EXPECT_TRUE(a.is_valid(2));
  for (std::size_t i = cut; i < kBlocks; ++i) a.deallocate(blocks[i], kSize);
  a.trim();
  EXPECT_LT(rss_bytes() - start, 1 * kMiB);
}

TEST(AllocRelease, RandomNinetyPercentFreesKeepPoolsAlive) {
  // Random frees rarely empty a whole pool (255 blocks each): RSS barely moves. This is a
  // sanity check of the bookkeeping, and reports the figure.
  std::vector<void*> blocks(kBlocks);
  SmallObjectAllocator a;
  const long start = rss_bytes();
  fill(a, blocks);
  const long peak = rss_bytes();
  std::mt19937_64 rng(42);
  std::shuffle(blocks.begin(), blocks.end(), rng);
  const std::size_t cut = kBlocks * 9 / 10;
  for (std::size_t i = 0; i < cut; ++i) a.deallocate(blocks[i], kSize);
  a.trim();
  const long after = rss_bytes();
  std::printf("[ figures  ] 90%% random: RSS start %.1f MiB, peak %.1f MiB, after free+trim %.1f MiB\n",
              double(start) / kMiB, double(peak) / kMiB, double(after) / kMiB);
  EXPECT_LE(after, peak + kMiB);
  EXPECT_EQ(a.stats().blocks_in_use, kBlocks - cut);
  EXPECT_TRUE(a.is_valid(2));
  // The freed blocks are reused before any new pool is taken.
  const auto pools = a.stats().pools_in_use;
  for (std::size_t i = 0; i < cut; ++i) blocks[i] = a.allocate(kSize);
  EXPECT_EQ(a.stats().pools_in_use, pools);
  for (void* p : blocks) a.deallocate(p, kSize);
}

TEST(AllocRelease, PurgedPoolsAreReusedTransparently) {
  SmallObjectAllocator a;
  const std::size_t per_pool = pyheap::alloc::class_capacity(pyheap::alloc::class_index(512));
  std::vector<void*> blocks;
  for (std::size_t i = 0; i < per_pool * 20; ++i) blocks.push_back(a.allocate(512));
  void* keep = a.allocate(16);  // keeps the arena from being released
  for (void* p : blocks) a.deallocate(p, 512);
  auto s = a.stats();
  EXPECT_EQ(s.pools_retired, 19u) << "the last 512-byte pool stays with its class";
  EXPECT_EQ(s.pools_committed, 21u);
  a.purge();
  s = a.stats();
  EXPECT_EQ(s.pools_retired, 0u);
  EXPECT_EQ(s.pools_decommitted, 20u);
  EXPECT_EQ(s.madvise_calls, 1u) << "pools 1..20 are contiguous; pool 21 (16 B) stays";
  EXPECT_EQ(s.arenas_mapped, 1u);
  // Decommitted pools are reused transparently (they read back as zeroes: nothing trusted).
  for (std::size_t i = 0; i < per_pool * 3; ++i) {
    blocks[i] = a.allocate(512);
    std::memset(blocks[i], 0x5A, 512);
  }
  EXPECT_EQ(a.stats().pools_decommitted, 17u);
  EXPECT_TRUE(a.is_valid(2));
  for (std::size_t i = 0; i < per_pool * 3; ++i) a.deallocate(blocks[i], 512);
  a.deallocate(keep, 16);
  a.purge();
  EXPECT_EQ(a.stats().arenas_mapped, 1u);  // reserve
  EXPECT_EQ(a.stats().pools_committed, 0u);
  EXPECT_TRUE(a.is_valid(2));
}
