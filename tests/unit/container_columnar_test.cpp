// Array<T> (unboxed numbers) and Table (columns), and the three ways of storing many records
// compared: Record, Instance, Table.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "pyheap/array.hpp"
#include "pyheap/float.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/instance.hpp"
#include "pyheap/int.hpp"
#include "pyheap/list.hpp"
#include "pyheap/record.hpp"
#include "pyheap/size.hpp"
#include "pyheap/str.hpp"
#include "pyheap/table.hpp"

#include "container_test_support.hpp"

using pyheap::Array;
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
using pyheap::Table;

namespace {

using pyheap::testing::held;

TEST(ArrayTest, AppendAtAndGrowth) {
  Heap heap;
  Ref<Array<std::int64_t>> a = Array<std::int64_t>::make(heap);
  EXPECT_FALSE(heap.gc().is_tracked(a.get()));
  EXPECT_EQ(a->capacity(), 0u);
  std::vector<std::size_t> caps;
  for (std::int64_t i = 0; i < 100; ++i) {
    a->append(i * 3);
    if (caps.empty() || caps.back() != a->capacity()) caps.push_back(a->capacity());
  }
  EXPECT_EQ(a->size(), 100u);
  EXPECT_EQ(a->at(99), 297);
  EXPECT_EQ((*a)[10], 30);
  // n + n/16 + 3 (7 once 8 items are held): the array module's headroom, half a list's.
  EXPECT_EQ(caps, (std::vector<std::size_t>{4, 8, 16, 25, 34, 44, 54, 65, 77, 89, 102}));
  a->set(0, -1);
  EXPECT_EQ(a->at(0), -1);
  EXPECT_THROW((void)a->at(100), std::out_of_range);
  EXPECT_THROW(a->set(100, 1), std::out_of_range);
  a->clear();
  EXPECT_THROW(a->pop_back(), std::out_of_range);
  Ref<Array<double>> d = Array<double>::make(heap, {1.5, 2.5});
  EXPECT_EQ(d->size(), 2u);
  EXPECT_EQ(d->at(1), 2.5);
  Ref<Array<std::uint8_t>> b = Array<std::uint8_t>::make(heap);
  for (int i = 0; i < 300; ++i) b->append(static_cast<std::uint8_t>(i));
  EXPECT_EQ(b->at(299), 43);
}

TEST(ArrayTest, SizesMatchTheAllocator) {
  // python3.11: a = array.array('q'); sys.getsizeof(a) -> 80; after 10 appends -> 208
  Heap heap;
  const auto before = held(heap);
  Ref<Array<std::int64_t>> a = Array<std::int64_t>::make(heap);
  EXPECT_EQ(pyheap::getsizeof(a), 32u);  // 24 bytes, no collector word
  EXPECT_EQ(held(heap) - before, 32u);
  for (std::int64_t i = 0; i < 10; ++i) a->append(i);
  EXPECT_EQ(pyheap::getsizeof(a), 32u + 128u);  // capacity 16
  EXPECT_EQ(held(heap) - before, pyheap::getsizeof(a));
  // Large buffers go to malloc through the allocator, still counted.
  for (std::int64_t i = 0; i < 100000; ++i) a->append(i);
  EXPECT_EQ(held(heap) - before, pyheap::getsizeof(a));
  EXPECT_EQ(pyheap::deep_size(a), pyheap::getsizeof(a));
  a.reset();
  EXPECT_EQ(held(heap), before);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(TableTest, RowsAndColumns) {
  Heap heap;
  Ref<Table> t = Table::make(heap, {{"id", Table::Kind::Int64}, {"name", Table::Kind::Object}, {"score", Table::Kind::Float64}});
  EXPECT_EQ(t->columns(), 3u);
  t->append_row({std::int64_t{1}, Str::make(heap, "a"), 0.5});
  t->append_row({std::int64_t{2}, Str::make(heap, "b"), 1.5});
  EXPECT_EQ(t->rows(), 2u);
  EXPECT_EQ(t->ints("id")->at(1), 2);
  EXPECT_EQ(t->floats("score")->at(0), 0.5);
  EXPECT_TRUE(static_cast<Str*>(t->objects("name")->at(1).get())->equals("b"));
  EXPECT_EQ(std::get<std::int64_t>(t->get(0, "id")), 1);
  EXPECT_EQ(std::get<double>(t->get(1, "score")), 1.5);
  EXPECT_EQ(t->kind(1), Table::Kind::Object);
  EXPECT_EQ(t->schema().name(2), "score");
}

TEST(TableTest, BadRowsLeaveTheTableUnchanged) {
  Heap heap;
  Ref<Table> t = Table::make(heap, {{"id", Table::Kind::Int64}, {"name", Table::Kind::Object}});
  t->append_row({std::int64_t{1}, Str::make(heap, "a")});
  EXPECT_THROW(t->append_row({std::int64_t{2}}), std::invalid_argument);
  EXPECT_THROW(t->append_row({2.0, Str::make(heap, "b")}), std::invalid_argument);
  EXPECT_THROW(t->append_row({std::int64_t{2}, Ref<Object>()}), std::invalid_argument);
  EXPECT_THROW(t->append_row({std::int64_t{2}, std::int64_t{3}}), std::invalid_argument);
  EXPECT_EQ(t->rows(), 1u);
  EXPECT_EQ(t->ints("id")->size(), 1u);
  EXPECT_EQ(t->objects("name")->size(), 1u);
  EXPECT_THROW((void)t->ints("nope"), std::out_of_range);
  EXPECT_THROW((void)t->floats("id"), std::invalid_argument);
  EXPECT_THROW((void)t->objects("id"), std::invalid_argument);
  EXPECT_THROW((void)t->get(1, "id"), std::out_of_range);
  EXPECT_THROW((void)t->get(0, "nope"), std::out_of_range);
  EXPECT_THROW(Table::make(heap, {{"a", Table::Kind::Int64}, {"a", Table::Kind::Int64}}), std::invalid_argument);
}

TEST(TableTest, AFailedGrowthUndoesTheWholeRow) {
  Heap heap;
  Ref<Object> name = Str::make(heap, "a");
  Ref<Table> t;
  // The first row of a new table grows each of its three columns: fail each growth in turn (a
  // fresh table each time: an undone row may leave a column's capacity grown).
  for (std::size_t n = 1; n <= 3; ++n) {
    t = Table::make(heap, {{"id", Table::Kind::Int64}, {"name", Table::Kind::Object}, {"score", Table::Kind::Float64}});
    heap.allocator().fail_after(n);
    EXPECT_THROW(t->append_row({std::int64_t{1}, name, 0.5}), std::bad_alloc) << n;
    EXPECT_EQ(t->rows(), 0u);
    EXPECT_EQ(t->ints("id")->size(), 0u) << n;
    EXPECT_EQ(t->objects("name")->size(), 0u) << n;
    EXPECT_EQ(t->floats("score")->size(), 0u) << n;
    EXPECT_EQ(name->refcount(), 1u) << n;
  }
  heap.allocator().fail_after(0);
  t->append_row({std::int64_t{1}, name, 0.5});
  EXPECT_EQ(t->rows(), 1u);
  EXPECT_EQ(t->floats("score")->size(), 1u);
  EXPECT_TRUE(heap.allocator().is_valid(2));
}

TEST(TableTest, SizesMatchTheAllocator) {
  Heap heap;
  std::vector<Ref<Object>> names;
  for (int i = 0; i < 50; ++i) names.push_back(Str::make(heap, std::string("n").append(std::to_string(i))));
  const auto before = held(heap);
  Ref<Table> t = Table::make(heap, {{"id", Table::Kind::Int64}, {"name", Table::Kind::Object}, {"score", Table::Kind::Float64}});
  // Table: 8 + 24 + 3 * 8 = 56 -> 64; two arrays of 32 and a list of 32.
  EXPECT_EQ(pyheap::getsizeof(t), 64u);
  EXPECT_EQ(pyheap::deep_size(t), 64u + 32u + 32u + 32u);
  EXPECT_EQ(held(heap) - before, pyheap::deep_size(t));
  for (int i = 0; i < 50; ++i) t->append_row({std::int64_t{i}, names[i], i * 0.5});
  std::uint64_t strs = 0;
  for (const auto& n : names) strs += pyheap::getsizeof(n);
  EXPECT_EQ(held(heap) - before, pyheap::deep_size(t) - strs);
  t.reset();
  EXPECT_EQ(held(heap), before);
}

TEST(TableTest, CycleThroughAnObjectColumnIsCollected) {
  // python3.11, a table as a slots object of array columns and a list:
  //   class T: __slots__ = ('ids', 'objs')
  //   class P: __slots__ = ('a', 'b')
  //   t = T(); t.ids = array.array('q'); t.objs = []; r = P(); r.a = t; t.objs.append(r)
  //   del t, r; gc.collect() -> 3   (the table, its list, the record; arrays are not tracked)
  Heap heap;
  heap.gc().disable();
  auto pt = RecordType::make({"a", "b"});
  {
    Ref<Table> t = Table::make(heap, {{"ids", Table::Kind::Int64}, {"objs", Table::Kind::Object}});
    Ref<Record> r = Record::make(heap, pt);
    r->set("a", t);
    t->append_row({std::int64_t{1}, r});
    EXPECT_TRUE(heap.gc().is_tracked(t.get()));
  }
  EXPECT_EQ(heap.live_objects(), 4u);
  EXPECT_EQ(heap.gc().collect(), 3u);
  EXPECT_EQ(heap.live_objects(), 0u);
  EXPECT_TRUE(heap.gc().is_valid(2));
}

TEST(ColumnarTest, HundredThousandRecordsThreeWays) {
  // deep size per record of (id, name, score) = (1000 + i, 'name%d' % i, i * 0.5), N = 100,000.
  // CPython 3.11, sys.getsizeof summed over the object and its values:
  //   __slots__ class: 56 + 28 + ~58 + 24 = 165.9; plain instance (3.11 split values, measured
  //   with tracemalloc: ~96 per object) about 206; columns array('q'), array('d') and a list of
  //   str: 82.2.
  constexpr int kN = 100000;
  Heap heap;
  auto type = RecordType::make({"id", "name", "score"});
  Ref<Class> cls = Class::make(heap, "P");
  Ref<List> records = List::make(heap);
  Ref<List> instances = List::make(heap);
  Ref<Table> table = Table::make(heap, {{"id", Table::Kind::Int64}, {"name", Table::Kind::Object}, {"score", Table::Kind::Float64}});
  std::uint64_t values = 0;  // the Int, Str and Float of every record, once
  for (int i = 0; i < kN; ++i) {
    Ref<Object> id = Int::make(heap, 1000 + i);
    Ref<Object> name = Str::make(heap, std::string("name").append(std::to_string(i)));
    Ref<Object> score = Float::make(heap, i * 0.5);
    values += pyheap::getsizeof(id) + pyheap::getsizeof(name) + pyheap::getsizeof(score);
    records->append(Record::make(heap, type, {id, name, score}));
    Ref<Instance> inst = Instance::make(heap, cls);
    inst->set("id", id);
    inst->set("name", name);
    inst->set("score", score);
    instances->append(inst);
    table->append_row({std::int64_t{1000 + i}, name, i * 0.5});
  }
  // Each structure holds the same Int, Str and Float objects; deep_size counts them in each.
  const double per_record = double(pyheap::deep_size(records) - pyheap::getsizeof(records)) / kN;
  const double per_instance = double(pyheap::deep_size(instances) - pyheap::getsizeof(instances)) / kN;
  const double per_row = double(pyheap::deep_size(table)) / kN;
  std::printf("deep size per record: Record %.1f, Instance %.1f, Table %.1f\n", per_record, per_instance, per_row);
  // Record: 48 + its values; Instance: 48 + a 32-byte values array + its values, and the shared
  // class once; Table: the names only, with 8 + 8 + 8 bytes of column per row.
  EXPECT_EQ(pyheap::deep_size(records) - pyheap::getsizeof(records), 48u * kN + values);
  EXPECT_EQ(pyheap::deep_size(instances) - pyheap::getsizeof(instances), 80u * kN + values + pyheap::getsizeof(cls));
  EXPECT_LT(per_row, per_record);
  EXPECT_LT(per_record, per_instance);
  EXPECT_LT(per_record, 165.9);  // CPython's slots figure
}

}  // namespace
