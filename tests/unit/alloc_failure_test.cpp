#include <gtest/gtest.h>
#include <sys/resource.h>

#include <new>
#include <string_view>
#include <vector>

#include "alloc/sanitizer.hpp"  // PYHEAP_ASAN: the one way to ask "is this an ASan build"
#include "alloc/size_class.hpp"
#include "pyheap/internal/check.hpp"
#include "pyheap/small_object_allocator.hpp"

using pyheap::AllocatorStats;
using pyheap::SmallObjectAllocator;

namespace {
// Every counter but the one that counts the injected failures.
void expect_same(const AllocatorStats& x, const AllocatorStats& y) {
#define SAME_GLOBAL(name, description)              \
  if (std::string_view(#name) != "injected_failures") { \
    EXPECT_EQ(x.name, y.name) << #name;                 \
  }
  PYHEAP_ALLOCATOR_STATS(PYHEAP_STATS_IGNORE, SAME_GLOBAL)
#undef SAME_GLOBAL
  for (std::size_t i = 0; i < x.size_classes.size(); ++i) {
#define SAME_CLASS(name, description) EXPECT_EQ(x.size_classes[i].name, y.size_classes[i].name) << #name << " class " << i;
    PYHEAP_ALLOCATOR_STATS(SAME_CLASS, PYHEAP_STATS_IGNORE)
#undef SAME_CLASS
  }
}
}  // namespace

TEST(AllocFailure, NthAllocationThrowsAndNothingChanges) {
  SmallObjectAllocator a;
  std::vector<void*> live;
  a.fail_after(3);
  live.push_back(a.allocate(8));
  live.push_back(a.allocate(8));
  const AllocatorStats before = a.stats();
  EXPECT_THROW(a.allocate(8), std::bad_alloc);
  EXPECT_EQ(a.stats().injected_failures, 1u);
  expect_same(before, a.stats());
  EXPECT_TRUE(a.is_valid(2));
  // It fires once, then the allocator keeps working.
  for (int i = 0; i < 1000; ++i) live.push_back(a.allocate(8));
  EXPECT_EQ(a.stats().blocks_in_use, 1002u);
  for (void* p : live) a.deallocate(p, 8);
  EXPECT_TRUE(a.is_valid(2));
}

TEST(AllocFailure, ZeroDisables) {
  SmallObjectAllocator a;
  a.fail_after(2);
  a.fail_after(0);
  void* p = a.allocate(1);
  void* q = a.allocate(1);
  void* r = a.allocate(1);
  a.deallocate(p, 1);
  a.deallocate(q, 1);
  a.deallocate(r, 1);
  EXPECT_TRUE(a.is_valid(2));
}

TEST(AllocFailure, FailureWhereANewArenaIsNeeded) {
  SmallObjectAllocator a;
  const std::size_t blocks_per_arena =
      pyheap::alloc::class_capacity(31) * pyheap::alloc::kUsablePools;
  std::vector<void*> live;
  for (std::size_t i = 0; i < blocks_per_arena; ++i) live.push_back(a.allocate(512));
  ASSERT_EQ(a.stats().arenas_mapped, 1u);
  const AllocatorStats before = a.stats();
  a.fail_after(1);
  EXPECT_THROW(a.allocate(512), std::bad_alloc);  // would have mapped arena 2
  expect_same(before, a.stats());
  EXPECT_TRUE(a.is_valid(2));
  live.push_back(a.allocate(512));
  EXPECT_EQ(a.stats().arenas_mapped, 2u);
  for (void* p : live) a.deallocate(p, 512);
  EXPECT_TRUE(a.is_valid(2));
}

TEST(AllocFailure, LargeAllocationsFailToo) {
  SmallObjectAllocator a;
  void* keep = a.allocate(1000);
  const AllocatorStats before = a.stats();
  a.fail_after(1);
  EXPECT_THROW(a.allocate(4000), std::bad_alloc);
  expect_same(before, a.stats());
  a.fail_after(2);
  void* ok = a.allocate(2000);
  EXPECT_THROW(a.allocate(20), std::bad_alloc);  // the 2nd request, small this time
  EXPECT_EQ(a.stats().large_count, 2u);
  EXPECT_TRUE(a.is_valid(2));
  a.deallocate(ok, 2000);
  a.deallocate(keep, 1000);
  EXPECT_EQ(a.stats().large_count, 0u);
}

#if !PYHEAP_ASAN
// A real mmap failure: cap the address space just above what the process uses now.
TEST(AllocFailure, MmapFailureThrowsAndLeavesTheAllocatorConsistent) {
  SmallObjectAllocator a;
  std::vector<void*> live;
  live.reserve(1 << 20);
  void* warm = a.allocate(64);  // maps the first arena
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_AS, &old), 0);
  long pages = 0;
  {
    FILE* f = std::fopen("/proc/self/statm", "r");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fscanf(f, "%ld", &pages), 1);
    std::fclose(f);
  }
  rlimit cap = old;
  cap.rlim_cur = static_cast<rlim_t>(pages) * 4096 + 8 * 1024 * 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_AS, &cap), 0);
  bool failed = false;
  AllocatorStats before;
  try {
    for (;;) {
      before = a.stats();
      live.push_back(a.allocate(512));
    }
  } catch (const std::bad_alloc&) {
    failed = true;
  }
  ASSERT_EQ(::setrlimit(RLIMIT_AS, &old), 0);
  ASSERT_TRUE(failed);
  expect_same(before, a.stats());
  EXPECT_TRUE(a.is_valid(2));
  live.push_back(a.allocate(512));  // works again once memory is available
  for (void* p : live) a.deallocate(p, 512);
  a.deallocate(warm, 64);
  EXPECT_TRUE(a.is_valid(2));
}
#endif
