// Int: boxes, the small-integer cache, sizes. CPython 3.11: sys.getsizeof(1) == 28 (a 32-byte
// block), and `a = 256; b = 256; a is b` holds while 257 gives two objects.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "pyheap/heap.hpp"
#include "pyheap/int.hpp"
#include "pyheap/size.hpp"

#include "container_test_support.hpp"

using pyheap::Heap;
using pyheap::Int;
using pyheap::Ref;

namespace {

using pyheap::testing::held;

TEST(IntTest, BoxesAValueInSixteenBytes) {
  Heap heap;
  const auto before = held(heap);
  Ref<Int> i = Int::make(heap, 1'000'000);
  EXPECT_EQ(i->value(), 1'000'000);
  EXPECT_EQ(sizeof(Int), 16u);
  EXPECT_EQ(pyheap::getsizeof(i), 16u);
  EXPECT_EQ(held(heap) - before, 16u);
  EXPECT_FALSE(heap.gc().is_tracked(i.get()));
  EXPECT_EQ(pyheap::deep_size(i), 16u);
  i.reset();
  EXPECT_EQ(held(heap), before);
}

TEST(IntTest, SmallValuesAreSharedAndImmortal) {
  Heap heap;
  for (std::int64_t v : {-5, -1, 0, 1, 100, 256}) {
    Ref<Int> a = Int::make(heap, v);
    const auto after_first = held(heap);
    Ref<Int> b = Int::make(heap, v);
    EXPECT_EQ(a.get(), b.get()) << v;
    EXPECT_TRUE(a->is_immortal()) << v;
    EXPECT_EQ(held(heap), after_first) << v;  // no allocation the second time
    EXPECT_EQ(b->value(), v);
  }
  // Dropping every Ref does not free a cached value.
  const std::size_t live = heap.live_objects();
  Int* one = Int::make(heap, 1).get();
  EXPECT_EQ(heap.live_objects(), live);
  EXPECT_EQ(Int::make(heap, 1).get(), one);
}

TEST(IntTest, ValuesOutsideTheCacheAreFreshObjects) {
  Heap heap;
  for (std::int64_t v : {std::int64_t{-6}, std::int64_t{257}, std::numeric_limits<std::int64_t>::min(),
                         std::numeric_limits<std::int64_t>::max()}) {
    Ref<Int> a = Int::make(heap, v);
    Ref<Int> b = Int::make(heap, v);
    EXPECT_NE(a.get(), b.get()) << v;
    EXPECT_FALSE(a->is_immortal()) << v;
    EXPECT_EQ(a->value(), v);
    EXPECT_EQ(a->refcount(), 1u);
  }
  EXPECT_EQ(heap.live_objects(), 0u);
  EXPECT_FALSE(Int::is_cached(-6));
  EXPECT_TRUE(Int::is_cached(-5));
  EXPECT_TRUE(Int::is_cached(256));
  EXPECT_FALSE(Int::is_cached(257));
}

TEST(IntTest, CachePerHeapAndCleanTeardown) {
  int reports = 0;
  Int* first = nullptr;
  {
    Heap heap;
    heap.set_unraisable_hook([&](const pyheap::UnraisableInfo&) { ++reports; });
    first = Int::make(heap, 7).get();
    Heap other;
    EXPECT_NE(Int::make(other, 7).get(), first);
    EXPECT_EQ(&Heap::of(first), &heap);
  }
  EXPECT_EQ(reports, 0);  // the cached objects are freed with their heap, not reported as leaks
  Heap fresh;
  EXPECT_EQ(Int::make(fresh, 7)->value(), 7);
  EXPECT_TRUE(fresh.allocator().is_valid(2));
}

}  // namespace
