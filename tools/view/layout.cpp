#include "view/layout.hpp"

#include <unistd.h>

#include <algorithm>
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
  // Whether adding `parts` keeps it within the limits; counts without copying.
  bool fits(const std::vector<const Picture*>& parts) const {
    std::set<std::uint32_t> new_objects, new_variables;
    std::set<Edge> new_edges;
    for (const Picture* p : parts) {
      for (const ObjectState& o : p->objects)
        if (!objects.count(o.id)) new_objects.insert(o.id);
      for (const Edge& e : p->edges)
        if (!edges.count(e)) new_edges.insert(e);
      for (const Binding& b : p->bindings) {
        if (!variables.count(b.var)) new_variables.insert(b.var);
        if (const Edge e{b.var, kBindingSlot, b.object}; !edges.count(e)) new_edges.insert(e);
      }
    }
    return nodes() + new_objects.size() + new_variables.size() <= kMaxSceneObjects &&
           edges.size() + new_edges.size() <= kMaxSceneEdges;
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
    std::vector<const Picture*> parts{i > 0 ? &steps[i - 1].picture : &nothing};
    for (const CollectionRecord& c : steps[i].collections) parts.push_back(&c.before);
    parts.push_back(&steps[i].picture);
    if (!empty && !current.fits(parts)) {
      graphs.push_back(current.graph());
      current = Supergraph{};
    }
    for (const Picture* p : parts) current.add(*p);  // a step alone may exceed the limits: it gets its own scene
    empty = false;
    scene_of_step[i] = graphs.size();
  }
  graphs.push_back(current.graph());
  return graphs;
}

std::string to_dot(const SceneGraph& g, std::size_t index, const Camera& camera) {
  std::ostringstream out;
  out << "digraph scene" << index << " {\n"
      << "  graph [rankdir=LR, nodesep=0.28, ranksep=0.55, splines=true];\n"
      << "  node [shape=box, fixedsize=true, label=\"\"];\n"
      << "  edge [fontsize=11, arrowsize=0.7];\n";
  if (!g.variables.empty()) {
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
    if (e.slot == kBindingSlot) out << "  v" << e.from << " -> o" << e.to << ";\n";
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

std::vector<Scene> read_plain(const std::string& plain, const std::vector<SceneGraph>& graphs, const Camera& camera) {
  std::vector<Scene> scenes;
  std::istringstream in(plain);
  std::string line;
  double height = 0;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string kind;
    words >> kind;
    if (kind == "graph") {
      if (scenes.size() == graphs.size()) bad_plain("more graphs than scenes");
      double scale = 0, w = 0;
      words >> scale >> w >> height;
      scenes.emplace_back();
      scenes.back().width = w * kPointsPerInch + 2 * kMargin;
      scenes.back().height = height * kPointsPerInch + 2 * kMargin;
    } else if (kind == "node") {
      if (scenes.empty()) bad_plain("node before graph");
      std::string name;
      double x = 0, y = 0;
      words >> name >> x >> y;
      const auto [is_var, id] = parse_name(name);
      Box b = is_var ? variable_box(camera.variables().all().at(id)) : object_box(camera.objects().all().at(id), camera.kind(id));
      b.x = x * kPointsPerInch + kMargin;
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
        const double x = std::stod(rest[2 * i]) * kPointsPerInch + kMargin;
        const double y = (height - std::stod(rest[2 * i + 1])) * kPointsPerInch + kMargin;
        path << (i == 0 ? "M" : (i % 3 == 1 ? " C" : " ")) << number(x) << ',' << number(y);
      }
      r.path = path.str();
      const bool labelled = rest.size() == 2 * n + 5;
      if (tail_is_var) {
        r.edge = {from, kBindingSlot, to};
      } else if (labelled) {
        r.edge = {from, std::stoi(rest[2 * n]), to};
        r.label_x = std::stod(rest[2 * n + 1]) * kPointsPerInch + kMargin;
        r.label_y = (height - std::stod(rest[2 * n + 2])) * kPointsPerInch + kMargin;
      } else {
        r.edge = {from, kWeakSlot, to};
      }
      scenes.back().routes.push_back(std::move(r));
    }
  }
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
