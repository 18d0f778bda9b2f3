// why_alive: the shortest root-to-object chain, its formatting, and the garbage case.
#include <gtest/gtest.h>

#include "test_objects.hpp"
#include "pyheap/pyheap.hpp"

using pyheap::testing::Link;

namespace {

using namespace pyheap;


TEST(WhyAlive, ChainFromACppReference) {
  Heap heap;
  auto type = RecordType::make({"name", "next"});
  auto list = List::make(heap);
  for (int i = 0; i < 3; ++i) list->append(Int::make(heap, 1000 + i));
  auto target = Str::make(heap, "needle");
  list->append(Record::make(heap, type, {Str::make(heap, "n"), target}));
  Object* t = target.get();
  target.reset();
  EXPECT_EQ(why_alive(heap, t), "(C++ references)[0] -> List[3] -> Record.next -> needle");
  const auto path = why_alive(HeapGraph::capture(heap), t);
  ASSERT_TRUE(path.has_value());
  ASSERT_EQ(path->steps.size(), 4u);
  EXPECT_EQ(path->steps[0].object, nullptr);
  EXPECT_EQ(path->steps[1].object, list.get());
  EXPECT_EQ(path->steps[2].type, "Record");
  EXPECT_EQ(path->steps[3].via, ".next");
  EXPECT_EQ(path->steps[3].type, "Str");
}

TEST(WhyAlive, ShortestPathAndNamedRootsFirst) {
  Heap heap;
  auto far = heap.make<Link>();
  far->next = heap.make<Link>();
  auto mid = static_cast<Link*>(far->next.get());
  mid->next = heap.make<Link>();
  Object* target = mid->next.get();
  auto near = heap.make<Link>();
  near->next = Ref<Object>::borrow(target);
  // Two C++ roots reach it, in 3 and 2 steps: the shorter wins.
  auto g = HeapGraph::capture(heap);
  auto path = why_alive(g, target);
  ASSERT_TRUE(path);
  EXPECT_EQ(path->steps.size(), 3u);
  EXPECT_EQ(path->steps[1].object, near.get());
  // A named root at the same distance comes first.
  const NamedRoot roots[] = {{"far", far.get()}};
  g = HeapGraph::capture(heap, roots, "(script variables)");
  path = why_alive(g, mid);
  ASSERT_TRUE(path);
  EXPECT_EQ(format_retention_path(*path), "(script variables).far -> Link[0] -> Link");
}

TEST(WhyAlive, OnlyACycleHoldsGarbage) {
  Heap heap;
  auto a = heap.make<Link>();
  a->next = heap.make<Link>();
  static_cast<Link*>(a->next.get())->next = a;
  Object* b = a->next.get();
  a.reset();
  EXPECT_FALSE(why_alive(HeapGraph::capture(heap), b).has_value());
  EXPECT_EQ(why_alive(heap, b),
            "Link is not reachable from a root: only a reference cycle holds it (garbage the collector will free)");
  EXPECT_EQ(heap.gc().collect(), 2u);
  EXPECT_EQ(why_alive(heap, nullptr), "not a live object of this heap");
}

TEST(WhyAlive, WeakReferencesDoNotExplainAnything) {
  Heap heap;
  auto target = heap.make<Link>();
  auto holder = heap.make<Link>();
  holder->next = Ref<Object>(WeakRef<Link>(target).handle());
  EXPECT_EQ(why_alive(heap, target.get()), "(C++ references)[0] -> Link");
  EXPECT_EQ(why_alive(heap, holder->next.get()), "(C++ references)[1] -> Link[0] -> WeakReference");
}

TEST(WhyAlive, TableColumnsAreNamed) {
  Heap heap;
  auto t = Table::make(heap, {{"id", Table::Kind::Int64}, {"name", Table::Kind::Object}});
  t->append_row({std::int64_t{1}, Ref<Object>(Str::make(heap, "first"))});
  Object* name = t->objects("name")->at(0).get();
  EXPECT_EQ(why_alive(heap, name), "(C++ references)[0] -> Table.name -> List[0] -> first");
}

TEST(WhyAlive, ImmortalsAreRootsOfTheirOwn) {
  Heap heap;
  Object* five = Int::make(heap, 5).get();  // the cached small int stays, immortal
  EXPECT_EQ(why_alive(heap, five), "(immortal objects)[0] -> 5");
}

TEST(WhyAlive, DictKeysAndValuesAreNamed) {
  Heap heap;
  auto d = Dict::make(heap);
  auto v = List::make(heap);
  d->set(Str::make(heap, "items"), v);
  d->set(Int::make(heap, 4000), Float::make(heap, 0.25));
  Object* value = v.get();
  Object* f = d->get(Int::make(heap, 4000).get()).get();
  v.reset();
  EXPECT_EQ(why_alive(heap, value), "(C++ references)[0] -> Dict.items -> List");
  EXPECT_EQ(why_alive(heap, f), "(C++ references)[0] -> Dict[1] -> 0.25");
}

}  // namespace
