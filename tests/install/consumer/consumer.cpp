// A program a user would write against an installed pyheap, all of it (pyheap::pyheap): a node
// type with a cycle freed by the collector, a container made inside the library, and an
// introspection call. Exits non-zero if the installed library misbehaves.
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
  // A Str is made inside the library and tested here: with a shared library both sides must agree
  // on its type id (one registration per type across the library and the program).
  auto s = pyheap::Str::make(heap, "installed");
  const bool same_type = pyheap::Heap::is_a<pyheap::Str>(s.get());
  const std::string why = pyheap::why_alive(heap, s.get());
  std::printf("Str type shared: %s; why: %s\n", same_type ? "yes" : "no", why.c_str());
  return before == 3 && collected == 3 && same_type && why == "(C++ references)[0] -> installed" ? 0 : 1;
}
