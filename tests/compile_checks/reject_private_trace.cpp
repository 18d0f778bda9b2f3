// expect-error: has a member named `trace` that pyheap cannot call
// A `class` keeps its members private unless told: the hook is there, pyheap cannot call it, and
// the collector would never see the Ref (issue 19: this compiled, and the cycle leaked).
#include "pyheap/heap.hpp"
class Node : public pyheap::Object {
  void trace(pyheap::Tracer& t) { t(next); }

 public:
  pyheap::Ref<Node> next;
};
int main() {
  pyheap::Heap h;
  (void)h.make<Node>();
}
