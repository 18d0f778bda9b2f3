// Finding 7, always reported last: the few objects that retain most of the heap. From the
// program's top-level objects (in a CPython heap those not dominated by another of the program's:
// the interpreter's own tables and modules are left out), each candidate is followed down while
// one child retains at least 9/10 of it (a module's globals -> the one list that is the data), so
// the object named is the one whose release frees the bytes, not a namespace around it; but not
// into an object of a type already met on the way down (a namespace dict apart): a linked list's
// head retains 9/10 of itself in its next node, and so on to the tail, yet the head is what the
// program holds and drops.
#include <algorithm>
#include <unordered_set>

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
  // Top-level objects: dominated by the root, a root group, or (CPython) none of the program's.
  std::vector<std::uint32_t> top;
  // Code is not data: classes, modules, and CPython's functions and code objects are not named.
  auto code = [&](std::uint32_t v) {
    const Role r = c.role(v);
    if (r == Role::Type || r == Role::Module) return true;
    const auto& t = c.g.types()[nodes[v].type];
    return c.g.runtime() == Runtime::CPython && t.module == "builtins" && (t.name == "code" || t.name == "function");
  };
  for (std::uint32_t v = 0; v < n; ++v) {
    if (!c.is_object(v) || c.idom[v] == kUnreachable || !c.in_scope(v) || code(v)) continue;
    const std::uint32_t d = c.idom[v];
    if (!c.is_object(d) || !c.in_scope(d)) top.push_back(v);
  }
  // Namespaces (a module's or an object's own __dict__, a module) do not make a type "met".
  auto namespace_like = [&](std::uint32_t v) { return c.is_owned_dict(v) || c.role(v) == Role::Module; };
  std::sort(top.begin(), top.end(), [&](std::uint32_t a, std::uint32_t b) {
    return c.retained[a] != c.retained[b] ? c.retained[a] > c.retained[b] : a < b;
  });
  Finding f;
  f.kind = FindingKind::Dominators;
  f.origins_are_sites = false;
  std::vector<std::uint32_t> chosen;
  std::unordered_set<std::uint32_t> met;
  for (std::uint32_t v : top) {
    if (chosen.size() == c.options.dominators) break;
    // The first is named whatever its size; the others when they are worth a look beside it.
    if (!chosen.empty() && c.retained[v] * 100 < c.retained[chosen.front()]) break;
    met.clear();
    for (;;) {
      if (!namespace_like(v)) met.insert(nodes[v].type);
      std::uint32_t best = kNone;
      for (std::uint32_t k : kids(v))
        if (best == kNone || c.retained[k] > c.retained[best]) best = k;
      if (best == kNone || c.retained[best] * 10 < c.retained[v] * 9 || !c.in_scope(best)) break;
      if (!namespace_like(best) && met.count(nodes[best].type)) break;
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
  f.title = chosen.empty()        ? "no object of the program retains anything"
            : chosen.size() == 1 ? "the object retaining the most holds " + bytes_text(total) + " (" +
                                       count_text(objects) + " objects)"
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
