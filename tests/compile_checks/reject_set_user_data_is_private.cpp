// Heap::of follows the user data back to the heap.
// expect-error: has no member named
// expect-error: no member named
#include "pyheap/heap.hpp"
int main() {
  pyheap::Heap h;
  int x = 0;
  h.allocator().set_user_data(&x);
}
