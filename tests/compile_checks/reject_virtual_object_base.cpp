// expect-error: pyheap::Object cannot be a virtual base of a heap object type
#include "pyheap/heap.hpp"
struct Shape : virtual pyheap::Object {
  virtual ~Shape() = default;
};
int main() {
  pyheap::Heap h;
  (void)h.make<Shape>();
}
