// expect-error: has a member named `trace` that pyheap cannot call
// A hook that takes no Tracer (a final class: its public members are seen without deriving).
#include "pyheap/heap.hpp"
struct Node final : pyheap::Object {
  pyheap::Ref<Node> next;
  void trace() {}
};
int main() {
  pyheap::Heap h;
  (void)h.make<Node>();
}
