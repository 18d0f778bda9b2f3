// Sets of integers used as a graph's adjacency ({node: set(neighbours)}, [set() for each node]):
// a set costs 216 bytes empty and four times its items' references once it grows (its table is
// kept at most 3/5 full, 16 bytes a slot), for what a graph reads by iterating. Once the graph is
// built, a tuple per node (40 + 8 bytes an item, the integers kept) or an array (80 + 4 or 8
// bytes an item, the integers unboxed) holds the same neighbours; the cheaper of the two is the
// advice, the other is named with its figure.
#include "introspect/advise_context.hpp"

namespace pyheap::advise_detail {

namespace {
constexpr std::size_t kMinSets = 8;
}

void find_adjacency_sets(Context& c, std::vector<Finding>& out) {
  const auto& nodes = c.g.nodes();
  std::vector<std::uint32_t> sets, elements;
  std::size_t items = 0;
  std::int64_t min = INT64_MAX, max = INT64_MIN;
  for (std::uint32_t v = 0; v < nodes.size(); ++v) {
    if (c.role(v) != Role::Set || nodes[v].length == 0 || c.is_garbage(v) || !c.in_scope(v)) continue;
    std::int64_t lo = min, hi = max;
    if (!int_items(c, v, lo, hi)) continue;
    min = lo;
    max = hi;
    sets.push_back(v);
    items += nodes[v].length;
    for (const auto& e : c.g.edges_of(v)) elements.push_back(e.to);
  }
  if (sets.size() < kMinSets) return;
  const IntItem item = narrowest_int_item(min, max);
  std::uint64_t as_tuples = 0, as_arrays = 0;
  for (std::uint32_t v : sets) {
    as_tuples += c.rules.tuple(nodes[v].length);
    as_arrays += c.rules.typed_array(nodes[v].length, item.size);
  }
  // Tuples keep the integer objects; arrays let go of those only the sets held.
  const std::uint64_t now_tuples = c.freed_bytes(sets, elements);
  std::size_t freed_objects = 0;
  const std::uint64_t now_arrays = c.freed_bytes(sets, {}, &freed_objects);
  const std::int64_t save_tuples = static_cast<std::int64_t>(now_tuples) - static_cast<std::int64_t>(as_tuples);
  const std::int64_t save_arrays = static_cast<std::int64_t>(now_arrays) - static_cast<std::int64_t>(as_arrays);
  const bool tuples = save_tuples >= save_arrays;
  const std::int64_t saving = tuples ? save_tuples : save_arrays;
  if (saving <= 0) return;
  const std::string array = std::string("array('") + item.code + "', sorted(s))";
  Finding f = make_finding(FindingKind::AdjacencySets, "set", sets.size(), tuples ? now_tuples : now_arrays, tuples ? as_tuples : as_arrays);
  const std::string where = c.field_label(sets.front());
  f.title = where + " holds " + count_text(sets.size()) + " sets of integers (" + count_text(items) +
            " in all, a graph's adjacency by the look of it)";
  const std::string other = tuples ? array + " would save " + bytes_text(static_cast<std::uint64_t>(std::max<std::int64_t>(save_arrays, 0)))
                                   : "tuple(s) would save " + bytes_text(static_cast<std::uint64_t>(std::max<std::int64_t>(save_tuples, 0)));
  const std::string each = where.size() > 5 && where.compare(where.size() - 5, 5, "[key]") == 0
                               ? where.substr(0, where.size() - 5) + "[k]"
                               : where;
  f.change_python = "once the graph is built, freeze each set: " + each + " = " +
                    (tuples ? std::string("tuple(s)") : array) + " (iterating is as before; `in` becomes a scan; " +
                    other + ")";
  f.change_cpp = std::string("one pyheap::") + (tuples ? "Tuple" : "Array<" + std::string(item.cpp) + ">") +
                 " of the neighbours per node instead of a set";
  f.estimate = bytes_text(f.bytes) + " of sets" + (tuples ? "" : " and the integers only they hold") + " -> " +
               bytes_text(tuples ? as_tuples : as_arrays) + (tuples ? " of tuples" : " of arrays");
  if (!c.worth_reporting(f)) return;
  c.add_origins(f, sets);
  out.push_back(std::move(f));
}

}  // namespace pyheap::advise_detail
