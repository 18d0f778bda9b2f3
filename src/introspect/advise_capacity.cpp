// Finding 5: lists and dicts holding much more room than their items need: a list shrunk by
// pops or deletions keeps up to twice its size, a dict keeps the table (and deleted entries) of
// its largest size until it is rebuilt.
#include "introspect/advise_context.hpp"

namespace pyheap::advise_detail {

void find_spare_capacity(Context& c, std::vector<Finding>& out) {
  const auto& nodes = c.g.nodes();
  for (const bool dicts : {false, true}) {
    std::vector<std::uint32_t> objects;
    std::uint64_t now = 0, after = 0;
    std::size_t items = 0;
    for (std::uint32_t v = 0; v < nodes.size(); ++v) {
      if (c.is_garbage(v) || !c.in_scope(v)) continue;
      const auto& node = nodes[v];
      std::uint64_t rebuilt = 0;
      if (!dicts && c.role(v) == Role::List) {
        // Appends alone leave at most the growth policy's headroom: more means it shrank.
        if (node.capacity <= list_capacity_after_appends(node.length)) continue;
        rebuilt = c.rules.list_exact(node.length);
      } else if (dicts && c.role(v) == Role::Dict) {
        if (c.g.runtime() == Runtime::CPython && (node.aux < 0 || node.aux == 2)) continue;  // layout unknown, or split
        bool str_keys = true;
        for (const auto& e : c.g.edges_of(v)) str_keys &= e.kind != EdgeKind::Element;
        rebuilt = c.rules.dict_rebuilt(node.length, c.g.runtime() == Runtime::CPython ? node.aux == 1 : str_keys);
      } else {
        continue;
      }
      if (rebuilt >= node.bytes) continue;
      objects.push_back(v);
      now += node.bytes;
      after += rebuilt;
      items += node.length;
    }
    if (objects.empty()) continue;
    Finding f = make_finding(FindingKind::SpareCapacity, dicts ? "dict" : "list", objects.size(), now, after);
    f.title = count_text(objects.size()) + (dicts ? " dicts keep tables sized for more entries than their " :
                                                    " lists keep room for more items than their ") +
              count_text(items) + (dicts ? " entries" : " items");
    f.change_python = dicts ? "rebuild each once its deletions are done: d = dict(d)"
                            : "copy each once it stops shrinking: items = items.copy()";
    f.change_cpp = dicts ? "rebuild each: a fresh Dict::make(heap) filled with its entries"
                         : "copy each: List::make(heap, std::span(list->begin(), list->end()))";
    f.estimate = bytes_text(now) + " -> " + bytes_text(after) + " rebuilt to size";
    if (!c.worth_reporting(f)) continue;
    c.add_origins(f, objects);
    out.push_back(std::move(f));
  }
}

}  // namespace pyheap::advise_detail
