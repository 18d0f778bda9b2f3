// Finding 7, always reported last: the few objects that retain most of the heap. From the root's
// direct dominator-tree children, each candidate is followed down while one child retains at least
// 9/10 of it (a module's globals -> the one list that is the data), so the object named is the
// one whose release frees the bytes, not a namespace around it.
#include <algorithm>

#include "introspect/advise_context.hpp"

namespace pyheap::advise_detail {

Finding find_dominators(Context& c) {
  const auto& nodes = c.g.nodes();
  const auto n = static_cast<std::uint32_t>(nodes.size());
  // Dominator-tree children, and subtree object counts.
  std::vector<std::uint32_t> child_first(n + 1, 0), children;
  for (std::uint32_t v = 0; v < n; ++v)
    if (v != ObjectGraph::kRoot && c.idom[v] != kUnreachable) ++child_first[c.idom[v] + 1];
  for (std::uint32_t v = 0; v < n; ++v) child_first[v + 1] += child_first[v];
  children.resize(child_first[n]);
  {
    std::vector<std::uint32_t> fill(child_first.begin(), child_first.end() - 1);
    for (std::uint32_t v = 0; v < n; ++v)
      if (v != ObjectGraph::kRoot && c.idom[v] != kUnreachable) children[fill[c.idom[v]]++] = v;
  }
  auto kids = [&](std::uint32_t v) {
    return std::span<const std::uint32_t>(children.data() + child_first[v], child_first[v + 1] - child_first[v]);
  };
  // Top-level objects: dominated by the root or a root group.
  std::vector<std::uint32_t> top;
  for (std::uint32_t v = 0; v < n; ++v)
    if (c.is_object(v) && c.idom[v] != kUnreachable && !c.is_object(c.idom[v])) top.push_back(v);
  std::sort(top.begin(), top.end(), [&](std::uint32_t a, std::uint32_t b) {
    return c.retained[a] != c.retained[b] ? c.retained[a] > c.retained[b] : a < b;
  });
  Finding f;
  f.kind = FindingKind::Dominators;
  f.origins_are_sites = false;
  std::vector<std::uint32_t> chosen;
  for (std::uint32_t v : top) {
    if (chosen.size() == c.options.dominators) break;
    for (;;) {
      std::uint32_t best = kNone;
      for (std::uint32_t k : kids(v))
        if (best == kNone || c.retained[k] > c.retained[best]) best = k;
      if (best == kNone || c.retained[best] * 10 < c.retained[v] * 9) break;
      v = best;
    }
    chosen.push_back(v);
  }
  std::uint64_t total = 0;
  std::size_t objects = 0;
  for (std::uint32_t v : chosen) {
    // Objects retained: the subtree's size.
    std::size_t count = 0;
    std::vector<std::uint32_t> stack{v};
    while (!stack.empty()) {
      const std::uint32_t u = stack.back();
      stack.pop_back();
      ++count;
      for (std::uint32_t k : kids(u)) stack.push_back(k);
    }
    total += c.retained[v];
    objects += count;
    f.origins.push_back(FindingOrigin{c.path_to(v), count, c.retained[v]});
  }
  f.count = objects;
  f.bytes = total;
  f.saving = total;
  f.type_name = chosen.empty() ? "" : c.g.type_name(chosen.front());
  f.title = chosen.empty() ? "no object retains anything"
                           : "the " + std::to_string(chosen.size()) + " objects retaining the most hold " +
                                 bytes_text(total) + " (" + count_text(objects) + " objects)";
  f.change_python = "drop each when it is no longer needed (del the name, or clear the container that holds it): "
                    "everything only it holds goes with it";
  f.change_cpp = "release the Ref that holds each (reset() or let it go out of scope) when it is no longer needed";
  f.estimate = "the retained size of each (what every path from a root to those objects runs through)";
  c.worth_reporting(f);  // fills the share; this finding is reported whatever its size
  return f;
}

}  // namespace pyheap::advise_detail
