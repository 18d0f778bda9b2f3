// view/story.hpp — what the page says at each frame: the statement steps, and for every
// collection a statement ran, its sub-steps (CPython's algorithm, one sentence each), and the
// reference-counting chains that freed objects.
//
// A frame is one position of the page's slider: each statement is one frame, preceded by the
// sub-steps of the collections it ran (so the statement's frame shows where they led).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "view/picture.hpp"
#include "view/recorder.hpp"

namespace pyheap::view {

enum class Phase : std::uint8_t {
  Statement,
  Examined,     // generations merged: the set the collection examines
  GcRefs,       // gc_refs after subtracting the internal references
  Reachable,    // referenced from outside, and what that reaches
  Unreachable,  // the rest, outlined
  Weakrefs,     // weak references to the garbage cleared (with or without callbacks)
  Finalizers,   // finalizers run
  Resurrected,  // objects a finalizer made reachable leave the set
  Freed,        // the rest is freed; collect's result
};
const char* phase_name(Phase p);

// How objects freed by reference counting during a step died: from the references the step
// dropped, along references of the picture before, to the objects whose counts reached zero.
struct DeathChain {
  std::vector<std::uint32_t> order;  // dead objects, in the order the counts reached zero
  std::vector<Edge> links;           // references (picture before) along which they did
  std::vector<std::uint32_t> dropped_variables;  // bindings the step removed that started a chain
  std::string text;                  // "drop of a → n1 reaches 0 → n2 reaches 0", or empty
};

struct Frame {
  std::size_t step = 0;
  Phase phase = Phase::Statement;
  int collection = -1;  // index into the step's collections, for the sub-steps
  std::string text;     // one sentence (sub-steps); the chain's text for statements
  DeathChain chain;     // statements only
};

DeathChain explain_deaths(const StepRecord& step, const Picture& before, const Camera& camera);

// The frames of a whole recording, in page order.
std::vector<Frame> tell(const std::vector<StepRecord>& steps, const Camera& camera);

// "a", "a and b", "a, b and c"; beyond `limit` names: "a, b, … and 7 more".
std::string name_list(const std::vector<std::uint32_t>& ids, const Camera& camera, std::size_t limit = 8);

}  // namespace pyheap::view
