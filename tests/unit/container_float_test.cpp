// Float: boxed doubles. CPython 3.11: sys.getsizeof(1.5) == 24 (a 32-byte block).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "pyheap/float.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/size.hpp"

using pyheap::Float;
using pyheap::Heap;
using pyheap::Ref;

namespace {

TEST(FloatTest, BoxesADoubleInSixteenBytes) {
  Heap heap;
  const auto before = heap.allocator().stats().bytes_held;
  Ref<Float> f = Float::make(heap, 1.5);
  EXPECT_EQ(f->value(), 1.5);
  EXPECT_EQ(sizeof(Float), 16u);
  EXPECT_EQ(pyheap::getsizeof(f), 16u);
  EXPECT_EQ(heap.allocator().stats().bytes_held - before, 16u);
  EXPECT_FALSE(heap.gc().is_tracked(f.get()));
  f.reset();
  EXPECT_EQ(heap.allocator().stats().bytes_held, before);
}

TEST(FloatTest, EveryMakeIsANewObject) {
  Heap heap;
  Ref<Float> a = Float::make(heap, 0.0);
  Ref<Float> b = Float::make(heap, 0.0);
  EXPECT_NE(a.get(), b.get());
  EXPECT_TRUE(std::isnan(Float::make(heap, std::numeric_limits<double>::quiet_NaN())->value()));
  EXPECT_EQ(Float::make(heap, -0.0)->value(), 0.0);
  EXPECT_TRUE(std::signbit(Float::make(heap, -0.0)->value()));
  a.reset();
  b.reset();
  EXPECT_EQ(heap.live_objects(), 0u);
}

}  // namespace
