// A program a user would write against an installed pyheap: one node type with a cycle,
// freed by the collector. Exits non-zero if the installed library misbehaves.
#include <pyheap/pyheap.hpp>

#include <cstdio>
#include <vector>

struct Node : pyheap::Object {
  pyheap::Ref<Node> next;
  std::vector<pyheap::Ref<Node>> children;
  void trace(pyheap::Tracer& t) { t(next, children); }
};

int main() {
  pyheap::Heap heap;
  {
    auto a = heap.make<Node>();
    auto b = heap.make<Node>();
    a->next = b;
    b->next = a;
    a->children.push_back(heap.make<Node>());
  }
  const std::size_t before = heap.live_objects();
  const std::size_t collected = heap.gc().collect();
  std::printf("live before %zu, collected %zu, live after %zu\n", before, collected, heap.live_objects());
  return before == 3 && collected == 3 && heap.live_objects() == 0 ? 0 : 1;
}
