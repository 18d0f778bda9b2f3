// An embedded struct that holds Refs but has no trace member: the tracer cannot reach them.
// expect-error: this type may hold a Ref but gives the tracer no way to reach it
#include <vector>
#include "pyheap/heap.hpp"
struct Node;
struct Children {
  std::vector<pyheap::Ref<Node>> items;
};
struct Node : pyheap::Object {
  Children children;
  void trace(pyheap::Tracer& t) { t(children); }
};
int main() {
  pyheap::Heap h;
  (void)h.make<Node>();
}
