// expect-error: pyheap::Object must be a public and unambiguous base of a heap object type
#include "pyheap/heap.hpp"
class Hidden : private pyheap::Object {
  friend class pyheap::Heap;
};
int main() {
  pyheap::Heap h;
  (void)h.make<Hidden>();
}
