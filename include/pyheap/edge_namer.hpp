// pyheap/edge_namer.hpp — the optional hook that names an object's references.
//
// The collector needs only "which objects does this one reference" (the trace hook). People
// reading a heap snapshot or a retention path want names: a record's field, a dict's key, a
// list's index. A type may say them with a member
//
//   void name_edges(pyheap::EdgeNamer& n) const { n.property("left", left); n.element(0, first); }
//
// which the introspection layer (edges.hpp) calls; types without it get their trace hook's
// references numbered 0, 1, ... in trace order.
// Invariant: a name_edges hook reports, as Element/Property/Internal edges, exactly the strong
// references its trace hook reports (the same multiset of targets): the heap graph counts them to
// find the references held from outside the heap, and checks this in debug builds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"

namespace pyheap {

// The kinds of a V8 heap snapshot's edges that pyheap uses.
enum class EdgeKind : std::uint8_t {
  Element,   // by position: list/tuple items, fields without names; `index` is the position
  Property,  // by name: record fields, instance attributes, values under string dict keys
  Internal,  // a reference that is not user data: a dict's key objects, an instance's class
  Weak,      // a weak reference object to its referent (not counted, not retaining)
};

struct Edge {
  Object* target = nullptr;
  EdgeKind kind = EdgeKind::Element;
  std::string name;       // Property/Internal/Weak
  std::size_t index = 0;  // Element
};

// What a name_edges hook reports to. Null references are skipped, as the tracer skips them.
class EdgeNamer {
 public:
  explicit EdgeNamer(std::vector<Edge>& out) noexcept : out_(out) {}

  template <class T>
  void property(std::string_view name, const Ref<T>& r) {
    if (r) out_.push_back(Edge{object(r), EdgeKind::Property, std::string(name), 0});
  }
  template <class T>
  void internal(std::string_view name, const Ref<T>& r) {
    if (r) out_.push_back(Edge{object(r), EdgeKind::Internal, std::string(name), 0});
  }
  template <class T>
  void element(std::size_t index, const Ref<T>& r) {
    if (r) out_.push_back(Edge{object(r), EdgeKind::Element, {}, index});
  }

 private:
  template <class T>
  static Object* object(const Ref<T>& r) noexcept {
    return const_cast<Object*>(static_cast<const Object*>(r.get()));
  }
  std::vector<Edge>& out_;
};

}  // namespace pyheap
