// getsizeof / deep_size, checked against the allocator's own statistics, and Heap::make_var.
#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <vector>

#include "test_objects.hpp"
#include "pyheap/float.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/int.hpp"
#include "pyheap/list.hpp"
#include "pyheap/size.hpp"
#include "pyheap/str.hpp"
#include "pyheap/tuple.hpp"

#include "container_test_support.hpp"

using pyheap::testing::Blob;

using pyheap::Float;
using pyheap::Heap;
using pyheap::Int;
using pyheap::List;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Str;
using pyheap::Tuple;

namespace {

using pyheap::testing::held;


// A container with an owned out-of-line buffer that it reports.
struct Owner : Object {
  std::vector<Ref<Object>> refs;
  void trace(pyheap::Tracer& t) { t(refs); }
  std::size_t owned_bytes() const noexcept { return 1000; }
};

TEST(SizeTest, MakeVarAllocatesAndFreesTheWholeBlock) {
  Heap heap;
  const auto before = held(heap);
  for (std::size_t n : {0u, 1u, 8u, 100u, 504u, 505u, 2000u}) {
    Ref<Blob> b = heap.make_var<Blob>(n, n);
    EXPECT_EQ(pyheap::getsizeof(b), pyheap::SmallObjectAllocator::block_size_for(sizeof(Blob) + n)) << n;
    EXPECT_EQ(held(heap) - before, pyheap::getsizeof(b)) << n;
    if (n) {
      EXPECT_EQ(b->bytes()[n - 1], 0xAB);
    }
    EXPECT_EQ(&Heap::of(b.get()), &heap);
  }
  EXPECT_EQ(held(heap), before);
  EXPECT_THROW(heap.make_var<Blob>(64, 64, true), std::runtime_error);
  EXPECT_EQ(held(heap), before);
  EXPECT_EQ(heap.live_objects(), 0u);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(SizeTest, GetsizeofOfEachContainer) {
  // CPython 3.11 for the same values: 'hello' 54, 1 28, 1.5 24, () 40, [] 56, [0]*10 136.
  Heap heap;
  EXPECT_EQ(pyheap::getsizeof(Str::make(heap, "hello")), 32u);
  EXPECT_EQ(pyheap::getsizeof(Int::make(heap, 1)), 16u);
  EXPECT_EQ(pyheap::getsizeof(Float::make(heap, 1.5)), 16u);
  EXPECT_EQ(pyheap::getsizeof(Tuple::make(heap, {})), 32u);
  EXPECT_EQ(pyheap::getsizeof(List::make(heap)), 32u);
  std::vector<Ref<Object>> ten(10, Int::make(heap, 0));
  EXPECT_EQ(pyheap::getsizeof(List::make(heap, ten)), 112u);
  EXPECT_EQ(pyheap::getsizeof(static_cast<const Object*>(nullptr)), 0u);
  Ref<Owner> o = heap.make<Owner>();
  EXPECT_EQ(pyheap::getsizeof(o), pyheap::Heap::allocated_size(o.get()) + 1000);
}

TEST(SizeTest, DeepSizeOfAFreshGraphIsWhatTheAllocatorHolds) {
  Heap heap;
  const auto before = held(heap);
  Ref<List> root = List::make(heap);
  {
    Ref<Str> s = Str::make(heap, std::string(700, 'z'));  // a large block
    Ref<List> inner = List::make(heap, {Int::make(heap, 1000), Float::make(heap, 2.5)});
    Ref<Tuple> t = Tuple::make(heap, {s, inner, Int::make(heap, 123456)});
    root->extend(std::vector<Ref<Object>>{t, s, inner});
    inner->append(root);  // a cycle: counted once
    for (int i = 0; i < 40; ++i) inner->append(Int::make(heap, 10'000 + i));
  }
  EXPECT_EQ(pyheap::deep_size(root), held(heap) - before);
  // Shared objects count once, an atom alone is its own size.
  Ref<Str> shared = Str::make(heap, "shared");
  Ref<List> twice = List::make(heap, {shared, shared});
  EXPECT_EQ(pyheap::deep_size(twice), pyheap::getsizeof(twice) + pyheap::getsizeof(shared));
  EXPECT_EQ(pyheap::deep_size(shared), pyheap::getsizeof(shared));
  EXPECT_EQ(pyheap::deep_size(static_cast<Object*>(nullptr)), 0u);
  root->clear();
}

TEST(SizeTest, DeepSizeOfALongChainUsesNoDeepStack) {
  Heap heap;
  const auto before = held(heap);
  Ref<List> head = List::make(heap);
  Ref<List> cur = head;
  for (int i = 0; i < 200'000; ++i) {
    Ref<List> next = List::make(heap);
    cur->append(next);
    cur = next;
  }
  cur.reset();
  EXPECT_EQ(pyheap::deep_size(head), held(heap) - before);
}

}  // namespace
