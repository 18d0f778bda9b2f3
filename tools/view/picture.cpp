#include "view/picture.hpp"

#include <algorithm>
#include <stdexcept>

#include "pyheap/heap.hpp"
#include "run/script_objects.hpp"

namespace pyheap::view {

const ObjectState* Picture::find(std::uint32_t id) const noexcept {
  auto it = std::lower_bound(objects.begin(), objects.end(), id,
                             [](const ObjectState& s, std::uint32_t i) { return s.id < i; });
  return it != objects.end() && it->id == id ? &*it : nullptr;
}

std::uint32_t Names::id(std::string_view name) {
  auto [it, inserted] = ids_.try_emplace(std::string(name), static_cast<std::uint32_t>(names_.size()));
  if (inserted) names_.emplace_back(name);
  return it->second;
}

std::uint32_t Names::at(std::string_view name) const {
  auto it = ids_.find(std::string(name));
  if (it == ids_.end()) throw std::logic_error("view: unknown name " + std::string(name));
  return it->second;
}

bool Camera::draws(const Object* o) { return script::is_node(o) || script::is_weak(o); }

namespace {

Kind kind_of(const Object* o) {
  if (script::is_weak(o))
    return static_cast<const script::LabelledWeak*>(o)->has_callback() ? Kind::WeakWithCallback : Kind::Weak;
  if (Heap::is_a<script::FinalNode>(o)) return Kind::Final;
  if (Heap::is_a<script::ResurrectNode>(o)) return Kind::Resurrect;
  return Kind::Node;
}

const std::string& label_of(const Object* o) {
  if (script::is_weak(o)) return static_cast<const script::LabelledWeak*>(o)->label();
  return static_cast<const script::Node*>(o)->label();
}
}  // namespace

std::uint32_t Camera::id_of(const Object* o) {
  const std::uint32_t id = objects_.id(label_of(o));
  if (id == kinds_.size()) kinds_.push_back(kind_of(o));
  return id;
}

std::vector<std::uint32_t> Camera::ids_of(std::span<Object* const> objects) {
  std::vector<std::uint32_t> ids;
  ids.reserve(objects.size());
  for (const Object* o : objects)
    if (o && draws(o)) ids.push_back(id_of(o));
  return ids;
}

Picture Camera::take(const Heap& heap, Variables variables) {
  Picture p;
  std::vector<const Object*> live;
  heap.for_each_object([&](const Object& o) {
    if (draws(&o)) live.push_back(&o);
  });
  if (live.size() > kMaxDrawnObjects) {
    p.too_many = live.size();
    return p;
  }
  const Collector& gc = heap.gc();
  for (const Object* o : live) {
    const std::uint32_t id = id_of(o);
    p.objects.push_back({id, static_cast<std::uint32_t>(o->refcount()), static_cast<std::int8_t>(gc.generation_of(o)),
                         o->is_finalized()});
    if (script::is_weak(o)) {
      if (const Object* referent = static_cast<const script::LabelledWeak*>(o)->peek(); referent && draws(referent))
        p.edges.push_back({id, kWeakSlot, id_of(referent)});
      continue;
    }
    const auto& node = *static_cast<const script::Node*>(o);
    for (int k = 0; k < script::Node::kFields; ++k)
      if (const Object* child = node.field(k).get(); child && draws(child))
        p.edges.push_back({id, k, id_of(child)});
  }
  for (const auto& [name, object] : variables)
    if (object && draws(object)) p.bindings.push_back({variables_.id(name), id_of(object)});
  std::sort(p.objects.begin(), p.objects.end(), [](const ObjectState& a, const ObjectState& b) { return a.id < b.id; });
  std::sort(p.edges.begin(), p.edges.end());
  std::sort(p.bindings.begin(), p.bindings.end());
  return p;
}

}  // namespace pyheap::view
