// Finding 6: garbage that only the cycle collector can free, and the references that close its
// cycles: all of them, since a structure with two kinds of cycle (a tree's parent pointers and a
// union-find node's parent = self) is still cyclic garbage when only one kind is made weak.
//
// Each garbage structure (weakly connected) is walked depth first from the object most
// referenced within it (the parent that children point back to, the owner that parts point back
// to; ties go to the lowest node), and an edge back to an object still on the walk's stack closes
// a cycle. Edges are told apart by kind: (source type, name, target type, and whether the edge
// points at its own source). The most frequent kind of back edge is set aside and the walk done
// again without that kind, until a walk finds no cycle: the kinds set aside are the references
// to change. The walk's start cannot be the object the program held (nothing holds garbage any
// more); in-degree is the sign that survives: a back-reference adds one to its target.
//
// The change: a reference to another object becomes weak; a reference of an object to itself
// becomes None (a union-find root is its own parent: None says the same and closes no cycle).
// Its price: the garbage is freed when it is dropped instead of at the next collection, less the
// weak reference objects the program's live structures of the same kinds then make (CPython
// shares one plain weakref.ref per target; pyheap makes one per WeakRef).
#include <algorithm>
#include <map>
#include <numeric>
#include <set>
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

// (source type, edge kind, edge name (0 for elements), target type, points at itself)
using EdgeClass = std::tuple<std::uint32_t, EdgeKind, std::uint32_t, std::uint32_t, bool>;
using Change = std::vector<EdgeClass>;  // sorted

EdgeClass class_of(const ObjectGraph& g, std::uint32_t from, const ObjectGraph::Edge& e) {
  const auto& nodes = g.nodes();
  return EdgeClass{nodes[from].type, e.kind, e.kind == EdgeKind::Element ? 0 : e.name, nodes[e.to].type, e.to == from};
}

std::string field_name(const ObjectGraph& g, const EdgeClass& k) {
  const auto& [from, kind, name, to, self] = k;
  return g.types()[from].name + (kind == EdgeKind::Element ? "[i]" : "." + g.strings()[name]);
}
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

  // Each structure's objects, its start first: its most referenced object (ties: the lowest).
  std::vector<std::uint32_t> within(n, 0);
  for (std::uint32_t v : garbage)
    for (const auto& e : g.edges_of(v))
      if (e.kind != EdgeKind::Weak && c.is_garbage(e.to)) ++within[e.to];
  std::map<std::uint32_t, std::vector<std::uint32_t>> structures;  // part -> its objects, start first
  for (std::uint32_t v : garbage) {
    auto& objects = structures[parts.find(v)];
    objects.push_back(v);
    if (within[v] > within[objects.front()]) std::swap(objects.front(), objects.back());
  }

  // Per structure, the kinds of edge to change, and how many of its edges each kind is.
  std::vector<std::uint8_t> state(n, 0);  // 1 on the stack, 2 done
  std::vector<std::pair<std::uint32_t, std::uint32_t>> stack;
  auto back_edges = [&](const std::vector<std::uint32_t>& objects, const Change& skip) {
    std::map<EdgeClass, std::size_t> counts;
    for (std::uint32_t start : objects) {
      if (state[start] != 0) continue;
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
        if (state[e.to] == 2) continue;
        const EdgeClass k = class_of(g, v, e);
        if (std::binary_search(skip.begin(), skip.end(), k)) continue;
        if (state[e.to] == 1) {
          ++counts[k];
        } else {
          state[e.to] = 1;
          stack.emplace_back(e.to, 0);
        }
      }
    }
    for (std::uint32_t v : objects) state[v] = 0;
    return counts;
  };
  struct Group {
    std::vector<std::uint32_t> objects;
    std::size_t structures = 0;
    std::uint64_t bytes = 0;
    std::map<EdgeClass, std::size_t> closing;  // per kind changed: the back edges it closed
  };
  std::map<Change, Group> groups;
  for (const auto& [part, objects] : structures) {
    Change change;
    std::map<EdgeClass, std::size_t> closing;
    for (;;) {
      const auto counts = back_edges(objects, change);
      if (counts.empty()) break;
      const auto best = std::max_element(counts.begin(), counts.end(),
                                         [](const auto& a, const auto& b) { return a.second < b.second; });
      closing[best->first] += best->second;
      change.insert(std::upper_bound(change.begin(), change.end(), best->first), best->first);
    }
    Group& grp = groups[change];
    ++grp.structures;
    grp.objects.insert(grp.objects.end(), objects.begin(), objects.end());
    for (std::uint32_t v : objects) grp.bytes += nodes[v].bytes;
    for (const auto& [k, count] : closing) grp.closing[k] += count;
  }

  for (auto& [change, grp] : groups) {
    // What the change costs the program's live objects: a weak reference object per reference
    // of a changed kind to another object (per target where they are shared); None costs nothing.
    std::size_t weak = 0;
    if (!change.empty()) {
      std::set<std::uint32_t> targets;
      for (std::uint32_t v = 0; v < n; ++v) {
        if (!c.is_object(v) || c.is_garbage(v)) continue;
        for (const auto& e : g.edges_of(v)) {
          if (e.kind == EdgeKind::Weak || e.to == v) continue;
          const EdgeClass k = class_of(g, v, e);
          if (!std::get<4>(k) && std::binary_search(change.begin(), change.end(), k)) {
            if (c.rules.weak_references_shared()) {
              targets.insert(e.to);
            } else {
              ++weak;
            }
          }
        }
      }
      weak += targets.size();
    }
    const std::uint64_t cost = weak * c.rules.weak_reference();
    if (grp.bytes <= cost) continue;

    std::map<std::uint32_t, std::size_t> by_type;
    for (std::uint32_t v : grp.objects) ++by_type[nodes[v].type];
    std::string types;
    for (const auto& [t, count] : by_type) {
      if (!types.empty()) types += ", ";
      types += count_text(count) + " " + g.types()[t].name;
    }
    Finding f = make_finding(FindingKind::CyclicGarbage, "", grp.objects.size(), grp.bytes, cost);
    if (change.empty()) {
      f.type_name = g.type_name(grp.objects.front());
      f.title = count_text(f.count) + " unreachable objects (" + types + ") wait for the collector";
      f.change_python = "drop the references that keep them (they hang from cycles gc.collect() will free)";
      f.change_cpp = "drop the references that keep them, or call heap.gc().collect()";
    } else {
      f.type_name = g.types()[std::get<0>(change.front())].name;
      std::string closes, python, cpp;
      for (std::size_t i = 0; i < change.size(); ++i) {
        const EdgeClass& k = change[i];
        const std::string field = field_name(g, k), to = g.types()[std::get<3>(k)].name;
        const bool self = std::get<4>(k), element = std::get<1>(k) == EdgeKind::Element;
        const std::string sep = i == 0 ? "" : i + 1 == change.size() ? " and " : ", ";
        closes += sep + count_text(grp.closing[k]) + " " + field + " -> " + (self ? "itself" : to);
        if (self) {
          python += sep + "store None in " + field + " where it is the object itself";
          cpp += sep + "leave " + field + " empty where it is the object itself";
        } else {
          python += sep + "make " + field + " a weak reference (weakref.ref(" + (element ? "item" : "obj") + ")" +
                    (element ? ", or a WeakSet" : "") + ")";
          cpp += sep + "hold " + field + " as a pyheap::WeakRef<" + to + "> (not a Ref)";
        }
      }
      f.title = count_text(f.count) + " objects (" + types + ") in " + count_text(grp.structures) +
                (grp.structures == 1 ? " structure" : " structures") + " are cyclic garbage waiting for the collector; " +
                (change.size() == 1 ? "one kind of reference closes the cycles: " : "cycles of " +
                                      std::to_string(change.size()) + " kinds, closed by ") + closes;
      f.change_python = python + ", so reference counting frees these at once";
      f.change_cpp = cpp + ", so reference counting frees these at once";
    }
    f.estimate = bytes_text(grp.bytes) + " of garbage, freed when dropped instead of at the next collection" +
                 (cost ? ", less " + bytes_text(cost) + " for the " + count_text(weak) +
                             " weak reference objects the live objects then make"
                       : "");
    if (!c.worth_reporting(f)) continue;
    c.add_origins(f, grp.objects);
    out.push_back(std::move(f));
  }
}

}  // namespace pyheap::advise_detail
