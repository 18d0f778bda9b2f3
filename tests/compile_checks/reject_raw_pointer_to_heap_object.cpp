// A raw pointer to a heap object: no count, no edge.
// expect-error: a raw pointer (or reference_wrapper) to a heap object owns no count
#include "pyheap/heap.hpp"
struct Node : pyheap::Object {
  Node* parent = nullptr;
  void trace(pyheap::Tracer& t) { t(parent); }
};
int main() {
  pyheap::Heap h;
  (void)h.make<Node>();
}
