// ObjectGraph::read: a .heapsnapshot, with or without its "pyheap" section.
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "introspect/advise_sizes.hpp"
#include "introspect/json_cursor.hpp"
#include "introspect/object_graph_builder.hpp"
#include "pyheap/object_graph.hpp"

namespace pyheap {

namespace {

struct Fields {
  std::vector<std::string> names;
  std::size_t index(const std::string& name, bool required) const {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return i;
    if (required) throw std::runtime_error("the snapshot has no node or edge field '" + name + "'");
    return names.size();
  }
};

std::vector<std::string> read_strings(JsonCursor& in) {
  std::vector<std::string> out;
  in.for_each_element([&] { out.push_back(in.read_string()); });
  return out;
}

std::vector<std::int64_t> read_ints(JsonCursor& in) {
  std::vector<std::int64_t> out;
  in.for_each_element([&] { out.push_back(in.read_int()); });
  return out;
}

// Everything the file says, before it is checked and turned into a graph.
struct Raw {
  Fields node_fields, edge_fields;
  std::vector<std::string> v8_node_types, v8_edge_types;
  std::vector<std::int64_t> nodes, edges;
  std::vector<std::string> strings;
  bool has_pyheap = false;
  std::string runtime = "pyheap", runtime_version;
  Fields extra_fields;
  std::vector<ObjectGraph::Type> types;
  std::vector<std::string> sites;
  std::vector<std::int64_t> extra;
};

void read_meta(JsonCursor& in, Raw& raw) {
  in.for_each_member([&](const std::string& key) {
    if (key == "node_fields") {
      raw.node_fields.names = read_strings(in);
    } else if (key == "edge_fields") {
      raw.edge_fields.names = read_strings(in);
    } else if (key == "node_types" || key == "edge_types") {
      // [[names of the "type" field's values], then the other fields' kinds]
      bool first = true;
      in.for_each_element([&] {
        if (first && in.peek() == '[') {
          (key == "node_types" ? raw.v8_node_types : raw.v8_edge_types) = read_strings(in);
        } else {
          in.skip_value();
        }
        first = false;
      });
    } else {
      in.skip_value();
    }
  });
}

void read_pyheap_section(JsonCursor& in, Raw& raw) {
  raw.has_pyheap = true;
  in.for_each_member([&](const std::string& key) {
    if (key == "runtime") {
      raw.runtime = in.read_string();
    } else if (key == "runtime_version") {
      raw.runtime_version = in.read_string();
    } else if (key == "node_fields") {
      raw.extra_fields.names = read_strings(in);
    } else if (key == "types") {
      in.for_each_element([&] {
        ObjectGraph::Type t;
        in.for_each_member([&](const std::string& k) {
          if (k == "name") {
            t.name = in.read_string();
          } else if (k == "module") {
            t.module = in.read_string();
          } else if (k == "role") {
            t.role = role_from_name(in.read_string());
          } else {
            in.skip_value();
          }
        });
        raw.types.push_back(std::move(t));
      });
    } else if (key == "sites") {
      raw.sites = read_strings(in);
    } else if (key == "nodes") {
      raw.extra = read_ints(in);
    } else {
      in.skip_value();
    }
  });
}

Raw read_raw(std::string_view text) {
  JsonCursor in(text);
  Raw raw;
  in.for_each_member([&](const std::string& key) {
    if (key == "snapshot") {
      in.for_each_member([&](const std::string& k) {
        if (k == "meta") {
          read_meta(in, raw);
        } else {
          in.skip_value();
        }
      });
    } else if (key == "nodes") {
      raw.nodes = read_ints(in);
    } else if (key == "edges") {
      raw.edges = read_ints(in);
    } else if (key == "strings") {
      raw.strings = read_strings(in);
    } else if (key == "pyheap") {
      read_pyheap_section(in, raw);
    } else {
      in.skip_value();
    }
  });
  if (in.peek() != '\0') throw in.error("text after the snapshot");
  return raw;
}

std::uint32_t checked_index(std::int64_t v, std::size_t size, const char* what) {
  if (v < 0 || static_cast<std::uint64_t>(v) >= size) throw std::runtime_error(std::string("bad ") + what + " index");
  return static_cast<std::uint32_t>(v);
}

EdgeKind edge_kind(const std::string& v8) {
  if (v8 == "element" || v8 == "hidden") return EdgeKind::Element;
  if (v8 == "property") return EdgeKind::Property;
  if (v8 == "weak") return EdgeKind::Weak;
  return EdgeKind::Internal;  // context, internal, shortcut
}

Role role_of_v8_type(const std::string& v8) {
  if (v8 == "synthetic") return Role::Synthetic;
  if (v8 == "string" || v8 == "concatenated string" || v8 == "sliced string") return Role::Str;
  if (v8 == "number") return Role::Float;
  return Role::Other;
}

ObjectGraph build(Raw raw) {
  const std::size_t nf = raw.node_fields.names.size(), ef = raw.edge_fields.names.size();
  if (nf == 0 || ef == 0) throw std::runtime_error("not a .heapsnapshot: no snapshot.meta node_fields/edge_fields");
  if (raw.nodes.size() % nf != 0 || raw.edges.size() % ef != 0)
    throw std::runtime_error("the nodes or edges array is not a whole number of records");
  const std::size_t f_type = raw.node_fields.index("type", true), f_name = raw.node_fields.index("name", true),
                    f_size = raw.node_fields.index("self_size", true),
                    f_edges = raw.node_fields.index("edge_count", true);
  const std::size_t e_type = raw.edge_fields.index("type", true), e_name = raw.edge_fields.index("name_or_index", true),
                    e_to = raw.edge_fields.index("to_node", true);
  const std::size_t n = raw.nodes.size() / nf;
  if (n == 0) throw std::runtime_error("the snapshot has no nodes");
  const bool cpython = raw.has_pyheap && raw.runtime == "cpython";
  std::string description = cpython ? "CPython " + raw.runtime_version : raw.has_pyheap ? "pyheap" : "V8 snapshot";
  ObjectGraph::Builder b(cpython ? Runtime::CPython : Runtime::Pyheap, description);
  const std::size_t string_count = raw.strings.size();
  b.set_strings(std::move(raw.strings));

  std::size_t xf = 0, x_type = 0, x_length = 0, x_capacity = 0, x_aux = 0, x_aux2 = 0, x_site = 0, x_external = 0;
  if (raw.has_pyheap) {
    xf = raw.extra_fields.names.size();
    if (xf == 0 || raw.extra.size() != n * xf) throw std::runtime_error("the pyheap section does not describe every node");
    x_type = raw.extra_fields.index("type", true);
    x_length = raw.extra_fields.index("length", true);
    x_capacity = raw.extra_fields.index("capacity", true);
    x_aux = raw.extra_fields.index("aux", true);
    x_aux2 = raw.extra_fields.index("aux2", true);
    x_site = raw.extra_fields.index("site", true);
    x_external = raw.extra_fields.index("external", true);
    // Taken as they are: the nodes index this list (two classes may share a name).
    for (auto& t : raw.types) b.types().push_back(std::move(t));
    for (std::size_t i = 1; i < raw.sites.size(); ++i) b.add_site(raw.sites[i]);
  }
  const std::size_t type_count = b.types().size();
  const std::uint32_t synthetic_type = b.type("(synthetic)", "", Role::Synthetic);
  std::vector<std::uint32_t> v8_types;  // V8 node type -> our type, for files without the section
  for (const auto& t : raw.v8_node_types) v8_types.push_back(b.type(t, "", role_of_v8_type(t)));
  std::vector<EdgeKind> edge_kinds;
  for (const auto& t : raw.v8_edge_types) edge_kinds.push_back(edge_kind(t));

  auto& nodes = b.nodes();
  nodes.resize(n);
  std::uint64_t edge = 0;
  const std::size_t edge_total = raw.edges.size() / ef;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t* v = raw.nodes.data() + i * nf;
    ObjectGraph::Node& node = nodes[i];
    node.name = checked_index(v[f_name], string_count, "node name");
    if (v[f_edges] < 0) throw std::runtime_error("a negative edge count");
    node.first_edge = static_cast<std::uint32_t>(edge);
    node.edge_count = static_cast<std::uint32_t>(v[f_edges]);
    edge += node.edge_count;
    const std::uint64_t self = static_cast<std::uint64_t>(std::max<std::int64_t>(v[f_size], 0));
    if (raw.has_pyheap) {
      const std::int64_t* x = raw.extra.data() + i * xf;
      node.type = x[x_type] < 0 ? synthetic_type : checked_index(x[x_type], type_count, "type");
      node.length = static_cast<std::uint64_t>(std::max<std::int64_t>(x[x_length], 0));
      node.capacity = static_cast<std::uint64_t>(std::max<std::int64_t>(x[x_capacity], 0));
      node.aux = x[x_aux];
      node.aux2 = x[x_aux2];
      node.site = checked_index(x[x_site], std::max<std::size_t>(b.site_count(), 1), "site");
      node.external = static_cast<std::uint32_t>(std::max<std::int64_t>(x[x_external], 0));
      if (cpython && x[x_capacity] < 0) node.aux = -1;  // the dumper could not read this dict's layout
    } else {
      node.type = v8_types.empty() ? synthetic_type : v8_types.at(checked_index(v[f_type], v8_types.size(), "node type"));
    }
    const Role role = b.types()[node.type].role;
    node.bytes = cpython && role != Role::Synthetic ? advise_detail::cpython311_object_bytes(role, self, node) : self;
  }
  if (edge != edge_total) throw std::runtime_error("the nodes' edge counts do not add up to the edges");
  auto& edges = b.edges();
  edges.resize(edge_total);
  for (std::size_t i = 0; i < edge_total; ++i) {
    const std::int64_t* v = raw.edges.data() + i * ef;
    ObjectGraph::Edge& e = edges[i];
    e.kind = edge_kinds.empty() ? EdgeKind::Element : edge_kinds.at(checked_index(v[e_type], edge_kinds.size(), "edge type"));
    if (v[e_to] < 0 || v[e_to] % static_cast<std::int64_t>(nf) != 0) throw std::runtime_error("bad to_node");
    e.to = checked_index(v[e_to] / static_cast<std::int64_t>(nf), n, "to_node");
    if (e.kind == EdgeKind::Element) {
      if (v[e_name] < 0) throw std::runtime_error("a negative element index");
      e.name = static_cast<std::uint32_t>(v[e_name]);
    } else {
      e.name = checked_index(v[e_name], string_count, "edge name");
    }
  }
  return b.finish();
}

}  // namespace

ObjectGraph ObjectGraph::read(std::istream& in) {
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = std::move(buf).str();
  return build(read_raw(text));
}

ObjectGraph ObjectGraph::read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  f.seekg(0, std::ios::end);
  const auto size = f.tellg();
  f.seekg(0);
  std::string text(static_cast<std::size_t>(size), '\0');
  f.read(text.data(), size);
  if (!f) throw std::runtime_error("cannot read " + path);
  try {
    return build(read_raw(text));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

}  // namespace pyheap
