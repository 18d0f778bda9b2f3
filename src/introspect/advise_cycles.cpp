// Finding 6: garbage that only the cycle collector can free. It is grouped by the reference that
// closes its cycles: each garbage structure is walked depth first from the object most referenced
// within it (the parent that children point back to, the owner that parts point back to; ties go
// to the lowest node), and an edge back to an object still on the walk's stack closes a cycle.
// The most frequent such edge, by (type, name, type), is the one to make weak. The walk's start
// cannot be the object the program held (nothing holds garbage any more); in-degree is the sign
// that survives: a back-reference adds one to its target.
#include <algorithm>
#include <map>
#include <numeric>
#include <tuple>

#include "introspect/advise_context.hpp"

namespace pyheap::advise_detail {

namespace {
struct UnionFind {
  std::vector<std::uint32_t> up;
  explicit UnionFind(std::size_t n) : up(n) { std::iota(up.begin(), up.end(), 0); }
  std::uint32_t find(std::uint32_t v) {
    while (up[v] != v) v = up[v] = up[up[v]];
    return v;
  }
  void join(std::uint32_t a, std::uint32_t b) { up[find(a)] = find(b); }
};

// (source type, edge kind, edge name, target type)
using BackEdge = std::tuple<std::uint32_t, EdgeKind, std::uint32_t, std::uint32_t>;
}  // namespace

void find_cyclic_garbage(Context& c, std::vector<Finding>& out) {
  const auto& g = c.g;
  const auto& nodes = g.nodes();
  const auto n = static_cast<std::uint32_t>(nodes.size());
  UnionFind parts(n);
  std::vector<std::uint32_t> garbage;
  for (std::uint32_t v = 0; v < n; ++v) {
    if (!c.is_object(v) || !c.is_garbage(v)) continue;
    garbage.push_back(v);
    for (const auto& e : g.edges_of(v))
      if (e.kind != EdgeKind::Weak && c.is_garbage(e.to)) parts.join(v, e.to);
  }
  if (garbage.empty()) return;

  // Starts: in each structure its most referenced object first (ties: the lowest node), then the
  // rest in node order (for what that one does not reach).
  std::vector<std::uint32_t> within(n, 0);
  for (std::uint32_t v : garbage)
    for (const auto& e : g.edges_of(v))
      if (e.kind != EdgeKind::Weak && c.is_garbage(e.to)) ++within[e.to];
  std::map<std::uint32_t, std::uint32_t> entry;  // structure -> its start
  for (std::uint32_t v : garbage) {
    auto [it, fresh] = entry.emplace(parts.find(v), v);
    if (!fresh && within[v] > within[it->second]) it->second = v;
  }
  std::vector<std::uint32_t> starts;
  for (const auto& [part, v] : entry) starts.push_back(v);
  starts.insert(starts.end(), garbage.begin(), garbage.end());

  // Depth-first walks over the garbage.
  std::map<std::uint32_t, std::map<BackEdge, std::size_t>> back_edges;  // structure -> its back edges
  std::vector<std::uint8_t> state(n, 0);                                // 1 on the stack, 2 done
  std::vector<std::pair<std::uint32_t, std::uint32_t>> stack;           // node, next edge
  for (std::uint32_t start : starts) {
    if (state[start] != 0) continue;
    auto& counts = back_edges[parts.find(start)];
    stack.emplace_back(start, 0);
    state[start] = 1;
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      const auto edges = g.edges_of(v);
      if (next == edges.size()) {
        state[v] = 2;
        stack.pop_back();
        continue;
      }
      const auto& e = edges[next++];
      if (e.kind == EdgeKind::Weak || !c.is_garbage(e.to)) continue;
      if (state[e.to] == 1) {
        ++counts[BackEdge{nodes[v].type, e.kind, e.kind == EdgeKind::Element ? 0 : e.name, nodes[e.to].type}];
      } else if (state[e.to] == 0) {
        state[e.to] = 1;
        stack.emplace_back(e.to, 0);
      }
    }
  }

  // Structures grouped by their most frequent back edge.
  struct Group {
    std::vector<std::uint32_t> objects;
    std::uint64_t bytes = 0;
    std::size_t back_edges = 0;
  };
  std::map<BackEdge, Group> groups;
  std::map<std::uint32_t, BackEdge> chosen;
  for (const auto& [part, counts] : back_edges) {
    BackEdge best{kNone, EdgeKind::Element, 0, kNone};
    std::size_t most = 0;
    for (const auto& [edge, count] : counts)
      if (count > most) {
        best = edge;
        most = count;
      }
    chosen[part] = best;
    groups[best].back_edges += most;
  }
  for (std::uint32_t v : garbage) {
    Group& grp = groups[chosen[parts.find(v)]];
    grp.objects.push_back(v);
    grp.bytes += nodes[v].bytes;
  }
  for (auto& [edge, grp] : groups) {
    const auto& [from, kind, name, to] = edge;
    std::map<std::uint32_t, std::size_t> by_type;
    for (std::uint32_t v : grp.objects) ++by_type[nodes[v].type];
    std::string types;
    for (const auto& [t, count] : by_type) {
      if (!types.empty()) types += ", ";
      types += count_text(count) + " " + g.types()[t].name;
    }
    Finding f;
    f.kind = FindingKind::CyclicGarbage;
    f.count = grp.objects.size();
    f.bytes = grp.bytes;
    f.saving = grp.bytes;
    if (from == kNone) {
      f.type_name = g.type_name(grp.objects.front());
      f.title = count_text(f.count) + " unreachable objects (" + types + ") wait for the collector";
      f.change_python = "drop the references that keep them (they hang from cycles gc.collect() will free)";
      f.change_cpp = "drop the references that keep them, or call heap.gc().collect()";
    } else {
      const std::string from_name = g.types()[from].name, to_name = g.types()[to].name;
      const std::string field = kind == EdgeKind::Element ? "[i]" : "." + g.strings()[name];
      f.type_name = from_name;
      f.title = count_text(f.count) + " objects (" + types + ") are cyclic garbage waiting for the collector; " +
                count_text(grp.back_edges) + " " + from_name + field + " -> " + to_name +
                (grp.back_edges == 1 ? " reference closes the cycle" : " references close the cycles");
      f.change_python = "make " + from_name + field + " a weak reference (weakref.ref(" +
                        (kind == EdgeKind::Element ? std::string("item") : "obj") + "), or a WeakSet/WeakValueDictionary), "
                        "so reference counting frees these at once";
      f.change_cpp = "hold " + from_name + field + " as a pyheap::WeakRef<" + to_name +
                     "> (not a Ref), so reference counting frees these at once";
    }
    f.estimate = bytes_text(grp.bytes) + " of garbage, freed when dropped instead of at the next collection";
    if (!c.worth_reporting(f)) continue;
    c.add_origins(f, grp.objects);
    out.push_back(std::move(f));
  }
}

}  // namespace pyheap::advise_detail
