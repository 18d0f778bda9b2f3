// expect-error: std::shared_ptr/std::weak_ptr share ownership the collector cannot see
#include <memory>
#include <vector>
#include "pyheap/heap.hpp"
struct Node;
struct Children {
  std::vector<pyheap::Ref<Node>> items;
  void trace(pyheap::Tracer& t) { t(items); }
};
struct Node : pyheap::Object {
  std::shared_ptr<Children> children;
  void trace(pyheap::Tracer& t) { t(children); }
};
int main() {
  pyheap::Heap h;
  (void)h.make<Node>();
}
