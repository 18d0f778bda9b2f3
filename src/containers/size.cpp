#include "pyheap/size.hpp"

#include <unordered_set>
#include <vector>

#include "pyheap/heap.hpp"

namespace pyheap {

std::size_t getsizeof(const Object* o) noexcept {
  if (!o) return 0;
  const TypeInfo& ti = type_of(*o);
  return Heap::allocated_size(o) + (ti.owned_bytes ? ti.owned_bytes(o) : 0);
}

std::size_t deep_size(Object* root) {
  if (!root) return 0;
  std::unordered_set<const Object*> seen{root};
  std::vector<Object*> stack{root};
  std::size_t total = 0;
  struct Ctx {
    std::unordered_set<const Object*>* seen;
    std::vector<Object*>* stack;
  } ctx{&seen, &stack};
  // Explicit stack: a long chain must not recurse.
  Tracer visit(
      Tracer::Mode::Visit,
      [](Object* child, void* c) {
        auto* x = static_cast<Ctx*>(c);
        if (x->seen->insert(child).second) x->stack->push_back(child);
      },
      &ctx);
  while (!stack.empty()) {
    Object* o = stack.back();
    stack.pop_back();
    total += getsizeof(o);
    if (const TypeInfo& ti = type_of(*o); ti.trace) ti.trace(o, visit);
  }
  return total;
}

}  // namespace pyheap
