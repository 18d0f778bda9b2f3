// .heapsnapshot output, parsed back: the layout V8's readers rely on, and what each node and
// edge says about the heap.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "pyheap/pyheap.hpp"

namespace {

using namespace pyheap;
using nlohmann::json;

struct Parsed {
  json doc;
  int nf = 0, ef = 0;
  std::vector<std::string> node_types, edge_types;
  std::size_t nodes() const { return doc["nodes"].size() / nf; }
  std::string type(std::size_t n) const { return node_types[doc["nodes"][n * nf].get<int>()]; }
  std::string name(std::size_t n) const { return doc["strings"][doc["nodes"][n * nf + 1].get<int>()]; }
  std::uint64_t self_size(std::size_t n) const { return doc["nodes"][n * nf + 3]; }
  struct E {
    std::string type, name;
    std::size_t to;
  };
  std::vector<std::vector<E>> edges;  // per node
  // The node named `name`, which must be unique.
  std::size_t named(const std::string& n) const {
    std::size_t found = SIZE_MAX;
    for (std::size_t i = 0; i < nodes(); ++i) {
      if (name(i) == n) {
        EXPECT_EQ(found, SIZE_MAX) << "two nodes named " << n;
        found = i;
      }
    }
    EXPECT_NE(found, SIZE_MAX) << "no node named " << n;
    return found;
  }
  bool has_edge(std::size_t from, const std::string& type, const std::string& name, std::size_t to) const {
    for (const auto& e : edges[from])
      if (e.type == type && e.name == name && e.to == to) return true;
    return false;
  }
};

Parsed parse(const std::string& text) {
  Parsed p;
  p.doc = json::parse(text);
  const json& meta = p.doc["snapshot"]["meta"];
  p.nf = static_cast<int>(meta["node_fields"].size());
  p.ef = static_cast<int>(meta["edge_fields"].size());
  EXPECT_EQ(meta["node_fields"][0], "type");
  EXPECT_EQ(meta["node_fields"][4], "edge_count");
  EXPECT_EQ(meta["edge_fields"], json({"type", "name_or_index", "to_node"}));
  p.node_types = meta["node_types"][0].get<std::vector<std::string>>();
  p.edge_types = meta["edge_types"][0].get<std::vector<std::string>>();
  EXPECT_EQ(p.doc["snapshot"]["node_count"].get<std::size_t>(), p.nodes());
  EXPECT_EQ(p.doc["snapshot"]["edge_count"].get<std::size_t>(), p.doc["edges"].size() / 3);
  // Edges belong to nodes in order, edge_count at a time; to_node is a node index * node fields.
  std::size_t e = 0;
  const json& edges = p.doc["edges"];
  p.edges.resize(p.nodes());
  for (std::size_t n = 0; n < p.nodes(); ++n) {
    const std::size_t count = p.doc["nodes"][n * p.nf + 4];
    for (std::size_t k = 0; k < count; ++k, ++e) {
      const std::string type = p.edge_types[edges[e * 3].get<int>()];
      const std::size_t to = edges[e * 3 + 2];
      EXPECT_EQ(to % p.nf, 0u);
      EXPECT_LT(to / p.nf, p.nodes());
      const json& ni = edges[e * 3 + 1];
      const std::string name = type == "element" ? std::to_string(ni.get<std::size_t>()) : p.doc["strings"][ni.get<std::size_t>()].get<std::string>();
      p.edges[n].push_back(Parsed::E{type, name, to / p.nf});
    }
  }
  EXPECT_EQ(e * 3, edges.size());
  // Ids are unique.
  std::set<std::uint64_t> ids;
  for (std::size_t n = 0; n < p.nodes(); ++n) EXPECT_TRUE(ids.insert(p.doc["nodes"][n * p.nf + 2].get<std::uint64_t>()).second);
  return p;
}

Parsed snapshot_of(const Heap& heap, std::span<const NamedRoot> roots = {}) {
  std::ostringstream out;
  write_heap_snapshot(HeapGraph::capture(heap, roots), out);
  return parse(out.str());
}

TEST(Snapshot, EmptyHeapIsTheRootAndItsGroups) {
  Heap heap;
  Parsed p = snapshot_of(heap);
  ASSERT_EQ(p.nodes(), 4u);
  EXPECT_EQ(p.type(0), "synthetic");
  EXPECT_EQ(p.name(0), "");
  EXPECT_EQ(p.doc["nodes"][2], 1);  // the root's id
  EXPECT_EQ(p.edges[0].size(), 3u);
  EXPECT_EQ(p.name(2), "(C++ references)");
}

TEST(Snapshot, NodesAndEdgesDescribeTheHeap) {
  Heap heap;
  auto point = RecordType::make({"x", "label"});
  auto rec = Record::make(heap, point, {Float::make(heap, 1.5), Str::make(heap, "he said \"hi\"\n")});
  auto list = List::make(heap, {rec, Int::make(heap, 7000)});
  auto d = Dict::make(heap);
  d->set(Str::make(heap, "key"), list);
  WeakRef<List> weak(list);
  auto small = Int::make(heap, 3);  // immortal
  list.reset();
  rec.reset();

  Parsed p = snapshot_of(heap);
  EXPECT_EQ(p.nodes(), 4u + heap.live_objects());
  const std::size_t r = p.named("Record"), l = p.named("List"), dn = p.named("Dict");
  const std::size_t s = p.named("he said \"hi\"\n"), f = p.named("1.5"), i = p.named("7000"), k = p.named("key");
  EXPECT_EQ(p.type(r), "object");
  EXPECT_EQ(p.type(s), "string");
  EXPECT_EQ(p.type(f), "number");
  EXPECT_EQ(p.type(i), "number");
  EXPECT_EQ(p.self_size(l), getsizeof(weak.lock()));  // block + item array
  // Self sizes add up to what the allocator holds: nothing counted twice, nothing missed.
  std::uint64_t total = 0;
  for (std::size_t n = 0; n < p.nodes(); ++n) total += p.self_size(n);
  const auto stats = heap.allocator().stats();
  EXPECT_EQ(total, stats.bytes_held + stats.large_bytes);
  EXPECT_TRUE(p.has_edge(r, "property", "x", f));
  EXPECT_TRUE(p.has_edge(r, "property", "label", s));
  EXPECT_TRUE(p.has_edge(l, "element", "0", r));
  EXPECT_TRUE(p.has_edge(l, "element", "1", i));
  EXPECT_TRUE(p.has_edge(dn, "property", "key", l));
  EXPECT_TRUE(p.has_edge(dn, "internal", "(key) key", k));
  EXPECT_TRUE(p.has_edge(p.named("WeakReference"), "weak", "referent", l));
  // Held from C++: the dict, the weak reference object (through `weak`), the small int; the list
  // only through the dict. Immortals have their own group.
  std::set<std::size_t> cpp, immortal;
  for (const auto& e : p.edges[2]) cpp.insert(e.to);
  for (const auto& e : p.edges[3]) immortal.insert(e.to);
  EXPECT_EQ(cpp, (std::set<std::size_t>{dn, p.named("WeakReference"), p.named("3")}));
  EXPECT_EQ(immortal, (std::set<std::size_t>{p.named("3")}));
}

TEST(Snapshot, NamedRootsAreProperties) {
  Heap heap;
  auto a = Str::make(heap, "alpha");
  auto b = List::make(heap);
  const NamedRoot roots[] = {{"first", a.get()}, {"second", b.get()}};
  Parsed p = snapshot_of(heap, roots);
  EXPECT_TRUE(p.has_edge(1, "property", "first", p.named("alpha")));
  EXPECT_TRUE(p.has_edge(1, "property", "second", p.named("List")));
  EXPECT_TRUE(p.edges[2].empty());  // each object's one count is its named root
}

TEST(Snapshot, LongAndNonAsciiStringsStayValidJson) {
  Heap heap;
  auto s = Str::make(heap, std::string(3000, 'a') + "\xc3\xa9");
  auto t = Str::make(heap, "caf\xc3\xa9 \x01");
  Parsed p = snapshot_of(heap);
  EXPECT_EQ(p.name(p.named("caf\xc3\xa9 \x01")).size(), 7u);
  std::size_t longest = 0;
  for (std::size_t n = 0; n < p.nodes(); ++n) longest = std::max(longest, p.name(n).size());
  EXPECT_EQ(longest, 1003u);  // cut to 1000 bytes + "..."
}

TEST(Snapshot, HeapWritesAFile) {
  Heap heap;
  auto keep = Tuple::make(heap, {Str::make(heap, "x")});
  const std::string path = ::testing::TempDir() + "pyheap_snapshot_test.heapsnapshot";
  write_snapshot(heap, path);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  Parsed p = parse(text.str());
  EXPECT_EQ(p.nodes(), 6u);
  std::remove(path.c_str());
  EXPECT_THROW(write_snapshot(heap, "/nonexistent-dir/x.heapsnapshot"), std::runtime_error);
}

}  // namespace
