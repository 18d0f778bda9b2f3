// expect-error: a raw pointer (or reference_wrapper) to a heap object owns no count
#include <functional>
#include <optional>
#include "pyheap/heap.hpp"
struct Node : pyheap::Object {
  std::optional<std::reference_wrapper<Node>> peer;
  void trace(pyheap::Tracer& t) { t(peer); }
};
int main() {
  pyheap::Heap h;
  (void)h.make<Node>();
}
