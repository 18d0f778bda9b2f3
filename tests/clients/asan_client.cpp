// A program compiled with -fsanitize=address, linked against pyheap built without it (issue 19,
// bug 2). What was wrong: the inline make (internal/alloc_fast.hpp) poisoned blocks because the
// *program* was compiled with ASan, and the uninstrumented library never unpoisoned them when it
// handed the same blocks out again, so make reported a use-after-poison. Poisoning is now the
// library's decision (PYHEAP_ASAN, a compile definition of the library), so neither half poisons
// here. The program makes objects of several sizes that share size classes, through the inline
// path and the library's (a new pool, a full one), containers that grow, cycles the collector
// frees; any false report fails the test.
#include <pyheap/heap.hpp>
#include <pyheap/list.hpp>
#include <pyheap/str.hpp>

#include <cstdio>
#include <vector>

namespace {
// Requests of 24, 32 and 40 bytes: the first two share the 32-byte class, so a block is asked for
// with both sizes in turn.
struct Small : pyheap::Object {
  char bytes[16];
};
struct Wide : pyheap::Object {
  char bytes[24];
};
struct Link : pyheap::Object {
  pyheap::Ref<pyheap::Object> a, b;
  char pad[8];
  void trace(pyheap::Tracer& t) { t(a, b); }
};
}  // namespace

int main() {
  pyheap::Heap heap;
  std::vector<pyheap::Ref<pyheap::Object>> keep;
  std::size_t total = 0;
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 5000; ++i) {
      keep.push_back(heap.make<Small>());
      keep.push_back(heap.make<Wide>());
    }
    for (std::size_t i = 0; i < keep.size(); i += 2) keep[i].reset();  // holes in every pool
    for (int i = 0; i < 5000; ++i) keep.push_back(heap.make<Wide>());
    auto list = pyheap::List::make(heap);
    for (int i = 0; i < 2000; ++i) list->append(pyheap::Str::make(heap, std::string(static_cast<std::size_t>(i % 90), 'x')));
    for (int i = 0; i < 1000; ++i) {
      auto l = heap.make<Link>();
      l->a = l;
      l->b = list;
    }
    total += heap.live_objects();
    keep.clear();
    total += heap.gc().collect();
  }
  std::printf("asan client: %zu objects made and freed without a report\n", total);
  return heap.live_objects() == 0 ? 0 : 1;
}
