// expect-error: std::unique_ptr<U[]> does not know its length
#include <memory>
#include "pyheap/heap.hpp"
struct Node : pyheap::Object {
  std::unique_ptr<pyheap::Ref<Node>[]> children;
  void trace(pyheap::Tracer& t) { t(children); }
};
int main() {
  pyheap::Heap h;
  (void)h.make<Node>();
}
