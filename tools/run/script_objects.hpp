// The objects a heap script manipulates: nodes with eight reference fields, and labelled weak
// reference objects. They are ordinary pyheap heap objects; the runner (script_runner.cpp) gives
// them their observable behaviour (printing, resurrection) through the Events interface.
#pragma once

#include <array>
#include <string>

#include "pyheap/heap.hpp"

namespace pyheap::script {

// What script objects report to whoever runs the script.
class Events {
 public:
  virtual void on_finalize(class Node& node, bool resurrect) = 0;
  virtual void on_node_destroyed(class Node& node) noexcept = 0;

 protected:
  ~Events() = default;
};

class Node : public Object {
 public:
  static constexpr int kFields = 8;
  Node(std::string label, Events* events) : label_(std::move(label)), events_(events) {}
  // Fields are released in order 0..7, as CPython clears __slots__, so that which weak
  // reference callbacks fire during a cascade matches it.
  ~Node() {
    for (auto& f : fields_) f.reset();
    events_->on_node_destroyed(*this);
  }
  void trace(Tracer& t) { t(fields_); }
  // Snapshots and why_alive name a field by its number, as scripts write it (VAR.K).
  void name_edges(EdgeNamer& n) const {
    for (std::size_t k = 0; k < fields_.size(); ++k) n.property(std::to_string(k), fields_[k]);
  }

  Ref<Object>& field(int k) { return fields_[static_cast<std::size_t>(k)]; }
  const Ref<Object>& field(int k) const { return fields_[static_cast<std::size_t>(k)]; }
  const std::string& label() const noexcept { return label_; }

 protected:
  Events* events() const noexcept { return events_; }

 private:
  std::array<Ref<Object>, kFields> fields_;
  std::string label_;
  Events* events_;

 public:
  // The collector reads the fields directly (tracer.hpp); FinalNode and ResurrectNode inherit
  // both trace and this list.
  static constexpr auto ref_members = pyheap::ref_members<Node>(&Node::fields_);
};

// `new NAME final`: prints when finalized.
class FinalNode : public Node {
 public:
  using Node::Node;
  void finalize() { events()->on_finalize(*this, false); }
};

// `new NAME resurrect`: prints, then binds the variable named by its label to itself.
class ResurrectNode : public Node {
 public:
  using Node::Node;
  void finalize() { events()->on_finalize(*this, true); }
};

class LabelledWeak : public WeakReference {
 public:
  LabelledWeak(Object* referent, Callback cb, std::string label)
      : WeakReference(referent, std::move(cb)), label_(std::move(label)) {}
  const std::string& label() const noexcept { return label_; }

 private:
  std::string label_;
};

inline bool is_node(const Object* o) {
  return Heap::is_a<Node>(o) || Heap::is_a<FinalNode>(o) || Heap::is_a<ResurrectNode>(o);
}
inline bool is_weak(const Object* o) { return Heap::is_a<LabelledWeak>(o); }

}  // namespace pyheap::script
