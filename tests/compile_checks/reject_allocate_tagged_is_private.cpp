// A tagged block would be enumerated as an object.
// expect-error: is private within this context
// expect-error: is a private member of
#include "pyheap/heap.hpp"
int main() {
  pyheap::Heap h;
  (void)h.allocator().allocate_tagged(16, 1);
}
