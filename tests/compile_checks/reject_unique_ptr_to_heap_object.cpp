// expect-error: a heap object is owned by reference counts, not by std::unique_ptr
#include <memory>
#include "pyheap/heap.hpp"
struct Node : pyheap::Object {
  std::unique_ptr<Node> child;
  void trace(pyheap::Tracer& t) { t(child); }
};
int main() {
  pyheap::Heap h;
  (void)h.make<Node>();
}
