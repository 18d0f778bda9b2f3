// Memory goes back to the OS: measured with the resident set size from /proc/self/statm.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <vector>

#include "alloc/sanitizer.hpp"  // PYHEAP_ASAN: the one way to ask "is this an ASan build"
#include "alloc/size_class.hpp"
#include "pyheap/small_object_allocator.hpp"

using pyheap::SmallObjectAllocator;

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

TEST(AllocRelease, FreeAllWithoutTrimReturnsMemoryThroughHysteresis) {
  SKIP_RSS_UNDER_ASAN();
  std::vector<void*> blocks(kBlocks);
  SmallObjectAllocator a;
  const long start = rss_bytes();
  fill(a, blocks);
  const long peak = rss_bytes();
  for (void* p : blocks) a.deallocate(p, kSize);
  const long end = rss_bytes();
  const auto s = a.stats();
  std::printf("[ figures  ] no trim: RSS start %.1f MiB, peak %.1f MiB, after free %.1f MiB; "
              "arenas mapped %llu (peak %llu), cached empty pools %llu\n",
              double(start) / kMiB, double(peak) / kMiB, double(end) / kMiB,
              static_cast<unsigned long long>(s.arenas_mapped),
              static_cast<unsigned long long>(s.arenas_mapped_peak),
              static_cast<unsigned long long>(s.pools_cached_empty));
  EXPECT_GT(peak - start, 60 * kMiB);
  EXPECT_LT(end - start, 1 * kMiB);
  EXPECT_LE(s.arenas_mapped, 1u);  // at most the decommitted reserve
  EXPECT_LE(s.pools_cached_empty, SmallObjectAllocator::kDefaultMaxCachedEmptyPools);
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

TEST(AllocRelease, HysteresisBoundsTheCommittedEmptyPools) {
  SmallObjectAllocator a;
  a.set_max_cached_empty_pools(4);
  const std::size_t per_pool = pyheap::alloc::class_capacity(pyheap::alloc::class_index(512));
  std::vector<void*> blocks;
  for (std::size_t i = 0; i < per_pool * 20; ++i) blocks.push_back(a.allocate(512));
  void* keep = a.allocate(16);  // keeps the arena from being released
  for (void* p : blocks) a.deallocate(p, 512);
  auto s = a.stats();
  EXPECT_EQ(s.pools_cached_empty, 4u);
  EXPECT_EQ(s.pools_decommitted, 16u);
  EXPECT_EQ(s.pools_decommitted_total, 16u);
  EXPECT_EQ(s.pools_committed, 5u);  // 4 cached + the 16-byte pool
  a.set_max_cached_empty_pools(1);
  EXPECT_EQ(a.stats().pools_cached_empty, 1u);
  a.trim();
  s = a.stats();
  EXPECT_EQ(s.pools_cached_empty, 0u);
  EXPECT_EQ(s.pools_decommitted, 20u);
  EXPECT_EQ(s.arenas_mapped, 1u);
  // Decommitted pools are reused transparently.
  for (std::size_t i = 0; i < per_pool * 3; ++i) {
    blocks[i] = a.allocate(512);
    std::memset(blocks[i], 0x5A, 512);
  }
  EXPECT_EQ(a.stats().pools_decommitted, 17u);
  EXPECT_TRUE(a.is_valid(2));
  for (std::size_t i = 0; i < per_pool * 3; ++i) a.deallocate(blocks[i], 512);
  a.deallocate(keep, 16);
  EXPECT_EQ(a.stats().arenas_mapped, 1u);  // reserve
  EXPECT_EQ(a.stats().pools_committed, 0u);
  EXPECT_TRUE(a.is_valid(2));
}
