// Tracking an object is the heap's business: a non-container has no collector word.
// expect-error: is private within this context
// expect-error: is a private member of
#include "pyheap/heap.hpp"
struct Leaf : pyheap::Object {};
int main() {
  pyheap::Heap h;
  auto l = h.make<Leaf>();
  h.gc().track(l.get());
}
