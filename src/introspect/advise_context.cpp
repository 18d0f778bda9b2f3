// The advisor's shared analysis: strong-edge CSR arrays both ways, dominators, shortest paths,
// the freed-objects closure and the origins of a finding's objects.
#include "introspect/advise_context.hpp"

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <unordered_set>

namespace pyheap::advise_detail {

namespace {
std::uint32_t find_string(const std::vector<std::string>& strings, std::string_view s) {
  for (std::uint32_t i = 0; i < strings.size(); ++i)
    if (strings[i] == s) return i;
  return kNone;
}
}  // namespace

Context::Context(const ObjectGraph& graph, const AdviseOptions& opts)
    : g(graph), rules(rules_for(graph.runtime())), options(opts), heap_bytes(graph.total_bytes()) {
  const auto& nodes = g.nodes();
  const auto n = static_cast<std::uint32_t>(nodes.size());
  dict_edge_name = find_string(g.strings(), "(dict)");
  class_edge_name = find_string(g.strings(), "(class)");

  fwd_first.assign(n + 1, 0);
  rev_first.assign(n + 1, 0);
  held_by_synthetic.assign(n, 0);
  owned_dict.assign(n, 0);
  dict_owner_.assign(n, kNone);
  for (std::uint32_t v = 0; v < n; ++v) {
    fwd_first[v] = static_cast<std::uint32_t>(fwd.size());
    const bool synthetic = !is_object(v);
    for (const auto& e : g.edges_of(v)) {
      if (e.kind == EdgeKind::Weak) continue;
      fwd.push_back(e.to);
      ++rev_first[e.to + 1];
      if (synthetic) held_by_synthetic[e.to] = 1;
      if (e.kind == EdgeKind::Internal && e.name == dict_edge_name && role(e.to) == Role::Dict) {
        owned_dict[e.to] = 1;
        dict_owner_[e.to] = v;
      }
    }
  }
  fwd_first[n] = static_cast<std::uint32_t>(fwd.size());
  for (std::uint32_t v = 0; v < n; ++v) rev_first[v + 1] += rev_first[v];
  rev.resize(fwd.size());
  {
    std::vector<std::uint32_t> fill(rev_first.begin(), rev_first.end() - 1);
    for (std::uint32_t v = 0; v < n; ++v)
      for (std::uint32_t k = fwd_first[v]; k < fwd_first[v + 1]; ++k) rev[fill[fwd[k]]++] = v;
  }

  idom = immediate_dominators(fwd_first, fwd, ObjectGraph::kRoot);
  std::vector<std::uint64_t> self(n);
  for (std::uint32_t v = 0; v < n; ++v) self[v] = is_object(v) ? nodes[v].bytes : 0;
  retained = retained_sizes(idom, self, ObjectGraph::kRoot);

  // Depth in the dominator tree, and the reachable nodes deepest first.
  dom_depth.assign(n, kUnreachable);
  dom_depth[ObjectGraph::kRoot] = 0;
  std::vector<std::uint32_t> chain;
  for (std::uint32_t v = 0; v < n; ++v) {
    if (idom[v] == kUnreachable || dom_depth[v] != kUnreachable) continue;
    chain.clear();
    for (std::uint32_t u = v; dom_depth[u] == kUnreachable; u = idom[u]) chain.push_back(u);
    for (std::size_t i = chain.size(); i-- > 0;) dom_depth[chain[i]] = dom_depth[idom[chain[i]]] + 1;
  }
  for (std::uint32_t v = 0; v < n; ++v)
    if (dom_depth[v] != kUnreachable) dom_order.push_back(v);
  std::stable_sort(dom_order.begin(), dom_order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return dom_depth[a] > dom_depth[b]; });

  // Breadth-first parents over all edges in their order (the first path found is a shortest one).
  parent.assign(n, kNone);
  parent_edge.assign(n, kNone);
  std::deque<std::uint32_t> queue{ObjectGraph::kRoot};
  parent[ObjectGraph::kRoot] = ObjectGraph::kRoot;
  while (!queue.empty()) {
    const std::uint32_t v = queue.front();
    queue.pop_front();
    const auto edges = g.edges_of(v);
    for (std::uint32_t k = 0; k < edges.size(); ++k) {
      const auto& e = edges[k];
      if (e.kind == EdgeKind::Weak || parent[e.to] != kNone) continue;
      parent[e.to] = v;
      parent_edge[e.to] = nodes[v].first_edge + k;
      queue.push_back(e.to);
    }
  }
  seen_.assign(n, 0);
  mark_.assign(n, 0);
  find_program();
}

std::vector<std::uint32_t> Context::property_names(std::uint32_t v) const {
  std::vector<std::uint32_t> names;
  for (const auto& e : g.edges_of(v))
    if (e.kind == EdgeKind::Property) names.push_back(e.name);
  return names;
}

std::uint32_t Context::own_dict(std::uint32_t v) const {
  if (dict_edge_name == kNone) return kNone;
  for (const auto& e : g.edges_of(v))
    if (e.kind == EdgeKind::Internal && e.name == dict_edge_name && role(e.to) == Role::Dict) return e.to;
  return kNone;
}

Context::Attributes Context::attributes(std::uint32_t v) const {
  Attributes a;
  a.dict = own_dict(v);
  a.holder = a.dict == kNone ? v : a.dict;
  if (a.dict != kNone) {
    // A dict whose keys are not all strings has Element edges: no fixed layout can hold it.
    for (const auto& e : g.edges_of(a.dict))
      if (e.kind == EdgeKind::Element) return Attributes{};
  }
  return a;
}

std::uint64_t Context::freed_bytes(std::span<const std::uint32_t> removed, std::span<const std::uint32_t> kept,
                                   std::size_t* objects) {
  const auto& nodes = g.nodes();
  std::vector<std::uint32_t> touched, queue;
  for (std::uint32_t k : kept) {
    if (mark_[k] == 0) touched.push_back(k);
    mark_[k] = 2;
  }
  for (std::uint32_t r : removed) {
    if (mark_[r] != 0) continue;
    mark_[r] = 1;
    touched.push_back(r);
    queue.push_back(r);
  }
  std::uint64_t bytes = 0;
  std::size_t count = 0;
  while (!queue.empty()) {
    const std::uint32_t u = queue.back();
    queue.pop_back();
    bytes += nodes[u].bytes;
    ++count;
    for (std::uint32_t k = fwd_first[u]; k < fwd_first[u + 1]; ++k) {
      const std::uint32_t w = fwd[k];
      if (mark_[w] != 0) continue;
      if (seen_[w] == 0) touched.push_back(w);
      // Freed once every strong reference to it comes from freed objects (a root group's edge
      // never does: roots stay).
      if (++seen_[w] == indegree(w)) {
        mark_[w] = 1;
        queue.push_back(w);
      }
    }
  }
  for (std::uint32_t t : touched) {
    seen_[t] = 0;
    mark_[t] = 0;
  }
  if (objects) *objects = count;
  return bytes;
}

std::string Context::known_as(std::uint32_t v) const {
  if (parent[v] == kNone || parent_edge[v] == kNone) return {};
  const auto& e = g.edges()[parent_edge[v]];
  return e.kind == EdgeKind::Property ? g.strings()[e.name] : std::string();
}


std::string Context::display(std::uint32_t v) const {
  // A module's namespace is known by its module ("module __main__ (dict)").
  if (const std::uint32_t owner = dict_owner(v); owner != kNone && role(owner) == Role::Module) return g.name(owner);
  const std::string& name = g.name(v);
  if (role(v) != Role::Str) return name;
  std::string text = name.size() > 40 ? name.substr(0, 37) + "..." : name;
  return "'" + text + "'";
}

std::string Context::path_to(std::uint32_t v, std::size_t steps, bool with_type) const {
  if (parent[v] == kNone) return display(v) + " (only reference cycles hold it)";
  // The dumper's table of the running frames names a frame's locals "main() (app.py:12).users":
  // the path starts there.
  std::vector<std::uint32_t> chain{v};
  while (chain.size() <= steps && parent[chain.back()] != chain.back() && is_object(chain.back()) &&
         chain.back() != frames_)
    chain.push_back(parent[chain.back()]);
  std::string out;
  for (std::size_t i = chain.size(); i-- > 0;) {
    const std::uint32_t node = chain[i];
    if (i + 1 == chain.size()) {
      out = node == frames_ ? "" : is_object(node) ? "... " + display(node) : display(node);
      continue;
    }
    const auto& e = g.edges()[parent_edge[node]];
    if (!is_object(chain[i + 1]) && e.kind == EdgeKind::Element) {
      out = display(node);  // a member of a root group, which numbers them: the object says more
    } else if (e.kind == EdgeKind::Internal && e.name == dict_edge_name) {
      // An object's own __dict__: "module __main__.users", not "module __main__.(dict).users".
    } else {
      if (e.kind != EdgeKind::Element && !out.empty()) out += '.';
      out += g.edge_label(e);
      // An object whose attributes are in its own dict: say what it is, as the path skips the dict.
      if (i > 0) {
        const auto& next = g.edges()[parent_edge[chain[i - 1]]];
        if (next.kind == EdgeKind::Internal && next.name == dict_edge_name) out += "<" + g.type_name(node) + ">";
      }
    }
    if (i == 0 && with_type) out += " (" + g.type_name(node) + ")";
  }
  return out;
}

void Context::add_origins(Finding& f, std::span<const std::uint32_t> objects) const {
  struct Tally {
    std::size_t count = 0;
    std::uint64_t bytes = 0;
  };
  const auto& nodes = g.nodes();
  std::unordered_map<std::uint32_t, Tally> by;
  // Per retainer, the one of the objects all its objects hang from, when there is one (a list's
  // head, a tree's root): named instead of the namespace that holds it.
  std::unordered_map<std::uint32_t, std::uint32_t> entry;
  // Sites when the objects have them. CPython reuses list, dict, tuple and float objects from
  // free lists, whose memory tracemalloc saw allocated before it started: objects without a
  // site are then named by their retainers instead.
  f.origins_are_sites = g.has_sites() && std::any_of(objects.begin(), objects.end(),
                                                     [&](std::uint32_t v) { return nodes[v].site != 0; });
  if (f.origins_are_sites) {
    for (std::uint32_t v : objects) {
      auto& t = by[nodes[v].site];
      ++t.count;
      t.bytes += nodes[v].bytes;
    }
  } else {
    // The retainer: the closest dominator that is not one of the objects themselves, and the
    // topmost of the objects on the way (memoised: a chain's nodes are each other's dominators).
    struct Up {
      std::uint32_t top, retainer;
    };
    std::unordered_map<std::uint32_t, Up> up;
    for (std::uint32_t v : objects) up.emplace(v, Up{kNone, kNone});
    std::vector<std::uint32_t> path;
    for (std::uint32_t v : objects) {
      path.clear();
      std::uint32_t u = v;
      Up found{kNone, kNone};
      for (;;) {
        auto it = up.find(u);
        if (it == up.end()) {  // not one of the objects: the retainer
          found = Up{path.empty() ? v : path.back(), u};
          break;
        }
        if (it->second.retainer != kNone) {
          found = it->second;
          break;
        }
        path.push_back(u);
        u = idom[u];
        if (u == kUnreachable) {
          found = Up{path.back(), kUnreachable};
          break;
        }
      }
      for (std::uint32_t p : path) up[p] = found;
      const std::uint32_t r = found.retainer;
      if (r != kUnreachable && is_object(r) && !in_scope(r)) continue;  // the interpreter's: not named
      auto& t = by[r];
      ++t.count;
      t.bytes += nodes[v].bytes;
      auto [e, fresh] = entry.emplace(r, found.top);
      if (!fresh && e->second != found.top) e->second = kNone;
    }
  }
  std::vector<std::pair<std::uint32_t, Tally>> sorted(by.begin(), by.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.bytes != b.second.bytes ? a.second.bytes > b.second.bytes : a.first < b.first;
  });
  // Objects spread over many retainers (the nodes of a tree, each held by its parent): name first
  // the closest object that dominates at least half of them (the tree itself).
  if (!f.origins_are_sites && !sorted.empty() && sorted.front().second.count * 2 < objects.size()) {
    std::vector<Tally> under(nodes.size());
    for (std::uint32_t v : objects) {
      ++under[v].count;
      under[v].bytes += nodes[v].bytes;
    }
    std::uint32_t common = kNone;
    for (std::uint32_t v : dom_order) {  // deepest first: children are summed before parents
      if (v == ObjectGraph::kRoot) continue;
      if (common == kNone && under[v].count * 2 >= objects.size() && is_object(v) && in_scope(v)) common = v;
      under[idom[v]].count += under[v].count;
      under[idom[v]].bytes += under[v].bytes;
    }
    if (common != kNone) {
      f.origins.push_back(FindingOrigin{"within " + path_to(common), under[common].count, under[common].bytes});
      if (f.origins.size() == options.max_origins) return;
    }
  }
  std::uint64_t total = 0;
  for (const auto& [key, tally] : sorted) total += tally.bytes;
  for (const auto& [key, tally] : sorted) {
    if (f.origins.size() == options.max_origins) break;
    // After the first, holders of a sliver of the objects say nothing (one node of a tree).
    if (!f.origins.empty() && tally.bytes * 100 < total) break;
    std::string where;
    if (f.origins_are_sites) {
      where = key == 0 ? "(no site: made before tracing started, or reused memory)" : g.sites()[key];
    } else if (key == kUnreachable) {
      where = "no root: only reference cycles hold them";
    } else if (const auto e = entry.find(key); e != entry.end() && e->second != kNone && tally.count > 1) {
      where = path_to(e->second);  // "module __main__.head (Node)": the chain's head
    } else if (!is_object(key)) {
      where = g.name(key);
    } else {
      where = path_to(key);
    }
    f.origins.push_back(FindingOrigin{std::move(where), tally.count, tally.bytes});
  }
}

bool Context::worth_reporting(Finding& f) const {
  f.share = heap_bytes ? static_cast<double>(f.saving) / static_cast<double>(heap_bytes) : 0.0;
  return f.saving > 0 && (f.saving >= options.min_saving || f.share >= options.min_share);
}

}  // namespace pyheap::advise_detail
