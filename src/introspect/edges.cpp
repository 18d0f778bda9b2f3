// edges_of: a type's own names when it gives them, its trace hook's order otherwise.
#include "pyheap/edges.hpp"

#include "pyheap/type_info.hpp"
#include "pyheap/weakref.hpp"

namespace pyheap {

std::vector<Edge> edges_of(Object& o) {
  std::vector<Edge> out;
  const TypeInfo& ti = type_of(o);
  if (ti.name_edges) {
    EdgeNamer namer(out);
    ti.name_edges(&o, namer);
  } else if (ti.trace) {
    struct Ctx {
      std::vector<Edge>* out;
      std::size_t next = 0;
    } ctx{&out};
    Tracer t(
        Tracer::Mode::Visit,
        [](Object* child, void* c) {
          auto& cx = *static_cast<Ctx*>(c);
          cx.out->push_back(Edge{child, EdgeKind::Element, {}, cx.next++});
        },
        &ctx);
    ti.trace(&o, t);
  }
  if (ti.is_weakref) {
    if (Object* referent = static_cast<WeakReference&>(o).peek()) {
      out.push_back(Edge{referent, EdgeKind::Weak, "referent", 0});
    }
  }
  return out;
}

}  // namespace pyheap
