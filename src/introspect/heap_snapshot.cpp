// The .heapsnapshot writer: a strings table built while the nodes and edges are numbered.
#include "pyheap/heap_snapshot.hpp"

#include <fstream>
#include <ostream>
#include <stdexcept>
#include <unordered_map>

#include "pyheap/heap_graph.hpp"

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

class Strings {
 public:
  std::size_t id(const std::string& s) {
    auto [it, fresh] = ids_.emplace(s, list_.size());
    if (fresh) list_.push_back(&it->first);
    return it->second;
  }
  const std::vector<const std::string*>& list() const { return list_; }

 private:
  std::unordered_map<std::string, std::size_t> ids_;
  std::vector<const std::string*> list_;
};

void write_json_string(std::ostream& out, const std::string& s) {
  static const char* hex = "0123456789abcdef";
  out << '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out << "\\\""; break;
      case '\\': out << "\\\\"; break;
      case '\n': out << "\\n"; break;
      case '\r': out << "\\r"; break;
      case '\t': out << "\\t"; break;
      default:
        if (c < 0x20) {
          out << "\\u00" << hex[c >> 4] << hex[c & 15];
        } else {
          out << ch;  // UTF-8 passes through: Str holds only valid UTF-8
        }
    }
  }
  out << '"';
}

int node_type(HeapGraph::NodeKind k) {
  switch (k) {
    case HeapGraph::NodeKind::Synthetic: return kSynthetic;
    case HeapGraph::NodeKind::String: return kString;
    case HeapGraph::NodeKind::Number: return kNumber;
    case HeapGraph::NodeKind::Object: return kObject;
  }
  return kHidden;
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
}  // namespace

void write_heap_snapshot(const HeapGraph& graph, std::ostream& out) {
  Strings strings;
  const auto& nodes = graph.nodes();
  const auto& edges = graph.edges();
  out << "{\"snapshot\":{\"meta\":" << kMeta << ",\"node_count\":" << nodes.size()
      << ",\"edge_count\":" << edges.size() << ",\"trace_function_count\":0},\n\"nodes\":[";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[i];
    out << (i ? ",\n" : "") << node_type(n.kind) << ',' << strings.id(n.name) << ',' << 2 * i + 1 << ','
        << n.self_size << ',' << n.edge_count << ",0,0";
  }
  out << "],\n\"edges\":[";
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const auto& e = edges[i];
    out << (i ? ",\n" : "") << edge_type(e.kind) << ','
        << (e.kind == EdgeKind::Element ? e.index : strings.id(e.name)) << ','
        << std::size_t{e.to} * kNodeFields;
  }
  out << "],\n\"trace_function_infos\":[],\"trace_tree\":[],\"samples\":[],\"locations\":[],\n\"strings\":[";
  const auto& list = strings.list();
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) out << ",\n";
    write_json_string(out, *list[i]);
  }
  out << "]}\n";
}

void write_heap_snapshot_file(const HeapGraph& graph, const std::string& path) {
  std::ofstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot write " + path);
  write_heap_snapshot(graph, f);
  f.close();
  if (!f) throw std::runtime_error("cannot write " + path);
}

}  // namespace pyheap
