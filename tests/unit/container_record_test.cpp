// Record (slots) and Instance (key-sharing attributes): named access, errors, sizes against the
// allocator, and collect() counts. Each expected collect() value was checked in python3.11 after
//   import gc; gc.disable(); gc.collect()
//   class P: __slots__ = ('a', 'b')
//   class I: pass
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "pyheap/dict.hpp"
#include "pyheap/float.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/instance.hpp"
#include "pyheap/int.hpp"
#include "pyheap/list.hpp"
#include "pyheap/record.hpp"
#include "pyheap/size.hpp"
#include "pyheap/str.hpp"

#include "container_test_support.hpp"

using pyheap::Class;
using pyheap::Float;
using pyheap::Heap;
using pyheap::Instance;
using pyheap::Int;
using pyheap::List;
using pyheap::Object;
using pyheap::Record;
using pyheap::RecordType;
using pyheap::Ref;
using pyheap::Str;

namespace {

using pyheap::testing::held;

TEST(RecordTest, NamedAndIndexedAccess) {
  auto point = RecordType::make({"id", "name", "score"});
  EXPECT_EQ(point->size(), 3u);
  EXPECT_EQ(point->index("score"), 2u);
  EXPECT_EQ(point->find("nope"), -1);
  Heap heap;
  Ref<Record> r = Record::make(heap, point);
  EXPECT_EQ(r->size(), 3u);
  EXPECT_FALSE(r->get("name"));  // unset
  Ref<Object> name = Str::make(heap, "ann");
  r->set("name", name);
  r->set(0, Int::make(heap, 7));
  EXPECT_EQ(r->get("name").get(), name.get());
  EXPECT_EQ(r->get(1).get(), name.get());
  EXPECT_EQ(static_cast<Int*>(r->get("id").get())->value(), 7);
  EXPECT_EQ(name->refcount(), 2u);
  r->set("name", Float::make(heap, 1.5));
  EXPECT_EQ(name->refcount(), 1u);
  EXPECT_EQ(&r->type(), point.get());
}

TEST(RecordTest, UnknownNamesAndBadTypesThrow) {
  Heap heap;
  auto t = RecordType::make({"a", "b"});
  Ref<Record> r = Record::make(heap, t);
  EXPECT_THROW((void)r->get("c"), std::out_of_range);
  EXPECT_THROW(r->set("c", Int::make(heap, 1)), std::out_of_range);
  EXPECT_THROW((void)r->get(2), std::out_of_range);
  EXPECT_THROW(r->set(2, Int::make(heap, 1)), std::out_of_range);
  EXPECT_THROW(RecordType::make({"a", "a"}), std::invalid_argument);
  EXPECT_THROW(RecordType::make({""}), std::invalid_argument);
  EXPECT_THROW(Record::make(heap, t, {Int::make(heap, 1)}), std::invalid_argument);
  EXPECT_THROW(Record::make(heap, RecordType::Handle()), std::invalid_argument);
}

TEST(RecordTest, TypeOutlivesItsHandleWhileRecordsUseIt) {
  Heap heap;
  Ref<Record> r;
  {
    auto t = RecordType::make({"x"});
    r = Record::make(heap, t, {Int::make(heap, 5)});
  }
  // The only count on the type is the record's now (ASan catches a use after free here).
  EXPECT_EQ(r->type().name(0), "x");
  EXPECT_EQ(static_cast<Int*>(r->get("x").get())->value(), 5);
  Heap other;  // one type serves several heaps
  Ref<Record> r2 = Record::make(other, RecordType::Handle(&r->type()));
  EXPECT_EQ(r2->size(), 1u);
}

TEST(RecordTest, ValuesAreInline) {
  // python3.11: class P: __slots__ = ('id', 'name', 'score'); sys.getsizeof(P()) -> 56
  Heap heap;
  auto t = RecordType::make({"id", "name", "score"});
  Ref<Object> v = Int::make(heap, 1000);
  const auto before = held(heap);
  Ref<Record> r = Record::make(heap, t, {v, v, v});
  EXPECT_EQ(sizeof(Record), 16u);
  EXPECT_EQ(pyheap::getsizeof(r), 48u);  // 8 (collector word) + 16 + 3 * 8
  EXPECT_EQ(held(heap) - before, 48u);
  EXPECT_EQ(pyheap::deep_size(r), 48u + pyheap::getsizeof(v));
  r.reset();
  EXPECT_EQ(held(heap), before);
  EXPECT_EQ(v->refcount(), 1u);
  EXPECT_EQ(pyheap::getsizeof(Record::make(heap, RecordType::make({}))), 32u);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(RecordTest, CyclesThroughRecordsAreCollected) {
  // p = P(); q = P(); p.a = q; q.a = p; del p, q; gc.collect() -> 2
  // r = P(); r.a = [r]; del r; gc.collect() -> 2
  // r = P(); r.a = 1; r.b = 'x'; del r; gc.collect() -> 0
  Heap heap;
  heap.gc().disable();
  auto t = RecordType::make({"a", "b"});
  {
    Ref<Record> p = Record::make(heap, t);
    Ref<Record> q = Record::make(heap, t);
    p->set("a", q);
    q->set("a", p);
    EXPECT_TRUE(heap.gc().is_tracked(p.get()));
  }
  EXPECT_EQ(heap.live_objects(), 2u);
  EXPECT_EQ(heap.gc().collect(), 2u);
  {
    Ref<Record> r = Record::make(heap, t);
    r->set("a", List::make(heap, {r}));
  }
  EXPECT_EQ(heap.gc().collect(), 2u);
  {
    Ref<Record> r = Record::make(heap, t, {Int::make(heap, 1000), Str::make(heap, "x")});
  }
  EXPECT_EQ(heap.live_objects(), 0u);
  EXPECT_EQ(heap.gc().collect(), 0u);
  EXPECT_TRUE(heap.gc().is_valid(2));
}

TEST(InstanceTest, SharedKeysInInsertionOrder) {
  Heap heap;
  Ref<Class> cls = Class::make(heap, "Point");
  Ref<Instance> a = Instance::make(heap, cls);
  EXPECT_FALSE(a->has("id"));
  EXPECT_THROW((void)a->get("id"), std::out_of_range);
  a->set("id", Int::make(heap, 1));
  a->set("name", Str::make(heap, "a"));
  a->set("score", Float::make(heap, 0.5));
  EXPECT_EQ(cls->key_count(), 3u);
  EXPECT_EQ(cls->key(1), "name");
  Ref<Instance> b = Instance::make(heap, cls);
  b->set("id", Int::make(heap, 2000));
  b->set("name", Str::make(heap, "b"));
  EXPECT_EQ(cls->key_count(), 3u);  // b reuses the class's keys
  EXPECT_TRUE(b->shares_keys());
  EXPECT_TRUE(b->has("name"));
  EXPECT_FALSE(b->has("score"));
  EXPECT_EQ(b->size(), 2u);
  EXPECT_TRUE(static_cast<Str*>(b->get("name").get())->equals("b"));
  Ref<Object> old = b->get("id");
  b->set("id", Int::make(heap, 3000));
  EXPECT_EQ(old->refcount(), 1u);
  EXPECT_EQ(static_cast<Int*>(b->get("id").get())->value(), 3000);
  EXPECT_THROW(b->set("id", Ref<Object>()), std::invalid_argument);
  EXPECT_THROW(Instance::make(heap, Ref<Class>()), std::invalid_argument);
  Heap other;
  EXPECT_THROW(Instance::make(other, cls), std::invalid_argument);
}

TEST(InstanceTest, OutOfOrderKeyFallsBackToAPrivateDict) {
  Heap heap;
  Ref<Class> cls = Class::make(heap, "C");
  Ref<Instance> a = Instance::make(heap, cls);
  a->set("x", Int::make(heap, 1));
  a->set("y", Int::make(heap, 2));
  Ref<Instance> b = Instance::make(heap, cls);
  b->set("x", Int::make(heap, 10));
  b->set("z", Int::make(heap, 30));  // the class's next key is "y"
  EXPECT_FALSE(b->shares_keys());
  ASSERT_TRUE(b->dict());
  EXPECT_EQ(b->dict()->size(), 2u);
  EXPECT_EQ(cls->key_count(), 2u);  // the shared table is untouched
  EXPECT_EQ(static_cast<Int*>(b->get("x").get())->value(), 10);
  EXPECT_EQ(static_cast<Int*>(b->get("z").get())->value(), 30);
  EXPECT_FALSE(b->has("y"));
  EXPECT_THROW((void)b->get("y"), std::out_of_range);
  b->set("y", Int::make(heap, 20));
  EXPECT_EQ(b->size(), 3u);
  // Order is insertion order: x, z, y.
  std::vector<std::string> keys;
  for (const auto& e : *b->dict()) keys.emplace_back(static_cast<Str*>(e.key.get())->storage());
  EXPECT_EQ(keys, (std::vector<std::string>{"x", "z", "y"}));
  EXPECT_EQ(pyheap::getsizeof(b), 48u);  // its values array is gone
  EXPECT_TRUE(a->shares_keys());
}

TEST(InstanceTest, AFailedGrowthLeavesTheInstanceUnchanged) {
  Heap heap;
  Ref<Class> cls = Class::make(heap, "C");
  Ref<Instance> a = Instance::make(heap, cls);
  Ref<Object> v = Int::make(heap, 1000);
  heap.allocator().fail_after(1);
  EXPECT_THROW(a->set("x", v), std::bad_alloc);
  EXPECT_FALSE(a->has("x"));
  EXPECT_EQ(cls->key_count(), 0u);  // the shared table did not learn a key nobody holds
  EXPECT_EQ(v->refcount(), 1u);
  a->set("x", v);
  Ref<Instance> b = Instance::make(heap, cls);
  // The fallback dict: an object, whose make is retried after an emergency collection, so the
  // failure must persist (a memory limit) rather than be a one-time fail_after.
  heap.set_memory_limit(heap.allocator().held_bytes());
  EXPECT_THROW(b->set("y", v), std::bad_alloc);
  heap.set_memory_limit(0);
  EXPECT_TRUE(b->shares_keys());
  EXPECT_FALSE(b->has("y"));
  heap.allocator().fail_after(0);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(InstanceTest, SizesMatchTheAllocator) {
  // python3.11: sys.getsizeof(I()) -> 56, and 3.11 keeps the values outside (not counted)
  Heap heap;
  Ref<Class> cls = Class::make(heap, "P");
  std::vector<Ref<Object>> v{Int::make(heap, 1000), Str::make(heap, "n"), Float::make(heap, 0.5)};
  Ref<Instance> first = Instance::make(heap, cls);
  for (const char* k : {"id", "name", "score"}) first->set(k, v[0]);
  const auto before = held(heap);
  Ref<Instance> a = Instance::make(heap, cls);  // values sized by the class's 3 keys
  EXPECT_EQ(pyheap::getsizeof(a), 48u + 32u);
  EXPECT_EQ(held(heap) - before, pyheap::getsizeof(a));
  a->set("id", v[0]);
  a->set("name", v[1]);
  a->set("score", v[2]);
  EXPECT_EQ(held(heap) - before, pyheap::getsizeof(a));
  EXPECT_EQ(pyheap::deep_size(a), pyheap::getsizeof(a) + pyheap::getsizeof(cls) + pyheap::getsizeof(v[0]) +
                                      pyheap::getsizeof(v[1]) + pyheap::getsizeof(v[2]));
  // The fallback: keys interned beforehand, so the growth is the dict and nothing else.
  Ref<Str> key = Str::intern(heap, "other");
  const auto before_dict = held(heap);
  const auto inst_before = pyheap::getsizeof(a);
  a->set("other", v[0]);  // the class has no 4th key yet: shared
  EXPECT_TRUE(a->shares_keys());
  Ref<Instance> b = Instance::make(heap, cls);
  b->set("other", v[0]);  // out of order
  ASSERT_FALSE(b->shares_keys());
  EXPECT_EQ(held(heap) - before_dict,
            (pyheap::getsizeof(a) - inst_before) + pyheap::getsizeof(b) + pyheap::getsizeof(b->dict()));
  b.reset();
  key.reset();
  a.reset();
  EXPECT_EQ(held(heap), before);
}

TEST(InstanceTest, CyclesThroughInstancesAreCollected) {
  // a = I(); b = I(); a.other = b; b.other = a; del a, b; gc.collect() -> 2
  // a = I(); a.me = a; del a; gc.collect() -> 1
  // p = P(); i = I(); p.a = i; i.r = p; del p, i; gc.collect() -> 2
  // with both dicts made real (a.__dict__; b.__dict__ before del): gc.collect() -> 4
  Heap heap;
  heap.gc().disable();
  Ref<Class> cls = Class::make(heap, "I");
  {
    Ref<Instance> a = Instance::make(heap, cls);
    Ref<Instance> b = Instance::make(heap, cls);
    a->set("other", b);
    b->set("other", a);
  }
  EXPECT_EQ(heap.gc().collect(), 2u);
  {
    Ref<Instance> a = Instance::make(heap, cls);
    a->set("me", a);  // out of order: a dict-backed instance
    EXPECT_FALSE(a->shares_keys());
  }
  // CPython keeps this one split (1); the fallback dict is a second object here.
  EXPECT_EQ(heap.gc().collect(), 2u);
  {
    Ref<Instance> a = Instance::make(heap, cls);
    a->set("other", a);
    EXPECT_TRUE(a->shares_keys());
  }
  EXPECT_EQ(heap.gc().collect(), 1u);
  {
    auto t = RecordType::make({"a", "b"});
    Ref<Record> p = Record::make(heap, t);
    Ref<Instance> i = Instance::make(heap, cls);
    p->set("a", i);
    i->set("other", p);
  }
  EXPECT_EQ(heap.gc().collect(), 2u);
  {
    Ref<Instance> a = Instance::make(heap, cls);
    Ref<Instance> b = Instance::make(heap, cls);
    a->set("x", Int::make(heap, 1));
    b->set("y", Int::make(heap, 1));
    ASSERT_FALSE(a->shares_keys());
    ASSERT_FALSE(b->shares_keys());
    a->set("other", b);
    b->set("other", a);
  }
  EXPECT_EQ(heap.gc().collect(), 4u);
  cls.reset();
  EXPECT_EQ(heap.live_objects(), 1u);  // the immortal small int 1
  EXPECT_TRUE(heap.gc().is_valid(2));
}

}  // namespace
