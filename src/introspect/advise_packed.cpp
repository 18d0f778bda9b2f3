// Lists of small tuples of integers, (doc, pos) pairs of a word index, (x, y) points: each tuple
// an object with a header and a reference per item, each integer another object, for what is two
// or three numbers. One flat array per list holds the same numbers unboxed, tuple i at
// [k*i .. k*i + k): array('I', [x for t in pairs for x in t]).
#include <map>

#include "introspect/advise_context.hpp"

namespace pyheap::advise_detail {

namespace {
constexpr std::size_t kMinTuples = 32;  // in all the lists of a finding: fewer is no pattern
constexpr std::size_t kMaxWidth = 8;
}  // namespace

void find_packed_tuples(Context& c, std::vector<Finding>& out) {
  const auto& nodes = c.g.nodes();
  struct Group {
    std::vector<std::uint32_t> lists;
    std::vector<std::size_t> lengths;
    std::size_t tuples = 0;
    std::int64_t min = INT64_MAX, max = INT64_MIN;
  };
  std::map<std::size_t, Group> by_width;  // tuple width -> its lists
  for (std::uint32_t v = 0; v < nodes.size(); ++v) {
    if (c.role(v) != Role::List || nodes[v].length == 0 || c.is_garbage(v) || !c.in_scope(v)) continue;
    const auto items = c.g.edges_of(v);
    if (items.size() != nodes[v].length) continue;
    std::size_t width = 0;
    std::int64_t min = INT64_MAX, max = INT64_MIN;
    bool all = true;
    for (const auto& e : items) {
      const std::uint32_t t = e.to;
      if (c.role(t) != Role::Tuple || nodes[t].length < 2 || nodes[t].length > kMaxWidth ||
          (width != 0 && nodes[t].length != width)) {
        all = false;
        break;
      }
      width = nodes[t].length;
      if (!int_items(c, t, min, max)) {
        all = false;
        break;
      }
    }
    if (!all) continue;
    Group& grp = by_width[width];
    grp.lists.push_back(v);
    grp.lengths.push_back(items.size());
    grp.tuples += items.size();
    grp.min = std::min(grp.min, min);
    grp.max = std::max(grp.max, max);
  }
  for (auto& [width, grp] : by_width) {
    if (grp.tuples < kMinTuples) continue;
    const IntItem item = narrowest_int_item(grp.min, grp.max);
    std::uint64_t after = 0;
    for (std::size_t len : grp.lengths) after += c.rules.typed_array(len * width, item.size);
    std::size_t freed_objects = 0;
    const std::uint64_t now = c.freed_bytes(grp.lists, {}, &freed_objects);
    if (now <= after) continue;
    Finding f = make_finding(FindingKind::PackedTuples, "tuple", grp.lists.size(), now, after);
    const std::string where = c.field_label(grp.lists.front());
    std::string shape = "(int";
    for (std::size_t i = 1; i < width; ++i) shape += ", int";
    shape += ")";
    const bool one = grp.lists.size() == 1;
    f.title = where + (one ? " is a list of " : " holds " + count_text(grp.lists.size()) + " lists of ") +
              count_text(grp.tuples) + " " + shape + " tuples";
    f.change_python = "pack each list's numbers into one array once it is built: array('" + std::string(1, item.code) +
                      "', [x for t in pairs for x in t]) (tuple i at [" + std::to_string(width) + "*i:" +
                      std::to_string(width) + "*i+" + std::to_string(width) + "])";
    f.change_cpp = std::string("one pyheap::Array<") + item.cpp + "> per list, " + std::to_string(width) +
                   " items per tuple, instead of a List of Tuples of Ints";
    f.estimate = bytes_text(now) + " (" + count_text(freed_objects) + " objects: lists, tuples, integers) -> " +
                 bytes_text(after) + " of arrays";
    if (!c.worth_reporting(f)) continue;
    c.add_origins(f, grp.lists);
    out.push_back(std::move(f));
  }
}

}  // namespace pyheap::advise_detail
