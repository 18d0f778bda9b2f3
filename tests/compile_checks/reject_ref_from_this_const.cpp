// expect-error: ref_from_this needs a non-const pointer
#include "pyheap/heap.hpp"
struct Node : pyheap::Object {
  pyheap::Ref<Node> self() const { return pyheap::ref_from_this(this); }
};
int main() {
  pyheap::Heap h;
  (void)h.make<Node>()->self();
}
