#include "view/layout.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "tour/subprocess.hpp"

namespace pyheap::view {

namespace {
constexpr double kPointsPerInch = 72;
constexpr double kMargin = 24;  // around the drawing; the top one leaves room for gc_refs badges

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}
std::string inches(double px) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", px / kPointsPerInch);
  return buf;
}
}  // namespace

// Text widths are estimated (the page draws with the same sizes): the label in bold 13px on the
// first line; on the second, "refs 12" and the kind's tag (view.js kindTag) in 11px.
Box object_box(const std::string& label, Kind kind) {
  std::size_t tag = 0;
  switch (kind) {
    case Kind::Node: tag = 0; break;
    case Kind::Final: tag = 7; break;              // "final ✓"
    case Kind::Resurrect: tag = 11; break;         // "resurrect ✓"
    case Kind::Weak: tag = 4; break;               // "weak"
    case Kind::WeakWithCallback: tag = 13; break;  // "weak callback"
  }
  const double w = std::max({84.0, 8.2 * static_cast<double>(label.size()) + 22, 6.7 * static_cast<double>(8 + tag) + 22});
  return {0, 0, w, 40};
}

Box variable_box(const std::string& name) {
  const double w = std::max(34.0, 7.6 * static_cast<double>(name.size()) + 16);
  return {0, 0, w, 24};
}

std::string dot_program() {
  const char* env = std::getenv("PYHEAP_DOT");
  return env && *env ? env : "dot";
}

// ---- scenes --------------------------------------------------------------------------------------

namespace {
struct Supergraph {
  std::set<std::uint32_t> objects, variables;
  std::set<Edge> edges;

  std::size_t nodes() const { return objects.size() + variables.size(); }
  void add(const Picture& p) {
    for (const ObjectState& o : p.objects) objects.insert(o.id);
    for (const Edge& e : p.edges) edges.insert(e);
    for (const Binding& b : p.bindings) {
      variables.insert(b.var);
      edges.insert({b.var, kBindingSlot, b.object});
    }
  }
  // Whether adding `step` (the step's own supergraph) keeps this one within the limits. A step
  // larger than the limits by itself may grow the scene to half as much again as it is: a large
  // heap that changes little stays in one scene (laid out once) instead of one scene per step.
  bool fits(const Supergraph& step) const {
    std::size_t new_nodes = 0, new_edges = 0;
    for (std::uint32_t id : step.objects) new_nodes += !objects.count(id);
    for (std::uint32_t id : step.variables) new_nodes += !variables.count(id);
    for (const Edge& e : step.edges) new_edges += !edges.count(e);
    const std::size_t node_limit = std::max(kMaxSceneObjects, step.nodes() * 3 / 2);
    const std::size_t edge_limit = std::max(kMaxSceneEdges, step.edges.size() * 3 / 2);
    return nodes() + new_nodes <= node_limit && edges.size() + new_edges <= edge_limit;
  }
  void add(const Supergraph& g) {
    objects.insert(g.objects.begin(), g.objects.end());
    variables.insert(g.variables.begin(), g.variables.end());
    edges.insert(g.edges.begin(), g.edges.end());
  }
  SceneGraph graph() const {
    return {{objects.begin(), objects.end()}, {variables.begin(), variables.end()}, {edges.begin(), edges.end()}};
  }
};
}  // namespace

std::vector<SceneGraph> cut_scenes(const std::vector<StepRecord>& steps, std::vector<std::size_t>& scene_of_step) {
  std::vector<SceneGraph> graphs;
  Supergraph current;
  bool empty = true;
  const Picture nothing;
  scene_of_step.assign(steps.size(), 0);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    Supergraph step;
    step.add(i > 0 ? steps[i - 1].picture : nothing);
    for (const CollectionRecord& c : steps[i].collections) step.add(c.before);
    step.add(steps[i].picture);
    if (!empty && !current.fits(step)) {
      graphs.push_back(current.graph());
      current = Supergraph{};
    }
    current.add(step);
    empty = false;
    scene_of_step[i] = graphs.size();
  }
  graphs.push_back(current.graph());
  return graphs;
}

std::string to_dot(const SceneGraph& g, std::size_t index, const Camera& camera) {
  std::ostringstream out;
  // A large scene (a heap that stays large, like a chain hundreds of links deep) trades curves
  // for time: dot's cost grows with the ranks every edge spans (each adds a virtual node to place
  // and route around), and a variable's arrow from the left column to a link deep in the chain
  // spans them all (a 300-link chain with its variables: 107,000 virtual nodes, 20 s). There
  // the variables are left out of dot's graph and put in a column beside its drawing
  // (place_variables), edges are straight and the simplex is bounded: 0.2 s.
  const bool large = g.large();
  out << "digraph scene" << index << " {\n"
      << "  graph [rankdir=LR, nodesep=0.28, ranksep=0.55, " << (large ? "splines=line, nslimit=2, nslimit1=2" : "splines=true")
      << "];\n"
      << "  node [shape=box, fixedsize=true, label=\"\"];\n"
      << "  edge [fontsize=11, arrowsize=0.7];\n";
  if (!g.variables.empty() && !large) {
    out << "  { rank=source;";
    for (std::uint32_t v : g.variables) {
      const Box b = variable_box(camera.variables().all()[v]);
      out << " v" << v << " [width=" << inches(b.w) << ", height=" << inches(b.h) << "];";
    }
    out << " }\n";
  }
  for (std::uint32_t o : g.objects) {
    const Box b = object_box(camera.objects().all()[o], camera.kind(o));
    out << "  o" << o << " [width=" << inches(b.w) << ", height=" << inches(b.h) << "];\n";
  }
  for (const Edge& e : g.edges) {
    if (e.slot == kBindingSlot) {
      if (!large) out << "  v" << e.from << " -> o" << e.to << ";\n";
    }
    else if (e.slot == kWeakSlot) out << "  o" << e.from << " -> o" << e.to << " [style=dashed];\n";
    else out << "  o" << e.from << " -> o" << e.to << " [label=\"" << e.slot << "\"];\n";
  }
  out << "}\n";
  return out.str();
}

// ---- reading dot's answer ------------------------------------------------------------------------
// `dot -Tplain` prints, per graph: "graph SCALE WIDTH HEIGHT", "node NAME X Y W H ...",
// "edge TAIL HEAD N X1 Y1 ... XN YN [LABEL LX LY] STYLE COLOR", "stop"; inches, y up. The control
// points are a cubic B-spline (1 + 3k points) that ends where the arrowhead begins.

namespace {
[[noreturn]] void bad_plain(const std::string& what) { throw std::runtime_error("unexpected output from dot: " + what); }

// "o12" -> (false, 12), "v3" -> (true, 3)
std::pair<bool, std::uint32_t> parse_name(const std::string& name) {
  if (name.size() < 2 || (name[0] != 'o' && name[0] != 'v')) bad_plain("node name " + name);
  return {name[0] == 'v', static_cast<std::uint32_t>(std::stoul(name.substr(1)))};
}
}  // namespace

namespace {
std::string straight_arrow(const Box& from, const Box& to) {
  const double sx = from.x + from.w / 2, sy = from.y;
  const double tx = to.x - to.w / 2, ty = to.y;
  const double len = std::hypot(tx - sx, ty - sy);
  const double k = len > 9 ? (len - 8) / len : 0;  // end where the 8-pixel arrowhead begins
  std::string path = "M";
  path.append(number(sx)).append(",").append(number(sy)).append(" L");
  path.append(number(sx + (tx - sx) * k)).append(",").append(number(sy + (ty - sy) * k));
  return path;
}

double column_width(const SceneGraph& g, const Camera& camera) {
  double w = 0;
  for (std::uint32_t v : g.variables) w = std::max(w, variable_box(camera.variables().all()[v]).w);
  return g.variables.empty() ? 0 : w + 60;
}

// A large scene's variables: a column on the left, each level with the object it was first seen
// bound to, moved down where they would overlap, with straight arrows.
void place_variables(Scene& scene, const SceneGraph& g, const Camera& camera) {
  if (g.variables.empty()) return;
  const double column = column_width(g, camera) - 60;
  std::vector<std::pair<double, std::uint32_t>> wanted;
  for (std::uint32_t v : g.variables) {
    double y = kMargin;
    for (const Edge& e : g.edges)
      if (e.slot == kBindingSlot && e.from == v) {
        if (auto it = scene.objects.find(e.to); it != scene.objects.end()) y = it->second.y;
        break;
      }
    wanted.emplace_back(y, v);
  }
  std::sort(wanted.begin(), wanted.end());
  double bottom = kMargin + 16;  // below the column's title
  for (const auto& [y, v] : wanted) {
    Box b = variable_box(camera.variables().all()[v]);
    b.x = kMargin + column / 2;
    b.y = std::max(y, bottom + b.h / 2);
    bottom = b.y + b.h / 2 + 6;
    scene.variables[v] = b;
  }
  scene.height = std::max(scene.height, bottom + kMargin);
  for (const Edge& e : g.edges) {
    if (e.slot != kBindingSlot) continue;
    auto to = scene.objects.find(e.to);
    if (to == scene.objects.end()) continue;
    scene.routes.push_back({e, straight_arrow(scene.variables[e.from], to->second), 0, 0});
  }
}
}  // namespace

std::vector<Scene> read_plain(const std::string& plain, const std::vector<SceneGraph>& graphs, const Camera& camera) {
  std::vector<Scene> scenes;
  std::istringstream in(plain);
  std::string line;
  double height = 0, left = kMargin;  // left: where dot's x = 0 lands
  auto finish = [&] {
    if (!scenes.empty() && graphs[scenes.size() - 1].large()) place_variables(scenes.back(), graphs[scenes.size() - 1], camera);
  };
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string kind;
    words >> kind;
    if (kind == "graph") {
      if (scenes.size() == graphs.size()) bad_plain("more graphs than scenes");
      finish();
      double scale = 0, w = 0;
      words >> scale >> w >> height;
      const SceneGraph& g = graphs[scenes.size()];
      left = kMargin + (g.large() ? column_width(g, camera) : 0);
      scenes.emplace_back();
      scenes.back().width = w * kPointsPerInch + left + kMargin;
      scenes.back().height = height * kPointsPerInch + 2 * kMargin;
    } else if (kind == "node") {
      if (scenes.empty()) bad_plain("node before graph");
      std::string name;
      double x = 0, y = 0;
      words >> name >> x >> y;
      const auto [is_var, id] = parse_name(name);
      Box b = is_var ? variable_box(camera.variables().all().at(id)) : object_box(camera.objects().all().at(id), camera.kind(id));
      b.x = x * kPointsPerInch + left;
      b.y = (height - y) * kPointsPerInch + kMargin;
      (is_var ? scenes.back().variables : scenes.back().objects)[id] = b;
    } else if (kind == "edge") {
      if (scenes.empty()) bad_plain("edge before graph");
      std::string tail, head;
      std::size_t n = 0;
      words >> tail >> head >> n;
      std::vector<std::string> rest;
      for (std::string w; words >> w;) rest.push_back(w);
      if (n < 2 || rest.size() < 2 * n + 2) bad_plain(line);
      Route r;
      const auto [tail_is_var, from] = parse_name(tail);
      const auto [head_is_var, to] = parse_name(head);
      if (head_is_var) bad_plain("edge into a variable");
      std::ostringstream path;
      for (std::size_t i = 0; i < n; ++i) {
        const double x = std::stod(rest[2 * i]) * kPointsPerInch + left;
        const double y = (height - std::stod(rest[2 * i + 1])) * kPointsPerInch + kMargin;
        path << (i == 0 ? "M" : (i % 3 == 1 ? " C" : " ")) << number(x) << ',' << number(y);
      }
      r.path = path.str();
      const bool labelled = rest.size() == 2 * n + 5;
      if (tail_is_var) {
        r.edge = {from, kBindingSlot, to};
      } else if (labelled) {
        r.edge = {from, std::stoi(rest[2 * n]), to};
        r.label_x = std::stod(rest[2 * n + 1]) * kPointsPerInch + left;
        r.label_y = (height - std::stod(rest[2 * n + 2])) * kPointsPerInch + kMargin;
      } else {
        r.edge = {from, kWeakSlot, to};
      }
      scenes.back().routes.push_back(std::move(r));
    }
  }
  finish();
  if (scenes.size() != graphs.size()) bad_plain(std::to_string(scenes.size()) + " graphs for " + std::to_string(graphs.size()) + " scenes");
  return scenes;
}

Layout lay_out(const std::vector<StepRecord>& steps, const Camera& camera) {
  Layout layout;
  const std::vector<SceneGraph> graphs = cut_scenes(steps, layout.scene_of_step);
  // One run of dot for every scene: its start-up (fonts, plugins) is paid once.
  const char* tmp = std::getenv("TMPDIR");
  std::string name = std::string(tmp && *tmp ? tmp : "/tmp") + "/pyheap-view-XXXXXX";
  const int fd = mkstemp(name.data());
  if (fd < 0) throw std::runtime_error("cannot create a temporary file for dot's input in " + name);
  close(fd);
  const char* path = name.c_str();
  struct Remove {
    const char* p;
    ~Remove() { std::remove(p); }
  } remove{path};
  {
    std::ofstream in(path);
    for (std::size_t i = 0; i < graphs.size(); ++i) in << to_dot(graphs[i], i, camera);
    if (!in) throw std::runtime_error("cannot write dot's input to " + std::string(path));
  }
  const std::string dot = dot_program();
  const tour::ProcessResult r = tour::run_program({dot, "-Tplain", path});
  if (r.exit_status == 127)
    throw std::runtime_error("cannot run Graphviz's '" + dot + "' (install graphviz, or set PYHEAP_DOT to its dot program)");
  if (r.exit_status != 0) throw std::runtime_error("Graphviz's '" + dot + "' failed (exit status " + std::to_string(r.exit_status) + ")");
  layout.scenes = read_plain(r.out, graphs, camera);
  return layout;
}

}  // namespace pyheap::view
