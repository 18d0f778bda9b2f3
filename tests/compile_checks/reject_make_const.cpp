// expect-error: make<const T>: heap objects are never const
#include "pyheap/heap.hpp"
struct Leaf : pyheap::Object {};
int main() {
  pyheap::Heap h;
  (void)h.make<const Leaf>();
}
