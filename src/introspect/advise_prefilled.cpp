// Lists filled ahead of use with None (self.slots = [None] * 10 in every object of a small
// class) that still hold nothing else: each costs its object and 8 bytes a slot for nothing.
// Started empty (and appended to when there is something to store) each costs its object only.
#include <map>

#include "introspect/advise_context.hpp"

namespace pyheap::advise_detail {

namespace {
constexpr std::size_t kMinLists = 8;

// CPython's None (pyheap's lists hold no nulls: the finding is a Python one).
bool nothing(const Context& c, std::uint32_t v) {
  const auto& t = c.g.types()[c.g.nodes()[v].type];
  return t.name == "NoneType" && t.module == "builtins";
}
}  // namespace

void find_prefilled_lists(Context& c, std::vector<Finding>& out) {
  const auto& nodes = c.g.nodes();
  std::map<std::vector<std::uint64_t>, std::vector<std::uint32_t>> fields;
  for (std::uint32_t v = 0; v < nodes.size(); ++v) {
    if (c.role(v) != Role::List || nodes[v].length == 0 || c.is_garbage(v) || !c.in_scope(v)) continue;
    bool empty = true;
    for (const auto& e : c.g.edges_of(v)) empty &= nothing(c, e.to);
    if (empty) fields[c.field_key(v)].push_back(v);
  }
  for (auto& [key, lists] : fields) {
    if (lists.size() < kMinLists) continue;
    const std::uint64_t now = c.freed_bytes(lists, {});
    const std::uint64_t after = lists.size() * c.rules.list_exact(0);
    if (now <= after) continue;
    std::size_t slots = 0;
    for (std::uint32_t v : lists) slots += nodes[v].length;
    const std::string where = c.field_label(lists.front());
    Finding f = make_finding(FindingKind::PrefilledLists, "list", lists.size(), now, after);
    f.title = where + " holds " + count_text(lists.size()) + " lists of nothing but None (" + count_text(slots) +
              " slots)";
    f.change_python = "do not fill them ahead: start " + where + " as [] and append when there is something to store "
                      "(or leave it None until then: that saves the lists too)";
    f.change_cpp = "start each as an empty List::make(heap) and append when there is something to store";
    f.estimate = count_text(lists.size()) + " x (" + bytes_text(now / lists.size()) + " -> " +
                 bytes_text(c.rules.list_exact(0)) + ")";
    if (!c.worth_reporting(f)) continue;
    c.add_origins(f, lists);
    out.push_back(std::move(f));
  }
}

}  // namespace pyheap::advise_detail
