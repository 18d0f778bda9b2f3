// Randomized: 200k allocate/free of sizes 1..600 with a content pattern per block,
// checked when the block is freed; two allocators interleaved.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "alloc/sanitizer.hpp"  // PYHEAP_ASAN: the one way to ask "is this an ASan build"
#include "pyheap/small_object_allocator.hpp"


using pyheap::SmallObjectAllocator;

namespace {
struct Live {
  unsigned char* p;
  std::size_t size;
  unsigned char tag;
  SmallObjectAllocator* owner;
};

void write_pattern(const Live& b) {
  for (std::size_t i = 0; i < b.size; ++i) b.p[i] = static_cast<unsigned char>(b.tag + i * 31);
}
bool check_pattern(const Live& b) {
  for (std::size_t i = 0; i < b.size; ++i)
    if (b.p[i] != static_cast<unsigned char>(b.tag + i * 31)) return false;
  return true;
}
}  // namespace

TEST(AllocRandom, TwoHundredThousandOperations) {
  SmallObjectAllocator a, b;
  a.set_purge_delay(std::chrono::nanoseconds(0));  // every activity step purges: exercise decommit and reuse
  std::mt19937_64 rng(20240601);
  std::uniform_int_distribution<std::size_t> size_dist(1, 600);
  std::vector<Live> live;
  std::size_t ops = 0;
  for (int round = 0; round < 200'000; ++round) {
    // Phases of growth and shrinkage so pools and arenas empty out and come back.
    const bool grow = (round / 20'000) % 2 == 0;
    const bool do_alloc = live.empty() || (rng() % 100) < (grow ? 65u : 35u);
    if (do_alloc) {
      SmallObjectAllocator* owner = (rng() & 1) ? &a : &b;
      Live l{nullptr, size_dist(rng), static_cast<unsigned char>(rng()), owner};
      l.p = static_cast<unsigned char*>(owner->allocate(l.size));
      ASSERT_EQ(reinterpret_cast<std::uintptr_t>(l.p) % 16, 0u);
      write_pattern(l);
      live.push_back(l);
    } else {
      const std::size_t k = rng() % live.size();
      const Live l = live[k];
      live[k] = live.back();
      live.pop_back();
      ASSERT_TRUE(check_pattern(l)) << "block of size " << l.size << " was overwritten";
      ASSERT_EQ(SmallObjectAllocator::owner_of(l.p, l.size), l.owner);
      l.owner->deallocate(l.p, l.size);
    }
    ++ops;
    if (round % 25'000 == 0) {
      ASSERT_TRUE(a.is_valid(1));
      ASSERT_TRUE(b.is_valid(1));
    }
  }
  EXPECT_EQ(ops, 200'000u);
  EXPECT_TRUE(a.is_valid(2));
  EXPECT_TRUE(b.is_valid(2));
  std::size_t small_a = 0, large_a = 0;
  for (const Live& l : live) {
    if (l.owner != &a) continue;
    (l.size > SmallObjectAllocator::kMaxSmallSize ? large_a : small_a) += 1;
  }
  EXPECT_EQ(a.stats().blocks_in_use, small_a);
  EXPECT_EQ(a.stats().large_count, large_a);
  for (const Live& l : live) {
    ASSERT_TRUE(check_pattern(l));
    l.owner->deallocate(l.p, l.size);
  }
  EXPECT_EQ(a.stats().blocks_in_use + b.stats().blocks_in_use, 0u);
  EXPECT_GT(a.stats().pools_decommitted_total, 0u) << "activity steps purged and the pools came back";
  a.purge();
  EXPECT_LE(a.stats().arenas_mapped, 1u);
  EXPECT_TRUE(a.is_valid(2));
  EXPECT_TRUE(b.is_valid(2));
}

TEST(AllocRandom, PoisoningUnderAddressSanitizer) {
#if PYHEAP_ASAN
  SmallObjectAllocator a;
  auto* p = static_cast<char*>(a.allocate(20));
  EXPECT_FALSE(__asan_address_is_poisoned(p + 19));
  EXPECT_TRUE(__asan_address_is_poisoned(p + 24)) << "slack of the 32-byte block is poisoned";
  auto* q = static_cast<char*>(a.allocate(20));
  a.deallocate(p, 20);
  EXPECT_TRUE(__asan_address_is_poisoned(p + 8)) << "free block poisoned";
  EXPECT_TRUE(__asan_address_is_poisoned(q + 32)) << "never-carved space poisoned";
  EXPECT_TRUE(a.is_valid(2));
  a.deallocate(q, 20);
#else
  GTEST_SKIP() << "AddressSanitizer build only";
#endif
}
