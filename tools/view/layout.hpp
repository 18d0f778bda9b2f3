// view/layout.hpp — where the page draws each object, variable and reference, computed by
// Graphviz's dot when the page is written (the page itself does no layout).
//
// Foresighted layout: the steps are cut into scenes, runs of consecutive steps whose objects,
// variables and references taken together (the "supergraph") stay under a size limit, and each
// scene is laid out once, as one graph. Within a scene every object keeps its place from step to
// step, a reference is drawn the same way whenever it exists, and a step shows the part of the
// scene's drawing that exists then. A short script is one scene; a long one changes scene when
// its objects turn over, and the page glides the boxes that stay to their new places.
//
// A step's part of a scene is what the step draws: the picture before it (its dying objects fade
// out there), the pictures its collections started from, and its own picture.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "view/picture.hpp"
#include "view/recorder.hpp"

namespace pyheap::view {

inline constexpr std::size_t kMaxSceneObjects = 90;  // objects and variables
inline constexpr std::size_t kMaxSceneEdges = 180;   // references, weak references and bindings

struct Box {
  double x = 0, y = 0;  // centre, in page pixels (y down)
  double w = 0, h = 0;
};

struct Route {
  Edge edge;                    // for bindings: from = variable id, slot = kBindingSlot
  std::string path;             // SVG path data
  double label_x = 0, label_y = 0;  // field number's place (object references only)
};
inline constexpr int kBindingSlot = -2;

struct Scene {
  double width = 0, height = 0;
  std::map<std::uint32_t, Box> objects;    // by object id
  std::map<std::uint32_t, Box> variables;  // by variable id
  std::vector<Route> routes;
};

struct Layout {
  std::vector<Scene> scenes;
  std::vector<std::size_t> scene_of_step;
};

// Box sizes, shared with the page's drawing (it writes the label and the count inside).
Box object_box(const std::string& label, Kind kind);
Box variable_box(const std::string& name);

// The dot program: $PYHEAP_DOT, else `dot` from PATH.
std::string dot_program();

// Cuts the steps into scenes and lays each out with one run of dot for all of them. Throws
// std::runtime_error when dot cannot be run or fails.
Layout lay_out(const std::vector<StepRecord>& steps, const Camera& camera);

// The scenes' graphs in dot's language, and the reading of `dot -Tplain`'s answer (exposed for
// tests).
struct SceneGraph {
  std::vector<std::uint32_t> objects, variables;  // in the order they are declared
  std::vector<Edge> edges;                         // bindings with slot kBindingSlot
  // Above kMaxSceneObjects: straight edges, and the variables' column is placed beside dot's
  // drawing instead of in it (see to_dot).
  bool large() const noexcept { return objects.size() + variables.size() > kMaxSceneObjects; }
};
std::vector<SceneGraph> cut_scenes(const std::vector<StepRecord>& steps, std::vector<std::size_t>& scene_of_step);
std::string to_dot(const SceneGraph& g, std::size_t index, const Camera& camera);
std::vector<Scene> read_plain(const std::string& plain, const std::vector<SceneGraph>& graphs, const Camera& camera);

}  // namespace pyheap::view
