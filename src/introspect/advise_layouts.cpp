// Findings 1 and 2: objects that each carry their own attribute table while sharing one key set
// (a fixed layout would do), and many records of one shape (columns would do).
#include <algorithm>
#include <map>

#include "introspect/advise_context.hpp"

namespace pyheap::advise_detail {

namespace {

constexpr std::size_t kMinObjects = 8;  // "many": fewer than this is no pattern
constexpr std::size_t kMinRows = 32;    // a table's columns cost a few hundred bytes of headers

// Objects of one type (and kind of record) with the same attribute names in the same order.
struct Shape {
  std::vector<std::uint32_t> objects;  // the records / instances
  std::vector<std::uint32_t> holders;  // where their attributes are (themselves or their dicts)
  std::vector<std::uint32_t> dicts;    // their own dicts, if any
};
using ShapeKey = std::vector<std::uint32_t>;  // type, kind, then the attribute name ids

std::vector<std::string> names_of(const Context& c, const ShapeKey& key) {
  std::vector<std::string> out;
  for (std::size_t i = 2; i < key.size(); ++i) out.push_back(c.g.strings()[key[i]]);
  return out;
}

// The attribute values of a holder, in edge order (its Property edges).
template <class F>
void for_each_value(const Context& c, std::uint32_t holder, F&& f) {
  for (const auto& e : c.g.edges_of(holder))
    if (e.kind == EdgeKind::Property) f(e.to);
}

enum class RecordKind : std::uint32_t { Instance, Record, Dict };

std::map<ShapeKey, Shape> shapes(const Context& c, bool with_plain_records) {
  std::map<ShapeKey, Shape> out;
  const auto n = static_cast<std::uint32_t>(c.g.nodes().size());
  for (std::uint32_t v = 0; v < n; ++v) {
    const Role r = c.role(v);
    RecordKind kind;
    if (r == Role::Instance) {
      kind = RecordKind::Instance;
    } else if (with_plain_records && r == Role::Record) {
      kind = RecordKind::Record;
    } else if (with_plain_records && r == Role::Dict && !c.is_owned_dict(v)) {
      kind = RecordKind::Dict;
    } else {
      continue;
    }
    if (c.is_garbage(v)) continue;
    // Instances of the runtime's own types (functions, classmethods...) cannot be given a layout.
    if (kind != RecordKind::Dict && c.g.types()[c.g.nodes()[v].type].module == "builtins") continue;
    const Context::Attributes a = kind == RecordKind::Dict ? Context::Attributes{v, kNone} : c.attributes(v);
    if (a.holder == kNone) continue;
    if (kind == RecordKind::Dict) {
      bool str_keys = true;  // a record's keys are names: every value under a string key
      for (const auto& e : c.g.edges_of(v)) str_keys &= e.kind != EdgeKind::Element;
      if (!str_keys) continue;
    }
    ShapeKey key{c.g.nodes()[v].type, static_cast<std::uint32_t>(kind)};
    const std::vector<std::uint32_t> names = c.property_names(a.holder);
    if (names.empty()) continue;
    key.insert(key.end(), names.begin(), names.end());
    Shape& s = out[key];
    s.objects.push_back(v);
    s.holders.push_back(a.holder);
    if (a.dict != kNone) s.dicts.push_back(a.dict);
  }
  return out;
}

}  // namespace

void find_fixed_layouts(Context& c, std::vector<Finding>& out) {
  for (auto& [key, s] : shapes(c, false)) {
    if (s.objects.size() < kMinObjects) continue;
    const std::vector<std::string> names = names_of(c, key);
    // The objects and their dicts go; the attribute values move into the new objects.
    std::vector<std::uint32_t> removed = s.objects, kept;
    removed.insert(removed.end(), s.dicts.begin(), s.dicts.end());
    for (std::uint32_t h : s.holders) for_each_value(c, h, [&](std::uint32_t x) { kept.push_back(x); });
    const std::uint64_t now = c.freed_bytes(removed, kept);
    const std::uint64_t each = c.rules.record(names.size());
    const std::uint64_t after = each * s.objects.size();
    if (now <= after) continue;
    Finding f;
    f.kind = FindingKind::FixedLayout;
    f.type_name = c.g.types()[key[0]].name;
    f.count = s.objects.size();
    f.bytes = now;
    f.saving = now - after;
    f.title = count_text(f.count) + " " + f.type_name + " objects each keep a table of the same " +
              std::to_string(names.size()) + " attributes (" + names_list(names) + ")";
    f.change_python = "declare them: class " + f.type_name + ": __slots__ = " + python_names(names) +
                      " (or @dataclass(slots=True)); no per-object dict or values array is made";
    f.change_cpp = "make them pyheap::Record of one RecordType::make(" + cpp_names(names) +
                   ") instead of Instance objects of a Class";
    f.estimate = count_text(f.count) + " x (" + bytes_text(now / f.count) + " -> " + bytes_text(each) + ")";
    if (!c.worth_reporting(f)) continue;
    c.add_origins(f, s.objects);
    out.push_back(std::move(f));
  }
}

void find_columns(Context& c, std::vector<Finding>& out) {
  const auto& nodes = c.g.nodes();
  std::vector<std::uint8_t> is_record(nodes.size(), 0), checked(nodes.size(), 0);
  for (auto& [key, s] : shapes(c, true)) {
    const std::size_t rows = s.objects.size();
    if (rows < kMinRows) continue;
    const std::vector<std::string> names = names_of(c, key);
    const std::size_t k = names.size();
    // A column is numeric when every value is a 64-bit integer, or every value a float.
    std::vector<int> ints(k, 1), floats(k, 1);
    for (std::uint32_t h : s.holders) {
      std::size_t j = 0;
      for_each_value(c, h, [&](std::uint32_t x) {
        ints[j] &= c.role(x) == Role::Int && nodes[x].aux == 1;
        floats[j] &= c.role(x) == Role::Float;
        ++j;
      });
    }
    // Columns replace a collection of rows: lists or tuples holding nothing but these records,
    // which go too. Records that are not (mostly) in such collections are parts of a structure
    // (tree nodes...), where rows of a table would not do.
    for (std::uint32_t v : s.objects) is_record[v] = 1;
    std::vector<std::uint32_t> removed = s.objects, kept;
    removed.insert(removed.end(), s.dicts.begin(), s.dicts.end());
    std::size_t holder_lists = 0, collected = 0;
    std::vector<std::uint32_t> referrers;
    for (std::uint32_t v : s.objects) {
      for (std::uint32_t r : c.referrers(v)) {
        if (checked[r]) continue;
        checked[r] = 1;
        referrers.push_back(r);
        if (c.role(r) != Role::List && c.role(r) != Role::Tuple) continue;
        bool only_records = true;
        for (const auto& e : c.g.edges_of(r)) only_records &= is_record[e.to] != 0;
        if (only_records && nodes[r].length >= kMinRows) {
          removed.push_back(r);
          ++holder_lists;
          collected += nodes[r].length;
        }
      }
    }
    for (std::uint32_t v : s.objects) is_record[v] = 0;
    for (std::uint32_t r : referrers) checked[r] = 0;
    if (collected * 10 < rows * 9) continue;
    for (std::uint32_t h : s.holders) {
      std::size_t j = 0;
      for_each_value(c, h, [&](std::uint32_t x) {
        if (!ints[j] && !floats[j]) kept.push_back(x);  // numbers are unboxed into the columns
        ++j;
      });
    }
    const std::uint64_t now = c.freed_bytes(removed, kept);
    std::uint64_t after = c.rules.columns_holder(k);
    // The rows' own name in the advice, when one list holds them under a name.
    std::string rows_name = holder_lists == 1 ? c.known_as(removed[s.objects.size() + s.dicts.size()]) : "";
    if (rows_name.empty() || rows_name.find_first_of(" .[]'\"") != std::string::npos) rows_name = "rows";
    std::string py_columns, cpp_columns;
    const bool dicts = key[1] == static_cast<std::uint32_t>(RecordKind::Dict);
    for (std::size_t j = 0; j < k; ++j) {
      const std::string get = dicts ? "r['" + names[j] + "']" : "r." + names[j];
      const bool numeric = ints[j] || floats[j];
      after += numeric ? c.rules.number_column(rows, 8) : c.rules.object_column(rows);
      if (j < 3) {
        py_columns += (j ? ", '" : "'") + names[j] + "': " +
                      (numeric ? std::string("array('") + (ints[j] ? "q" : "d") + "', [" + get + " for r in " + rows_name + "])"
                               : "[" + get + " for r in " + rows_name + "]");
        cpp_columns += std::string(j ? ", " : "") + "{\"" + names[j] + "\", Table::Kind::" +
                       (ints[j] ? "Int64" : floats[j] ? "Float64" : "Object") + "}";
      }
    }
    if (k > 3) {
      py_columns += ", ...";
      cpp_columns += ", ...";
    }
    if (now <= after) continue;
    Finding f;
    f.kind = FindingKind::Columns;
    f.type_name = c.g.types()[key[0]].name;
    f.count = rows;
    f.bytes = now;
    f.saving = now - after;
    const auto kind = static_cast<RecordKind>(key[1]);
    f.title = count_text(rows) + (kind == RecordKind::Dict ? " dicts" : " " + f.type_name + " objects") +
              " of one shape (" + names_list(names) +
              ") in " + count_text(holder_lists) + (holder_lists == 1 ? " list" : " lists");
    f.change_python = "store them as columns, one per field: {" + py_columns + "}";
    f.change_cpp = "one pyheap::Table::make(heap, {" + cpp_columns + "}) with an append_row per record";
    f.estimate = bytes_text(now) + " of records and their lists -> " + bytes_text(after) +
                 " of columns";
    if (!c.worth_reporting(f)) continue;
    c.add_origins(f, s.objects);
    out.push_back(std::move(f));
  }
}

}  // namespace pyheap::advise_detail
