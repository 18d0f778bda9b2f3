// expect-error: dynamic_ref_cast needs a polymorphic source type
#include "pyheap/heap.hpp"
struct Shape : pyheap::Object {
  virtual ~Shape() = default;
};
int main() {
  pyheap::Heap h;
  pyheap::Ref<pyheap::Object> o = h.make<Shape>();
  (void)pyheap::dynamic_ref_cast<Shape>(o);  // Object has no vtable: is_a + static_ref_cast
}
