// pyheap::advise on pyheap heaps: each situation is built, advised on, then changed as the finding
// says; the bytes the change frees (the allocator's bytes held, large blocks included) must be
// within 10% of the estimate. The CPython side of the same checks is tests/advise/.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "container_test_support.hpp"
#include "introspect/advise_sizes.hpp"
#include "pyheap/advise.hpp"
#include "pyheap/heap_snapshot.hpp"
#include "pyheap/object_graph.hpp"
#include "pyheap/pyheap.hpp"

namespace {

using namespace pyheap;
using pyheap::testing::held;

// Small heaps: report every finding that saves anything.
AdviseOptions all_findings() {
  AdviseOptions o;
  o.min_saving = 1;
  return o;
}

const Finding* find(const Advice& a, FindingKind kind, const std::string& type = "") {
  for (const Finding& f : a.findings)
    if (f.kind == kind && (type.empty() || f.type_name == type)) return &f;
  return nullptr;
}

// The estimate against what the change freed.
void expect_close(std::uint64_t estimate, std::int64_t freed) {
  ASSERT_GT(freed, 0);
  EXPECT_NEAR(static_cast<double>(estimate), static_cast<double>(freed), 0.10 * static_cast<double>(freed))
      << "estimate " << estimate << ", measured " << freed;
}

std::int64_t delta(std::uint64_t before, std::uint64_t after) {
  return static_cast<std::int64_t>(before) - static_cast<std::int64_t>(after);
}

Ref<Object> text(Heap& heap, const std::string& s) { return Str::make(heap, s); }

// prefix + i, built by appending: GCC 12's -Wrestrict misfires on "literal" + std::string.
std::string numbered(const char* prefix, long i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

TEST(Advise, FixedLayoutForInstancesSharingOneKeySet) {
  Heap heap;
  auto cls = Class::make(heap, "Item");
  auto items = List::make(heap);
  for (int i = 0; i < 2000; ++i) {
    auto o = Instance::make(heap, cls);
    o->set("id", Int::make(heap, 1'000'000 + i));
    o->set("name", text(heap, numbered("item-", i)));
    o->set("price", Float::make(heap, i * 0.5));
    o->set("stock", Int::make(heap, 1'000'000 - i));
    items->append(o);
  }
  const Advice a = advise(heap, all_findings());
  const Finding* f = find(a, FindingKind::FixedLayout);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->count, 2000u);
  EXPECT_NE(f->change_cpp.find("RecordType::make({\"id\", \"name\", \"price\", \"stock\"})"), std::string::npos);
  EXPECT_NE(f->change_python.find("__slots__ = ('id', 'name', 'price', 'stock')"), std::string::npos);

  const auto before = held(heap);
  auto type = RecordType::make({"id", "name", "price", "stock"});
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto& o = static_cast<Instance&>(*items->at(i));
    items->set(i, Record::make(heap, type, {o.get("id"), o.get("name"), o.get("price"), o.get("stock")}));
  }
  expect_close(f->saving, delta(before, held(heap)));
}

TEST(Advise, FixedLayoutCountsAFallbackDictAndItsKeys) {
  Heap heap;
  auto cls = Class::make(heap, "Odd");
  auto items = List::make(heap);
  for (int i = 0; i < 300; ++i) {
    auto o = Instance::make(heap, cls);
    // Out of the class's order after the first instance: each falls back to a private Dict.
    if (i == 0) {
      o->set("a", Int::make(heap, 1'000'000 + i));
      o->set("b", Int::make(heap, 2'000'000 + i));
    } else {
      o->set("b", Int::make(heap, 2'000'000 + i));
      o->set("a", Int::make(heap, 1'000'000 + i));
    }
    items->append(o);
  }
  const Advice a = advise(heap, all_findings());
  const Finding* f = nullptr;
  for (const Finding& x : a.findings)
    if (x.kind == FindingKind::FixedLayout && x.count == 299) f = &x;
  ASSERT_NE(f, nullptr) << format_advice(a);
  const auto before = held(heap);
  auto type = RecordType::make({"b", "a"});
  for (std::size_t i = 1; i < items->size(); ++i) {
    auto& o = static_cast<Instance&>(*items->at(i));
    ASSERT_FALSE(o.shares_keys());
    items->set(i, Record::make(heap, type, {o.get("b"), o.get("a")}));
  }
  expect_close(f->saving, delta(before, held(heap)));
}

// A linked list of Instances: each node's next is another node, so the nodes are both replaced
// and (as next) moved into the replacement; the estimate counts them once, as replaced. The
// largest holder is the head the program holds, not a node near the tail.
TEST(Advise, FixedLayoutForInstancesThatPointToEachOtherAndTheChainsHead) {
  Heap heap;
  auto cls = Class::make(heap, "Node");
  Ref<Object> head;
  for (int i = 0; i < 2000; ++i) {
    auto o = Instance::make(heap, cls);
    o->set("value", Int::make(heap, 1'000'000 + i));
    if (head) o->set("next", head);
    head = o;
  }
  auto holder = Dict::make(heap);
  holder->set(text(heap, "head"), head);
  head.reset();
  const Advice a = advise(heap, all_findings());
  const Finding* f = nullptr;
  for (const Finding& x : a.findings)
    if (x.kind == FindingKind::FixedLayout && x.count == 1999) f = &x;  // the tail has no next
  ASSERT_NE(f, nullptr) << format_advice(a);
  const Finding& dominators = a.findings.back();
  ASSERT_FALSE(dominators.origins.empty());
  EXPECT_GE(dominators.origins[0].count, 2000u * 2) << dominators.origins[0].where;  // every node and value

  const auto before = held(heap);
  // The same chain as Records, rebuilt from the tail, the values moved.
  auto type = RecordType::make({"value", "next"});
  std::vector<Ref<Object>> values;
  for (Ref<Object> n = holder->get(text(heap, "head").get()); n;) {
    auto& node = static_cast<Instance&>(*n);
    values.push_back(node.get("value"));
    n = node.has("next") ? node.get("next") : Ref<Object>();
  }
  Ref<Object> chain;
  for (std::size_t i = values.size(); i-- > 0;) chain = Record::make(heap, type, {values[i], chain});
  values.clear();
  holder->set(text(heap, "head"), chain);
  chain.reset();
  expect_close(f->saving, delta(before, held(heap)));
}

TEST(Advise, ColumnsForManyRecordsOfOneShape) {
  Heap heap;
  auto type = RecordType::make({"id", "name", "score"});
  auto rows = List::make(heap);
  for (int i = 0; i < 3000; ++i)
    rows->append(Record::make(heap, type, {Int::make(heap, 1'000'000 + i), text(heap, numbered("n", i)),
                                          Float::make(heap, i * 0.25)}));
  auto holder = Dict::make(heap);
  holder->set(text(heap, "rows"), rows);
  const Advice a = advise(heap, all_findings());
  const Finding* f = find(a, FindingKind::Columns, "Record");
  ASSERT_NE(f, nullptr) << format_advice(a);
  EXPECT_EQ(f->count, 3000u);
  EXPECT_NE(f->change_cpp.find("{\"id\", Table::Kind::Int64}, {\"name\", Table::Kind::Object}, {\"score\", Table::Kind::Float64}"),
            std::string::npos);

  const auto before = held(heap);
  auto table = Table::make(heap, {{"id", Table::Kind::Int64}, {"name", Table::Kind::Object}, {"score", Table::Kind::Float64}});
  for (const auto& r : *rows) {
    const auto& rec = static_cast<const Record&>(*r);
    table->append_row({static_cast<const Int&>(*rec.get("id")).value(), rec.get("name"),
                       static_cast<const Float&>(*rec.get("score")).value()});
  }
  holder->set(text(heap, "rows"), table);  // the list and its records go
  rows.reset();
  expect_close(f->saving, delta(before, held(heap)));
}

TEST(Advise, TypedArraysForListsOfBoxedNumbers) {
  Heap heap;
  auto series = List::make(heap);
  for (int s = 0; s < 20; ++s) {
    auto l = List::make(heap);
    for (int j = 0; j < 500; ++j) l->append(Float::make(heap, s + j * 0.5));
    series->append(l);
  }
  auto ids = List::make(heap);
  for (int j = 0; j < 5000; ++j) ids->append(Int::make(heap, 1'000'000 + j));
  const Advice a = advise(heap, all_findings());
  const Finding* floats = find(a, FindingKind::TypedArray, "float");
  const Finding* ints = find(a, FindingKind::TypedArray, "int");
  ASSERT_NE(floats, nullptr);
  ASSERT_NE(ints, nullptr);
  EXPECT_EQ(floats->count, 20u);
  // The narrowest item that holds every value: 1,000,000 + j fits 32 bits.
  EXPECT_NE(ints->change_cpp.find("Array<std::int32_t>"), std::string::npos) << ints->change_cpp;

  auto before = held(heap);
  for (std::size_t s = 0; s < series->size(); ++s) {
    std::vector<double> values;
    for (const auto& x : static_cast<const List&>(*series->at(s))) values.push_back(static_cast<const Float&>(*x).value());
    series->set(s, Array<double>::make(heap, values));
  }
  expect_close(floats->saving, delta(before, held(heap)));

  before = held(heap);
  std::vector<std::int64_t> values;
  for (const auto& x : *ids) values.push_back(static_cast<const Int&>(*x).value());
  auto array = Array<std::int32_t>::make(heap, std::vector<std::int32_t>(values.begin(), values.end()));
  ids.reset();
  expect_close(ints->saving, delta(before, held(heap)));
}

TEST(Advise, InterningForEqualStrings) {
  Heap heap;
  auto cities = List::make(heap);
  for (int i = 0; i < 5000; ++i) cities->append(text(heap, numbered("city-", i % 50)));
  const Advice a = advise(heap, all_findings());
  const Finding* f = find(a, FindingKind::InternStrings);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->count, 4950u);
  const auto before = held(heap);
  for (std::size_t i = 0; i < cities->size(); ++i)
    cities->set(i, Str::intern(heap, static_cast<const Str&>(*cities->at(i)).utf8()));
  expect_close(f->saving, delta(before, held(heap)));
}

TEST(Advise, SharingEqualTuples) {
  Heap heap;
  auto points = List::make(heap);
  for (int i = 0; i < 3000; ++i)
    points->append(Tuple::make(heap, {Int::make(heap, 1000 + i % 30), Int::make(heap, 2000 + i % 30)}));
  const Advice a = advise(heap, all_findings());
  const Finding* f = find(a, FindingKind::ShareTuples);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->count, 2970u);
  const auto before = held(heap);
  std::map<std::pair<std::int64_t, std::int64_t>, Ref<Object>> shared;
  for (std::size_t i = 0; i < points->size(); ++i) {
    const auto& t = static_cast<const Tuple&>(*points->at(i));
    const auto key = std::make_pair(static_cast<const Int&>(*t[0]).value(), static_cast<const Int&>(*t[1]).value());
    auto [it, fresh] = shared.emplace(key, points->at(i));
    points->set(i, it->second);
  }
  expect_close(f->saving, delta(before, held(heap)));
}

TEST(Advise, SpareCapacityOfShrunkListsAndDicts) {
  Heap heap;
  auto buffers = List::make(heap);
  for (int b = 0; b < 50; ++b) {
    auto l = List::make(heap);
    for (int j = 0; j < 1000; ++j) l->append(Int::make(heap, j));
    while (l->size() > 100) l->pop();
    buffers->append(l);
  }
  auto tables = List::make(heap);
  for (int t = 0; t < 30; ++t) {
    auto d = Dict::make(heap);
    for (int k = 0; k < 1000; ++k) d->set(text(heap, std::to_string(k)), Int::make(heap, k));
    for (int k = 0; k < 990; ++k) d->erase(text(heap, std::to_string(k)).get());
    tables->append(d);
  }
  const Advice a = advise(heap, all_findings());
  const Finding* lists = find(a, FindingKind::SpareCapacity, "list");
  const Finding* dicts = find(a, FindingKind::SpareCapacity, "dict");
  ASSERT_NE(lists, nullptr);
  ASSERT_NE(dicts, nullptr);
  EXPECT_EQ(lists->count, 50u);
  EXPECT_EQ(dicts->count, 30u);

  auto before = held(heap);
  for (std::size_t b = 0; b < buffers->size(); ++b) {
    const auto& l = static_cast<const List&>(*buffers->at(b));
    buffers->set(b, List::make(heap, std::span<const Ref<Object>>(l.begin(), l.end())));
  }
  expect_close(lists->saving, delta(before, held(heap)));

  before = held(heap);
  for (std::size_t t = 0; t < tables->size(); ++t) {
    const auto& d = static_cast<const Dict&>(*tables->at(t));
    auto fresh = Dict::make(heap);
    for (const auto& e : d) fresh->set(e.key, e.value);
    tables->set(t, fresh);
  }
  expect_close(dicts->saving, delta(before, held(heap)));
}

// Trees whose children point back at their parent: dropped, only the collector frees them.
void build_trees(Heap& heap, const RecordType::Handle& type, bool weak_parent) {
  for (int t = 0; t < 300; ++t) {
    auto root = Record::make(heap, type);
    auto children = List::make(heap);
    root->set("children", children);
    for (int c = 0; c < 3; ++c) {
      auto child = Record::make(heap, type);
      child->set("children", List::make(heap));
      if (weak_parent) {
        child->set("parent", WeakRef<Record>(root).handle());
      } else {
        child->set("parent", root);
      }
      children->append(child);
    }
  }
}

TEST(Advise, CyclicGarbageNamesTheBackReference) {
  Heap heap;
  heap.gc().disable();
  auto type = RecordType::make({"children", "parent"});
  build_trees(heap, type, false);
  const Advice a = advise(heap, all_findings());
  const Finding* f = find(a, FindingKind::CyclicGarbage);
  ASSERT_NE(f, nullptr) << format_advice(a);
  EXPECT_EQ(f->count, 300u * 8);  // root, its list, three children and their lists
  EXPECT_NE(f->title.find("Record.parent -> Record"), std::string::npos) << f->title;
  EXPECT_NE(f->change_cpp.find("WeakRef<Record>"), std::string::npos);

  const auto before = held(heap);
  heap.gc().collect();
  build_trees(heap, type, true);  // freed by reference counting as they are dropped
  expect_close(f->saving, delta(before, held(heap)));
}

// Two kinds of cycle: the loops' parent pointers, and each loop's block, a union-find node that
// is its own parent. Some structures stay alive: with weak parents they make one weak reference
// object per parent reference (pyheap's are not shared), which the estimate takes off.
void build_loops(Heap& heap, const RecordType::Handle& loop, const RecordType::Handle& block, bool weak,
                 std::vector<Ref<Object>>* keep) {
  auto make_loop = [&] {
    auto l = Record::make(heap, loop);
    l->set("children", List::make(heap));
    auto b = Record::make(heap, block);
    if (!weak) b->set("parent", b);  // a root of its own: with the change, no parent at all
    l->set("block", b);
    return l;
  };
  for (int t = 0; t < 300; ++t) {
    auto root = make_loop();
    auto& children = static_cast<List&>(*root->get("children"));
    for (int c = 0; c < 3; ++c) {
      auto child = make_loop();
      if (weak) {
        child->set("parent", WeakRef<Record>(root).handle());
      } else {
        child->set("parent", root);
      }
      children.append(child);
    }
    if (keep && t % 3 == 0) keep->push_back(root);
  }
}

TEST(Advise, CyclicGarbageNamesEveryKindOfReferenceThatClosesItsCycles) {
  Heap heap;
  heap.gc().disable();
  auto loop = RecordType::make({"children", "parent", "block"});
  auto block = RecordType::make({"parent", "rank"});
  std::vector<Ref<Object>> live;
  build_loops(heap, loop, block, false, &live);
  const Advice a = advise(heap, all_findings());
  const Finding* f = find(a, FindingKind::CyclicGarbage);
  ASSERT_NE(f, nullptr) << format_advice(a);
  EXPECT_NE(f->title.find("Record.parent -> Record"), std::string::npos) << f->title;
  EXPECT_NE(f->title.find("Record.parent -> itself"), std::string::npos) << f->title;
  EXPECT_NE(f->change_cpp.find("leave Record.parent empty where it is the object itself"), std::string::npos)
      << f->change_cpp;
  EXPECT_NE(f->estimate.find("weak reference objects"), std::string::npos) << f->estimate;

  const auto before = held(heap);
  live.clear();
  heap.gc().collect();  // the garbage, and the live structures just dropped
  build_loops(heap, loop, block, true, &live);
  expect_close(f->saving, delta(before, held(heap)));
}

// Lists of (int, int) tuples: one flat array of the narrowest item per list.
TEST(Advise, PackedTuplesForListsOfIntegerPairs) {
  Heap heap;
  auto index = List::make(heap);
  for (int w = 0; w < 40; ++w) {
    auto pairs = List::make(heap);
    for (int i = 0; i < 50; ++i) pairs->append(Tuple::make(heap, {Int::make(heap, 1000 + w), Int::make(heap, i * 300)}));
    index->append(pairs);
  }
  const Advice a = advise(heap, all_findings());
  const Finding* f = find(a, FindingKind::PackedTuples);
  ASSERT_NE(f, nullptr) << format_advice(a);
  EXPECT_EQ(f->count, 40u);
  EXPECT_NE(f->change_cpp.find("pyheap::Array<std::int16_t>"), std::string::npos) << f->change_cpp;
  const auto before = held(heap);
  for (std::size_t w = 0; w < index->size(); ++w) {
    std::vector<std::int16_t> flat;
    for (const auto& t : static_cast<const List&>(*index->at(w)))
      for (std::size_t k = 0; k < 2; ++k)
        flat.push_back(static_cast<std::int16_t>(static_cast<const Int&>(*static_cast<const Tuple&>(*t)[k]).value()));
    index->set(w, Array<std::int16_t>::make(heap, flat));
  }
  expect_close(f->saving, delta(before, held(heap)));
}

TEST(Advise, DominatorsComeLastAndTheirRetainedSizeIsFreed) {
  Heap heap;
  auto cache = Dict::make(heap);
  for (int i = 0; i < 2000; ++i)
    cache->set(text(heap, numbered("k", i)), Tuple::make(heap, {text(heap, numbered("value ", i)),
                                                                        Int::make(heap, 1'000'000 + i)}));
  auto small = List::make(heap, {Int::make(heap, 5'000'000)});
  const Advice a = advise(heap, all_findings());
  ASSERT_FALSE(a.findings.empty());
  const Finding& f = a.findings.back();
  ASSERT_EQ(f.kind, FindingKind::Dominators);
  ASSERT_FALSE(f.origins.empty());
  EXPECT_NE(f.origins[0].where.find("Dict"), std::string::npos) << f.origins[0].where;
  const auto before = held(heap);
  cache.reset();
  expect_close(f.origins[0].bytes, delta(before, held(heap)));
}

TEST(Advise, OriginsAreAllocationSitesWhenTraced) {
  Heap heap;
  heap.tracing().start();
  auto cities = List::make(heap);
  for (int i = 0; i < 500; ++i) cities->append(text(heap, numbered("city-", i % 5)));
  const Advice a = advise(heap, all_findings());
  const Finding* f = find(a, FindingKind::InternStrings);
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(f->origins_are_sites);
  ASSERT_FALSE(f->origins.empty());
  EXPECT_NE(f->origins[0].where.find("advise_test.cpp:"), std::string::npos) << f->origins[0].where;
  EXPECT_EQ(f->origins[0].count, 495u);
}

TEST(Advise, ASnapshotFileGivesTheSameAdviceAsTheLiveHeap) {
  Heap heap;
  heap.gc().disable();
  auto type = RecordType::make({"children", "parent"});
  build_trees(heap, type, false);
  auto cities = List::make(heap);
  for (int i = 0; i < 500; ++i) cities->append(text(heap, numbered("city-", i % 5)));
  auto series = List::make(heap);
  for (int j = 0; j < 500; ++j) series->append(Float::make(heap, j * 0.5));
  const Advice live = advise(heap, all_findings());

  std::stringstream file;
  write_heap_snapshot(HeapGraph::capture(heap), file);
  const ObjectGraph read = ObjectGraph::read(file);
  EXPECT_EQ(read.runtime(), Runtime::Pyheap);
  const Advice again = advise(read, all_findings());
  ASSERT_EQ(again.findings.size(), live.findings.size());
  EXPECT_EQ(again.heap_bytes, live.heap_bytes);
  for (std::size_t i = 0; i < live.findings.size(); ++i) {
    EXPECT_EQ(again.findings[i].kind, live.findings[i].kind);
    EXPECT_EQ(again.findings[i].saving, live.findings[i].saving);
    EXPECT_EQ(again.findings[i].title, live.findings[i].title);
  }
}

TEST(Advise, FindingsAreRankedBySavingWithDominatorsLast) {
  Heap heap;
  auto cities = List::make(heap);
  for (int i = 0; i < 3000; ++i) cities->append(text(heap, numbered("city-", i % 50)));
  auto series = List::make(heap);
  for (int j = 0; j < 500; ++j) series->append(Float::make(heap, j * 0.5));
  const Advice a = advise(heap, all_findings());
  ASSERT_GE(a.findings.size(), 3u);
  for (std::size_t i = 0; i + 2 < a.findings.size(); ++i) EXPECT_GE(a.findings[i].saving, a.findings[i + 1].saving);
  EXPECT_EQ(a.findings.back().kind, FindingKind::Dominators);
  for (const Finding& f : a.findings) {
    EXPECT_GT(f.saving, 0u);
    EXPECT_DOUBLE_EQ(f.share, static_cast<double>(f.saving) / static_cast<double>(a.heap_bytes));
  }
  // The text names each finding, its saving and both wordings; the JSON has every finding.
  const std::string text = format_advice(a);
  EXPECT_NE(text.find("[intern-strings]"), std::string::npos);
  EXPECT_NE(text.find("Python:"), std::string::npos);
  EXPECT_NE(text.find("C++:"), std::string::npos);
  EXPECT_NE(advice_json(a).find("\"kind\":\"dominators\""), std::string::npos);
}

TEST(Advise, ThresholdsLeaveSmallFindingsOut) {
  Heap heap;
  auto cities = List::make(heap);
  for (int i = 0; i < 40; ++i) cities->append(text(heap, numbered("c", i % 2)));
  auto big = List::make(heap);
  for (int j = 0; j < 20000; ++j) big->append(List::make(heap));
  AdviseOptions o;
  o.min_saving = 1 << 20;
  o.min_share = 0.05;
  const Advice a = advise(heap, o);
  EXPECT_EQ(find(a, FindingKind::InternStrings), nullptr);
  EXPECT_EQ(a.findings.back().kind, FindingKind::Dominators);
}

TEST(ObjectGraphRead, RejectsWhatIsNotASnapshot) {
  for (const char* bad : {"", "[]", "{\"nodes\":[1,2,3]}", "{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\"],"
                                                              "\"edge_fields\":[\"type\"]}},\"nodes\":[0]}",
                          "{\"snapshot\":", "{\"strings\":[\"\\u12\"]}"}) {
    std::istringstream in(bad);
    EXPECT_THROW(ObjectGraph::read(in), std::runtime_error) << bad;
  }
  EXPECT_THROW(ObjectGraph::read_file("/nonexistent/x.heapsnapshot"), std::runtime_error);
}

TEST(ObjectGraphRead, ReadsAPlainV8Snapshot) {
  // Two nodes: the root, and a string it holds; no "pyheap" section.
  std::istringstream in(
      "{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\"],"
      "\"node_types\":[[\"hidden\",\"array\",\"string\",\"object\",\"code\",\"closure\",\"regexp\",\"number\","
      "\"native\",\"synthetic\"],\"string\",\"number\",\"number\",\"number\"],"
      "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],"
      "\"edge_types\":[[\"context\",\"element\",\"property\",\"internal\",\"hidden\",\"shortcut\",\"weak\"],"
      "\"string_or_number\",\"node\"]}},"
      "\"nodes\":[9,0,1,0,1, 2,1,3,40,0],\"edges\":[2,1,5],\"strings\":[\"\",\"h\\u00e9\\ud83d\\ude00\"]}");
  const ObjectGraph g = ObjectGraph::read(in);
  ASSERT_EQ(g.nodes().size(), 2u);
  EXPECT_EQ(g.role(1), Role::Str);
  EXPECT_EQ(g.name(1), "h\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(g.total_bytes(), 40u);
  EXPECT_EQ(g.edges()[0].to, 1u);
  EXPECT_EQ(g.edge_label(g.edges()[0]), "h\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(ContainerSizeRules, DictTableAfterInsertsIsWhatInsertingGives) {
  Heap heap;
  for (std::size_t n = 0; n <= 200; ++n) {
    auto d = Dict::make(heap);
    for (std::size_t k = 0; k < n; ++k) d->set(Int::make(heap, static_cast<std::int64_t>(k)), Int::make(heap, 0));
    EXPECT_EQ(Dict::owned_bytes_after_inserts(n), d->owned_bytes()) << n;
  }
}

// CPython 3.11's rules against what tracemalloc counted for the same objects (each allocation as
// requested: the unit the advisor prints), from CPython 3.11.7: [1, 2, 3] allocates 56 + 32 bytes;
// {'a': 1} 64 + 120; {1: 2} 64 + 160; an object of a plain class with 3 attributes 56 + 40;
// array('d', [1.0] * 10) 80 + 80; (1, None) 56; 1_000_000 + 1 32 (getsizeof says 28).
TEST(CPython311SizeRules, MatchWhatTracemallocCounted) {
  using advise_detail::cpython311_object_bytes;
  auto node = [](std::uint64_t length, std::uint64_t capacity, std::int64_t aux, std::int64_t aux2) {
    ObjectGraph::Node n;
    n.length = length;
    n.capacity = capacity;
    n.aux = aux;
    n.aux2 = aux2;
    return n;
  };
  EXPECT_EQ(cpython311_object_bytes(Role::List, 88, node(3, 4, 0, 0)), 56u + 32u);
  EXPECT_EQ(cpython311_object_bytes(Role::Dict, 184, node(1, 3, 1, 1)), 64u + 120u);
  EXPECT_EQ(cpython311_object_bytes(Role::Dict, 224, node(1, 3, 0, 1)), 64u + 160u);
  EXPECT_EQ(cpython311_object_bytes(Role::Dict, 184, node(1, 0, -1, -1)), 64u + 120u);  // layout not read
  EXPECT_EQ(cpython311_object_bytes(Role::Dict, 64, node(0, 0, 1, 0)), 64u);             // the shared empty keys
  // A split dict (an instance's __dict__ sharing its class's keys): getsizeof counts 8 bytes a
  // slot of its values; the values array has its order prefix too (3 slots: 8 + 24).
  EXPECT_EQ(cpython311_object_bytes(Role::Dict, 64 + 24, node(2, 0, 2, 0)), 64u + 8u + 24u);
  EXPECT_EQ(cpython311_object_bytes(Role::Instance, 56, node(3, 4, 8, 0)), 56u + 40u);
  EXPECT_EQ(cpython311_object_bytes(Role::Array, 160, node(10, 10, 'd', 8)), 80u + 80u);
  EXPECT_EQ(cpython311_object_bytes(Role::Tuple, 56, node(2, 0, 0, 0)), 56u);
  EXPECT_EQ(cpython311_object_bytes(Role::Int, 28, node(0, 0, 1, 0)), 32u);  // 1_000_000 + i: sizeof(PyLongObject)
  EXPECT_EQ(cpython311_object_bytes(Role::Int, 32, node(0, 0, 1, 0)), 32u);  // two digits, as asked
  // A dict of 1000 str keys after 990 deletions: 2^11 slots of 2-byte indexes, 1365 entries.
  EXPECT_EQ(advise_detail::cpython311_dict_keys_bytes(11, 1), 32u + 2048u * 2 + 1365u * 16);
  EXPECT_EQ(advise_detail::rules_for(Runtime::CPython).dict_rebuilt(10, true), 64u + 208u);
  EXPECT_EQ(advise_detail::rules_for(Runtime::CPython).record(4), 64u);  // __slots__ of 4: 16 + 16 + 32
  // A dict of n texts filled by setdefault, as sys.getsizeof measured it.
  for (const auto& [n, bytes] : std::vector<std::pair<std::size_t, std::uint64_t>>{
           {1, 184}, {5, 184}, {6, 272}, {11, 464}, {22, 832}, {43, 1584}, {86, 3328}, {1000, 26032}, {3009, 103856},
           {10000, 207616}})
    EXPECT_EQ(advise_detail::rules_for(Runtime::CPython).shared_texts(n), bytes) << n;
}

}  // namespace
