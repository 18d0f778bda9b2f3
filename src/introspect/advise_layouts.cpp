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
// type, kind, then the attribute name ids (for tuples: the length)
using ShapeKey = std::vector<std::uint32_t>;

enum class RecordKind : std::uint32_t { Instance, Record, Dict, Tuple };
constexpr std::size_t kMaxTupleFields = 32;

std::vector<std::string> names_of(const Context& c, const ShapeKey& key) {
  std::vector<std::string> out;
  if (key[1] == static_cast<std::uint32_t>(RecordKind::Tuple)) {
    for (std::uint32_t i = 0; i < key[2]; ++i) out.push_back(std::to_string(i));
    return out;
  }
  for (std::size_t i = 2; i < key.size(); ++i) out.push_back(c.g.strings()[key[i]]);
  return out;
}

// The attribute values of a holder, in edge order (its Property edges; a tuple's items).
template <class F>
void for_each_value(const Context& c, std::uint32_t holder, F&& f) {
  const EdgeKind field = c.role(holder) == Role::Tuple ? EdgeKind::Element : EdgeKind::Property;
  for (const auto& e : c.g.edges_of(holder))
    if (e.kind == field) f(e.to);
}

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
    } else if (with_plain_records && r == Role::Tuple) {
      kind = RecordKind::Tuple;  // rows as a database cursor returns them
    } else {
      continue;
    }
    if (c.is_garbage(v) || !c.in_scope(v)) continue;
    if (kind == RecordKind::Tuple) {
      const std::uint64_t len = c.g.nodes()[v].length;
      if (len < 2 || len > kMaxTupleFields || c.g.edges_of(v).size() != len) continue;
      // One shape per length and the roles of the items: a table's rows, not every pair.
      ShapeKey key{c.g.nodes()[v].type, static_cast<std::uint32_t>(kind), static_cast<std::uint32_t>(len)};
      for (const auto& e : c.g.edges_of(v)) key.push_back(static_cast<std::uint32_t>(c.role(e.to)));
      Shape& s = out[key];
      s.objects.push_back(v);
      s.holders.push_back(v);
      continue;
    }
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

namespace {
// The Python wording of a fixed layout for the objects of `type` with attributes `names`, given
// what its hierarchy needs; sets *foreign when the program cannot change the class.
std::string slots_change(const Context& c, std::uint32_t type, const std::vector<std::string>& names,
                         const SlotsPlan& plan, std::string& foreign_note) {
  const std::string& name = c.g.types()[type].name;
  if (!plan.known) {
    return "declare them: class " + name + ": __slots__ = " + python_names(names) +
           " (or @dataclass(slots=True)); no per-object dict or values array is made";
  }
  if (!plan.foreign.empty()) {
    const std::uint32_t f = plan.foreign.front();
    const std::string module = c.class_module(f);
    const bool itself = f == c.class_node(type);
    foreign_note = itself ? (module.empty() ? "a builtin class" : module + "'s class")
                          : "its base " + class_with_module(c, f) + " is " + (module.empty() ? "builtin" : module + "'s");
    return (itself ? name + " is " + foreign_note : name + ": " + foreign_note) +
           ", not the program's: __slots__ cannot be added there. Keep what the program uses in a class of its own "
           "instead, one object per " + name + ": class " + name + "Data: __slots__ = " + python_names(names) +
           ", and let the " + name + " objects go";
  }
  std::string out;
  if (plan.need.size() == 1) {
    out = "declare them: class " + c.class_name(plan.need.front()) + ": __slots__ = " + python_names(names) +
          (plan.need.front() == c.class_node(type) ? " (or @dataclass(slots=True))" : "");
    if (plan.need.front() != c.class_node(type)) out += " (the base " + name + " derives from: it has none yet)";
    return out + "; no per-object dict or values array is made";
  }
  out = "declare __slots__ in every class of the hierarchy, or the objects keep their dict: ";
  for (std::size_t i = 0; i < plan.need.size(); ++i)
    out += (i ? "; class " : "class ") + c.class_name(plan.need[i]) + ": __slots__ = " + (i ? "()" : python_names(names));
  return out + " (an attribute a base's __init__ sets may go in that base's __slots__ instead)";
}
}  // namespace

void find_fixed_layouts(Context& c, std::vector<Finding>& out) {
  std::vector<std::uint8_t> replaced(c.g.nodes().size(), 0);
  for (auto& [key, s] : shapes(c, false)) {
    if (s.objects.size() < kMinObjects) continue;
    const std::vector<std::string> names = names_of(c, key);
    // The objects and their dicts go; the attribute values move into the new objects, except
    // those that are objects replaced too (a node's next node): their replacements take over.
    std::vector<std::uint32_t> removed = s.objects, kept;
    removed.insert(removed.end(), s.dicts.begin(), s.dicts.end());
    for (std::uint32_t v : s.objects) replaced[v] = 1;
    for (std::uint32_t h : s.holders)
      for_each_value(c, h, [&](std::uint32_t x) {
        if (!replaced[x]) kept.push_back(x);
      });
    for (std::uint32_t v : s.objects) replaced[v] = 0;
    const std::uint64_t now = c.freed_bytes(removed, kept);
    const std::uint64_t each = c.rules.record(names.size());
    const std::uint64_t after = each * s.objects.size();
    if (now <= after) continue;
    Finding f = make_finding(FindingKind::FixedLayout, c.g.types()[key[0]].name, s.objects.size(), now, after);
    const SlotsPlan plan = slots_plan(c, key[0]);
    std::string foreign;
    f.change_python = slots_change(c, key[0], names, plan, foreign);
    f.title = count_text(f.count) + " " + f.type_name + " objects" + (foreign.empty() ? "" : " (" + foreign + ")") +
              " each keep a table of the same " + std::to_string(names.size()) +
              (names.size() == 1 ? " attribute (" : " attributes (") + names_list(names) + ")";
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
    const auto kind = static_cast<RecordKind>(key[1]);
    const bool tuples = kind == RecordKind::Tuple;
    // Rows of a tuple become a tuple of columns; named fields a dict {name: column}.
    std::uint64_t after = tuples ? c.rules.tuple(k) : c.rules.columns_holder(k);
    // The rows' own name in the advice, when one list holds them under a name.
    std::string rows_name = holder_lists == 1 ? c.known_as(removed[s.objects.size() + s.dicts.size()]) : "";
    if (rows_name.empty() || rows_name.find_first_of(" .[]'\"") != std::string::npos) rows_name = "rows";
    std::string py_columns, cpp_columns;
    const bool dicts = key[1] == static_cast<std::uint32_t>(RecordKind::Dict);
    for (std::size_t j = 0; j < k; ++j) {
      const std::string get = tuples ? "r[" + names[j] + "]" : dicts ? "r['" + names[j] + "']" : "r." + names[j];
      const bool numeric = ints[j] || floats[j];
      after += numeric ? c.rules.number_column(rows, 8) : c.rules.object_column(rows);
      if (j < 3) {
        py_columns += std::string(j ? ", " : "") + (tuples ? "" : "'" + names[j] + "': ") +
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
    Finding f = make_finding(FindingKind::Columns, c.g.types()[key[0]].name, rows, now, after);
    std::string foreign;
    if (kind == RecordKind::Instance || kind == RecordKind::Record) {
      const std::uint32_t cls = c.class_node(key[0]);
      if (cls != kNone && !c.owns_type(key[0])) foreign = " (" + c.class_module(cls) + "'s class: the program keeps the values)";
    }
    f.title = count_text(rows) +
              (kind == RecordKind::Dict ? " dicts" : tuples ? " tuples" : " " + f.type_name + " objects" + foreign) +
              " of one shape (" + (tuples ? std::to_string(k) + " items" : names_list(names)) + ") in " +
              count_text(holder_lists) + (holder_lists == 1 ? " list" : " lists");
    f.change_python = tuples ? "store them as columns, one per position: (" + py_columns + ")"
                             : "store them as columns, one per field: {" + py_columns + "}";
    f.change_cpp = "one pyheap::Table::make(heap, {" + cpp_columns + "}) with an append_row per record";
    f.estimate = bytes_text(now) + " of records and their lists -> " + bytes_text(after) +
                 " of columns";
    if (!c.worth_reporting(f)) continue;
    c.add_origins(f, s.objects);
    out.push_back(std::move(f));
  }
}

}  // namespace pyheap::advise_detail
