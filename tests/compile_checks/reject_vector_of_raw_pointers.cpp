// Raw pointers to heap objects inside a container are refused as well.
// expect-error: a raw pointer (or reference_wrapper) to a heap object owns no count
#include <vector>
#include "pyheap/heap.hpp"
struct Node : pyheap::Object {
  std::vector<Node*> children;
  void trace(pyheap::Tracer& t) { t(children); }
};
int main() {
  pyheap::Heap h;
  (void)h.make<Node>();
}
