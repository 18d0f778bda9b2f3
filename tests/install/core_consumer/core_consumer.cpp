// A program that needs only the core (allocator, Ref, weak references, collector): it builds
// against an install of the core component alone, with no containers, introspection, report or
// CLI11 present. Exits non-zero if the core misbehaves.
#include <pyheap/collector.hpp>
#include <pyheap/heap.hpp>
#include <pyheap/weakref.hpp>

#include <cstdio>

struct Node : pyheap::Object {
  pyheap::Ref<Node> next;
  void trace(pyheap::Tracer& t) { t(next); }
};

int main() {
  pyheap::Heap heap;
  pyheap::WeakRef<Node> watch;
  {
    auto a = heap.make<Node>();
    auto b = heap.make<Node>();
    a->next = b;
    b->next = a;
    watch = pyheap::WeakRef<Node>(a);
  }
  const std::size_t collected = heap.gc().collect();
  void* block = heap.allocator().allocate(40);
  heap.allocator().deallocate(block, 40);
  std::printf("collected %zu, weak reference expired: %s, live %zu\n", collected,
              watch.expired() ? "yes" : "no", heap.live_objects());
  return collected == 2 && watch.expired() && heap.live_objects() == 1 ? 0 : 1;
}
