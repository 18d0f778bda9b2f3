// The .heapsnapshot writer: V8's node and edge arrays, then the "pyheap" section, from an ObjectGraph.
#include "pyheap/heap_snapshot.hpp"

#include <fstream>
#include <ostream>
#include <stdexcept>
#include <vector>

#include "introspect/json_text.hpp"
#include "pyheap/heap_graph.hpp"
#include "pyheap/object_graph.hpp"

namespace pyheap {

namespace {
// Indexes into meta.node_types[0] and meta.edge_types[0] below.
enum NodeType { kHidden = 0, kString = 2, kObject = 3, kNumber = 7, kSynthetic = 9 };
enum EdgeType { kElement = 1, kProperty = 2, kInternal = 3, kWeak = 6 };
constexpr int kNodeFields = 7;

constexpr const char* kMeta = R"({"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],)"
    R"("node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],)"
    R"("edge_fields":["type","name_or_index","to_node"],)"
    R"("edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],)"
    R"("trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],)"
    R"("trace_node_fields":["id","function_info_index","count","size","children"],)"
    R"("sample_fields":["timestamp_us","last_assigned_id"],)"
    R"("location_fields":["object_index","script_id","line","column"]})";

int node_type(Role r) {
  switch (r) {
    case Role::Synthetic: return kSynthetic;
    case Role::Str: return kString;
    case Role::Int:
    case Role::Float: return kNumber;
    default: return kObject;
  }
}

int edge_type(EdgeKind k) {
  switch (k) {
    case EdgeKind::Element: return kElement;
    case EdgeKind::Property: return kProperty;
    case EdgeKind::Internal: return kInternal;
    case EdgeKind::Weak: return kWeak;
  }
  return kInternal;
}

void write_json_strings(std::ostream& out, const std::vector<std::string>& list) {
  out << '[';
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) out << ",\n";
    write_json_string(out, list[i]);
  }
  out << ']';
}

// The "pyheap" section: what the advisor reads beyond V8's fields (docs/design.md, "The advisor").
void write_pyheap_section(const ObjectGraph& graph, std::ostream& out) {
  out << "\"pyheap\":{\"version\":1,\"runtime\":\"pyheap\",\"node_fields\":[\"type\",\"length\",\"capacity\",\"aux\",\"aux2\",\"site\",\"external\"],\n\"types\":[";
  const auto& types = graph.types();
  for (std::size_t i = 0; i < types.size(); ++i) {
    out << (i ? ",\n" : "") << "{\"name\":";
    write_json_string(out, types[i].name);
    out << ",\"module\":";
    write_json_string(out, types[i].module);
    out << ",\"role\":\"" << role_name(types[i].role) << "\"}";
  }
  out << "],\n\"sites\":";
  write_json_strings(out, graph.sites());
  out << ",\n\"nodes\":[";
  const auto& nodes = graph.nodes();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[i];
    out << (i ? ",\n" : "") << n.type << ',' << n.length << ',' << n.capacity << ',' << n.aux << ',' << n.aux2 << ','
        << n.site << ',' << n.external;
  }
  out << "]}";
}
}  // namespace

void write_heap_snapshot(const ObjectGraph& graph, std::ostream& out) {
  const auto& nodes = graph.nodes();
  const auto& edges = graph.edges();
  out << "{\"snapshot\":{\"meta\":" << kMeta << ",\"node_count\":" << nodes.size()
      << ",\"edge_count\":" << edges.size() << ",\"trace_function_count\":0},\n\"nodes\":[";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[i];
    out << (i ? ",\n" : "") << node_type(graph.types()[n.type].role) << ',' << n.name << ',' << 2 * i + 1 << ','
        << n.bytes << ',' << n.edge_count << ",0,0";
  }
  out << "],\n\"edges\":[";
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const auto& e = edges[i];
    out << (i ? ",\n" : "") << edge_type(e.kind) << ',' << e.name << ',' << std::size_t{e.to} * kNodeFields;
  }
  out << "],\n\"trace_function_infos\":[],\"trace_tree\":[],\"samples\":[],\"locations\":[],\n\"strings\":";
  write_json_strings(out, graph.strings());
  out << ",\n";
  write_pyheap_section(graph, out);
  out << "}\n";
}

void write_heap_snapshot(const HeapGraph& graph, std::ostream& out) { write_heap_snapshot(ObjectGraph::from(graph), out); }

void write_heap_snapshot_file(const HeapGraph& graph, const std::string& path) {
  std::ofstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot write " + path);
  write_heap_snapshot(graph, f);
  f.close();
  if (!f) throw std::runtime_error("cannot write " + path);
}

}  // namespace pyheap
