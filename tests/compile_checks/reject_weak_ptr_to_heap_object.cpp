// expect-error: std::shared_ptr/std::weak_ptr share ownership the collector cannot see
#include <memory>
#include "pyheap/heap.hpp"
struct Node : pyheap::Object {
  std::weak_ptr<Node> peer;
  void trace(pyheap::Tracer& t) { t(peer); }
};
int main() {
  pyheap::Heap h;
  (void)h.make<Node>();
}
