// Finding 4: equal strings stored as separate objects (interning keeps one), and equal tuples
// stored as separate objects (immutable: one can be shared).
#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include "introspect/advise_context.hpp"

namespace pyheap::advise_detail {

namespace {
// Which copy stays: one held from outside (it cannot go anyway), an interned one, else the first.
template <class Group>
std::vector<std::uint32_t> removable_copies(const Context& c, const Group& members, bool& canonical_interned) {
  const auto& nodes = c.g.nodes();
  std::size_t keep = 0;
  for (std::size_t i = 0; i < members.size(); ++i) {
    const auto v = members[i];
    if (c.role(v) == Role::Str && nodes[v].aux2 == 1) {
      keep = i;
      canonical_interned = true;
      break;
    }
    if (c.is_root(v) && !c.is_root(members[keep])) keep = i;
  }
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < members.size(); ++i)
    if (i != keep && !c.is_root(members[i])) out.push_back(members[i]);
  return out;
}
}  // namespace

void find_duplicate_strings(Context& c, std::vector<Finding>& out) {
  const auto& nodes = c.g.nodes();
  // Same text: same name (texts up to 1000 bytes are names), hash, length and size.
  using Text = std::tuple<std::uint32_t, std::int64_t, std::uint64_t, std::uint64_t>;
  auto text_of = [&](std::uint32_t v) { return Text{nodes[v].name, nodes[v].aux, nodes[v].length, nodes[v].bytes}; };
  std::map<Text, std::vector<std::uint32_t>> all;
  for (std::uint32_t v = 0; v < nodes.size(); ++v)
    if (c.role(v) == Role::Str && !c.is_garbage(v)) all[text_of(v)].push_back(v);
  // A copy that stays whatever the program does: held from outside, or interned already. Then
  // every copy in a field can go; otherwise one per text stays (the first interned).
  std::map<Text, bool> stays;
  for (const auto& [text, members] : all) {
    if (members.size() < 2) continue;
    bool interned = false;
    const auto removable = removable_copies(c, members, interned);
    stays[text] = interned || removable.size() < members.size() - 1;
  }
  // The copies of each field (the attribute, global or container position that holds them):
  // sharing is done where a field is set, so it is priced per field, for every text the field
  // holds (a text it holds once still takes an entry in the table that shares them), saving only
  // its repeats.
  struct Field {
    std::map<Text, std::vector<std::uint32_t>> texts;
  };
  std::map<std::vector<std::uint64_t>, Field> fields;
  for (const auto& [text, members] : all) {
    if (members.size() < 2) continue;  // a text held once in the whole heap repeats nowhere
    for (std::uint32_t v : members)
      if (c.in_scope(v) && !c.is_root(v)) fields[c.field_key(v)].texts[text].push_back(v);
  }
  // Texts the fields hold once, for the intern table's price.
  std::map<std::vector<std::uint64_t>, std::size_t> singles;
  for (const auto& [text, members] : all)
    if (members.size() == 1 && c.in_scope(members.front()) && !c.is_root(members.front())) {
      auto key = c.field_key(members.front());
      if (fields.count(key)) ++singles[key];
    }
  for (auto& [key, field] : fields) {
    std::vector<std::uint32_t> removed;
    std::size_t repeated = 0, new_texts = singles[key];
    std::vector<std::pair<std::size_t, std::uint32_t>> examples;  // copies, a member
    // Through Str::intern (pyheap) an interned copy elsewhere is the one kept; a dict of the
    // field's texts (Python) keeps the field's first copy of each.
    const bool intern_table = c.g.runtime() == Runtime::Pyheap;
    for (const auto& [text, copies] : field.texts) {
      const bool kept_elsewhere = intern_table && stays[text];
      const std::size_t go = kept_elsewhere ? copies.size() : copies.size() - 1;
      new_texts += kept_elsewhere ? 0 : 1;
      if (go == 0) continue;
      ++repeated;
      removed.insert(removed.end(), copies.begin() + static_cast<std::ptrdiff_t>(copies.size() - go), copies.end());
      examples.emplace_back(copies.size(), copies.front());
    }
    if (removed.empty()) continue;
    const std::uint64_t now = c.freed_bytes(removed, {});
    const std::uint64_t cost = c.rules.shared_texts(new_texts);
    if (now <= cost) continue;
    std::sort(examples.begin(), examples.end(),
              [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    std::string sample;
    for (std::size_t i = 0; i < examples.size() && i < 3; ++i)
      sample += (i ? ", " : "") + c.display(examples[i].second) + " x" + count_text(examples[i].first);
    const std::string where = c.field_label(removed.front());
    Finding f = make_finding(FindingKind::InternStrings, "str", removed.size(), now, cost);
    f.title = where + " holds " + count_text(removed.size()) + " extra copies of " + count_text(repeated) +
              (repeated == 1 ? " text (" : " texts (") + sample + ")";
    // A library's field is set by the library's code: the program can share the texts after.
    const std::uint32_t owner = c.field_type(removed.front());
    const std::string foreign =
        owner != kNone && !c.owns_type(owner) && !c.g.types()[owner].module.empty() && c.class_node(owner) != kNone
            ? " (" + where + " is set by " + c.g.types()[owner].module +
                  "'s code, not the program's: share them after it has made them, or keep fewer of its objects)"
            : "";
    f.change_python = "share one copy of each text where " + where + " is set: texts = {} once, then " +
                      "text = texts.setdefault(text, text) (sys.intern(text) does the same through the interpreter's "
                      "table)" + foreign;
    f.change_cpp = "Str::intern(heap, text) instead of Str::make(heap, text) where " + where + " is set";
    f.estimate = count_text(removed.size()) + " copies, " + bytes_text(now) +
                 (cost ? ", less " + bytes_text(cost) + " for the dict of the field's " + count_text(new_texts) +
                             " texts"
                       : "");
    if (!c.worth_reporting(f)) continue;
    c.add_origins(f, removed);
    out.push_back(std::move(f));
  }
}

void find_duplicate_tuples(Context& c, std::vector<Finding>& out) {
  const auto& nodes = c.g.nodes();
  const auto n = static_cast<std::uint32_t>(nodes.size());
  // Value identity, bottom up: strings by text, numbers by type and value, tuples by their items'
  // values, anything else by identity (its node).
  constexpr std::uint32_t kUnset = kNone;
  std::vector<std::uint32_t> value(n, kUnset);
  std::map<std::vector<std::uint64_t>, std::uint32_t> ids;
  auto intern = [&](std::vector<std::uint64_t> key) {
    auto [it, fresh] = ids.emplace(std::move(key), static_cast<std::uint32_t>(ids.size()) + n);
    return it->second;
  };
  auto leaf = [&](std::uint32_t v) -> std::uint32_t {
    const auto& node = nodes[v];
    switch (c.role(v)) {
      case Role::Str: return intern({1, node.name, static_cast<std::uint64_t>(node.aux), node.length, node.bytes});
      case Role::Int:
      case Role::Float: return intern({2, node.type, node.name});
      default: return v;  // identity
    }
  };
  std::vector<std::uint32_t> stack;
  for (std::uint32_t t = 0; t < n; ++t) {
    if (c.role(t) != Role::Tuple || value[t] != kUnset) continue;
    stack.push_back(t);
    while (!stack.empty()) {
      const std::uint32_t v = stack.back();
      bool ready = true;
      for (const auto& e : c.g.edges_of(v)) {
        if (c.role(e.to) == Role::Tuple && value[e.to] == kUnset && e.to != v) {
          stack.push_back(e.to);
          ready = false;
        }
      }
      if (!ready) {
        if (stack.size() > n) return;  // a tuple containing itself: not a value
        continue;
      }
      stack.pop_back();
      if (value[v] != kUnset) continue;
      std::vector<std::uint64_t> key{3};
      for (const auto& e : c.g.edges_of(v)) key.push_back(c.role(e.to) == Role::Tuple ? value[e.to] : leaf(e.to));
      value[v] = intern(std::move(key));
    }
  }
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> groups;
  for (std::uint32_t v = 0; v < n; ++v)
    if (c.role(v) == Role::Tuple && nodes[v].length > 0 && !c.is_garbage(v) && c.in_scope(v)) groups[value[v]].push_back(v);
  std::vector<std::uint32_t> removed;
  std::size_t distinct = 0;
  std::uint64_t example_count = 0;
  std::uint32_t example = kNone;
  for (auto& [id, members] : groups) {
    if (members.size() < 2) continue;
    bool unused = false;
    const auto copies = removable_copies(c, members, unused);
    if (copies.empty()) continue;
    ++distinct;
    removed.insert(removed.end(), copies.begin(), copies.end());
    if (copies.size() > example_count || (copies.size() == example_count && members.front() < example)) {
      example_count = copies.size();
      example = members.front();
    }
  }
  if (removed.empty()) return;
  std::sort(removed.begin(), removed.end());
  std::size_t freed_objects = 0;
  const std::uint64_t now = c.freed_bytes(removed, {}, &freed_objects);
  Finding f = make_finding(FindingKind::ShareTuples, "tuple", removed.size(), now, 0);
  std::string items;
  for (const auto& e : c.g.edges_of(example)) {
    if (items.size() > 40) {
      items += ", ...";
      break;
    }
    items += (items.empty() ? "" : ", ") + c.display(e.to);
  }
  f.title = count_text(removed.size()) + " extra copies of " + count_text(distinct) + " equal tuples (e.g. (" + items +
            ") x" + count_text(example_count + 1) + ")";
  f.change_python = "make each distinct tuple once and share it, e.g. t = shared.setdefault(t, t) with one dict shared";
  f.change_cpp = "keep one Tuple per distinct value (a map from value to Ref<Tuple>) and hand out that one";
  f.estimate = count_text(freed_objects) + " objects (the copies and what only they hold), " + bytes_text(now);
  if (!c.worth_reporting(f)) return;
  c.add_origins(f, removed);
  out.push_back(std::move(f));
}

}  // namespace pyheap::advise_detail
