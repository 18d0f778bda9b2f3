// Heap::for_each_object: every live object, tracked or not, exactly once; nothing else (list
// arrays and dict tables share the allocator but not its object tags).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "test_objects.hpp"
#include "pyheap/pyheap.hpp"

using pyheap::testing::Leaf;
using pyheap::testing::Link;

namespace {

using namespace pyheap;

struct alignas(16) Wide : Object {  // a 16-byte collector prefix: the third object tag
  Ref<Object> next;
  void trace(Tracer& t) { t(next); }
};

std::map<std::string, std::size_t> counts_by_type(const Heap& heap) {
  std::map<std::string, std::size_t> counts;
  heap.for_each_object([&](Object& o) { ++counts[type_of(o).name]; });
  return counts;
}

std::set<const Object*> walked(const Heap& heap) {
  std::set<const Object*> seen;
  heap.for_each_object([&](Object& o) { EXPECT_TRUE(seen.insert(&o).second) << "listed twice"; });
  return seen;
}

TEST(IntrospectWalk, EmptyHeapHasNoObjects) {
  Heap heap;
  EXPECT_TRUE(walked(heap).empty());
  EXPECT_TRUE(heap.all_objects().empty());
}

TEST(IntrospectWalk, ListsTrackedAndUntrackedObjectsButNotStorage) {
  Heap heap;
  std::vector<Ref<Object>> keep;
  auto list = List::make(heap);
  for (int i = 0; i < 100; ++i) list->append(Int::make(heap, 1000 + i));  // array in the pools
  auto d = Dict::make(heap);
  d->set(Str::make(heap, "key"), Float::make(heap, 2.5));
  auto t = Tuple::make(heap, {Str::make(heap, "a"), Str::make(heap, "b")});
  auto n = heap.make<Link>();
  n->next = heap.make<Leaf>();
  auto w = heap.make<Wide>();
  w->next = n;

  const auto seen = walked(heap);
  EXPECT_EQ(seen.size(), heap.live_objects());
  const std::vector<const Object*> made = {list.get(), d.get(), t.get(), n.get(), n->next.get(), w.get()};
  for (const Object* o : made) {
    EXPECT_EQ(seen.count(o), 1u);
  }
  for (const auto& item : *list) EXPECT_EQ(seen.count(item.get()), 1u);

  auto counts = counts_by_type(heap);
  EXPECT_EQ(counts["Int"], 100u);
  EXPECT_EQ(counts["Str"], 3u);
  EXPECT_EQ(counts["Float"], 1u);
  EXPECT_EQ(counts["Tuple"], 1u);
  EXPECT_EQ(counts["List"], 1u);
  EXPECT_EQ(counts["Dict"], 1u);
  EXPECT_EQ(counts["Link"], 1u);
  EXPECT_EQ(counts["Wide"], 1u);
  EXPECT_EQ(counts["Leaf"], 1u);
}

TEST(IntrospectWalk, LargeObjectsAreListedAndForgottenWhenFreed) {
  Heap heap;
  std::vector<Ref<Object>> items;
  for (int i = 0; i < 300; ++i) items.push_back(Float::make(heap, i));
  auto big = Tuple::make(heap, items);  // 8 + 16 + 2400 bytes: a malloc'd block
  auto big_str = Str::make(heap, std::string(5000, 'x'));
  ASSERT_GT(Heap::allocated_size(big.get()), SmallObjectAllocator::kMaxSmallSize);
  auto seen = walked(heap);
  EXPECT_EQ(seen.size(), 302u);
  EXPECT_EQ(seen.count(big.get()), 1u);
  EXPECT_EQ(seen.count(big_str.get()), 1u);
  big.reset();
  big_str.reset();
  items.resize(10);
  seen = walked(heap);
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(seen.size(), heap.live_objects());
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(IntrospectWalk, FreedBlocksAndGarbageDisappear) {
  Heap heap;
  std::vector<Ref<Object>> keep;
  for (int i = 0; i < 2000; ++i) {
    auto n = heap.make<Link>();
    if (i % 3 == 0) keep.push_back(n);  // the rest are freed: free-list holes in the pools
  }
  EXPECT_EQ(walked(heap).size(), keep.size());
  {
    auto a = heap.make<Link>();
    auto b = heap.make<Link>();
    a->next = b;
    b->next = a;
  }
  EXPECT_EQ(walked(heap).size(), keep.size() + 2);  // cyclic garbage is alive until collected
  EXPECT_EQ(heap.gc().collect(), 2u);
  EXPECT_EQ(walked(heap).size(), keep.size());
  EXPECT_EQ(heap.allocator().count_blocks(0), 0u);  // no storage: only objects here
}

TEST(IntrospectWalk, ImmortalsAreObjectsToo) {
  Heap heap;
  auto small = Int::make(heap, 5);  // from the immortal small-int cache
  auto empty = Tuple::make(heap, {});
  EXPECT_TRUE(small->is_immortal());
  const auto seen = walked(heap);
  EXPECT_EQ(seen.count(small.get()), 1u);
  EXPECT_EQ(seen.count(empty.get()), 1u);
}

TEST(IntrospectWalk, AllObjectsHoldsRefsThatSurviveMutation) {
  Heap heap;
  auto list = List::make(heap);
  for (int i = 0; i < 10; ++i) list->append(Str::make(heap, "s" + std::to_string(i)));
  auto all = heap.all_objects();
  ASSERT_EQ(all.size(), 11u);
  list.reset();  // the strings stay alive through `all`
  EXPECT_EQ(heap.live_objects(), 11u);
  all.clear();
  EXPECT_EQ(heap.live_objects(), 0u);
}

}  // namespace
