// Builds a known heap, writes it as a .heapsnapshot, and writes beside it what the heap itself
// says about it (expected.json): objects per type, the largest objects, retained sizes of chosen
// objects (pyheap's own dominator tree). tests/js/check_snapshot.mjs loads the snapshot with
// memlab and compares.
//   snapshot_fixture OUT.heapsnapshot OUT.json
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "pyheap/pyheap.hpp"

using namespace pyheap;

namespace {
struct Customer : Object {  // a user type with a trace hook and no edge names
  Ref<Object> name, orders, account;
  void trace(Tracer& t) { t(name, orders, account); }
};

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: snapshot_fixture OUT.heapsnapshot OUT.json\n");
    return 2;
  }
  Heap heap;
  auto account_type = RecordType::make({"iban", "balance"});
  auto customers = List::make(heap);
  for (int i = 0; i < 40; ++i) {
    auto c = heap.make<Customer>();
    c->name = Str::make(heap, "customer " + std::to_string(i));
    std::vector<Ref<Object>> orders;
    for (int k = 0; k < i % 5; ++k) orders.push_back(Float::make(heap, i * 10.0 + k));
    c->orders = Tuple::make(heap, orders);
    c->account = Record::make(heap, account_type, {Str::make(heap, "DE" + std::to_string(1000 + i)), Int::make(heap, 5000 + i)});
    customers->append(c);
  }
  // Large objects (malloc'd blocks): a long text in a dict and a 300-item tuple.
  auto index = Dict::make(heap);
  index->set(Str::make(heap, "readme"), Str::make(heap, std::string(6000, 'r')));
  index->set(Str::make(heap, "customers"), customers);
  std::vector<Ref<Object>> many;
  for (int i = 0; i < 300; ++i) many.push_back(Int::make(heap, 100000 + i));
  auto big = Tuple::make(heap, many);
  many.clear();
  // An object reachable two ways (neither holder dominates it) and a weak reference.
  auto shared = List::make(heap, {Str::make(heap, "shared")});
  auto left = List::make(heap, {shared});
  auto right = List::make(heap, {shared});
  shared.reset();
  WeakRef<List> watch(left);
  // Cyclic garbage, not yet collected.
  {
    auto a = heap.make<Customer>();
    auto b = heap.make<Customer>();
    a->account = b;
    b->account = a;
  }

  const HeapGraph graph = HeapGraph::capture(heap);
  write_heap_snapshot_file(graph, argv[1]);
  const DominatorTree tree = dominator_tree(graph);
  const auto& nodes = graph.nodes();

  std::map<std::string, std::size_t> objects_by_name;
  std::size_t strings = 0, numbers = 0;
  std::uint64_t all_bytes = 0;
  for (std::uint32_t i = HeapGraph::kFirstObject; i < nodes.size(); ++i) {
    all_bytes += nodes[i].self_size;
    if (nodes[i].kind == HeapGraph::NodeKind::String) ++strings;
    if (nodes[i].kind == HeapGraph::NodeKind::Number) ++numbers;
  }
  // Counts by type from the heap's own walk, not from the graph.
  for (const auto& [type, n] : count_objects_by_type(heap))
    if (type != "Str" && type != "Int" && type != "Float") objects_by_name[type] = n;
  std::vector<std::pair<std::size_t, std::string>> largest;
  heap.for_each_object([&](Object& o) {
    largest.emplace_back(getsizeof(&o), nodes[*graph.find(&o)].name);
  });
  std::sort(largest.begin(), largest.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  largest.resize(5);

  std::ofstream out(argv[2]);
  out << "{\n  \"node_count\": " << nodes.size() << ",\n  \"objects\": " << heap.live_objects()
      << ",\n  \"self_bytes\": " << all_bytes << ",\n  \"strings\": " << strings << ",\n  \"numbers\": " << numbers
      << ",\n  \"objects_by_name\": {";
  bool first = true;
  for (const auto& [name, n] : objects_by_name) {
    out << (first ? "" : ", ") << json_string(name) << ": " << n;
    first = false;
  }
  out << "},\n  \"largest\": [";
  for (std::size_t i = 0; i < largest.size(); ++i)
    out << (i ? ", " : "") << "{\"self_size\": " << largest[i].first << ", \"name\": " << json_string(largest[i].second.substr(0, 40)) << "}";
  out << "],\n  \"retained\": [";
  const std::pair<const char*, const Object*> chosen[] = {
      {"customers list", customers.get()}, {"first customer", (*customers)[0].get()}, {"index dict", index.get()},
      {"big tuple", big.get()},           {"left holder", left.get()},               {"shared list", (*left)[0].get()}};
  first = true;
  for (const auto& [what, o] : chosen) {
    const std::uint32_t n = *graph.find(o);
    out << (first ? "" : ", ") << "{\"what\": " << json_string(what) << ", \"id\": " << 2 * n + 1
        << ", \"retained\": " << tree.retained[n] << ", \"heap_retained_size\": " << retained_size(heap, o) << "}";
    first = false;
  }
  out << "]\n}\n";
  heap.gc().collect();
  return out ? 0 : 1;
}
