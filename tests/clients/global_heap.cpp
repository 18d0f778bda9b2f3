// A Heap with static storage duration, and garbage left for it to collect at exit (issue 19,
// bug 1). What was wrong: the type registry, a function-local static constructed at the first
// make (after the global heap), was destroyed at exit before the heap, and ~Heap, collecting the
// cycles left, read the freed type entries (ASan: heap-use-after-free in gc::word <- ~Heap).
// The registry is now never destroyed (src/object/type_registry.cpp). Run by ctest; under the
// sanitizer build any read of freed memory at exit fails it.
#include <pyheap/heap.hpp>
#include <pyheap/list.hpp>
#include <pyheap/str.hpp>

#include <cstdio>

struct Node : pyheap::Object {
  pyheap::Ref<pyheap::Object> next;
  void trace(pyheap::Tracer& t) { t(next); }
};

pyheap::Heap heap;  // the first thing many ports write

// A second one, a function-local static: destroyed at exit too, in the reverse order of its
// construction (after main's first use of it).
pyheap::Heap& scratch() {
  static pyheap::Heap h;
  return h;
}

int main() {
  auto n = heap.make<Node>();
  n->next = n;  // refers to itself: garbage only the collector can free
  auto list = pyheap::List::make(heap);
  list->append(pyheap::Str::make(heap, "kept until exit"));
  list->append(list);  // a list holding itself
  auto m = scratch().make<Node>();
  m->next = m;
  std::printf("global heap: %zu objects, cycles left for exit\n", heap.live_objects());
  n.reset();
  list.reset();
  m.reset();
  return 0;  // ~Heap of both, after main: each collects its cycles
}
