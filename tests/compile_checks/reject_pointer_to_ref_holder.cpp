// A raw pointer to a value that holds Refs: owned or not? The tracer cannot tell.
// expect-error: a raw pointer does not say whether this object owns what it points to
#include <vector>
#include "pyheap/heap.hpp"
struct Node;
struct Children {
  std::vector<pyheap::Ref<Node>> items;
  void trace(pyheap::Tracer& t) { t(items); }
};
struct Node : pyheap::Object {
  Children* children = nullptr;
  void trace(pyheap::Tracer& t) { t(children); }
};
int main() {
  pyheap::Heap h;
  (void)h.make<Node>();
}
