// expect-error: a void* cannot be traced either
#include "pyheap/heap.hpp"
struct Node : pyheap::Object {
  void* user = nullptr;
  void trace(pyheap::Tracer& t) { t(user); }
};
int main() {
  pyheap::Heap h;
  (void)h.make<Node>();
}
