// expect-error: has a member named `finalize` that pyheap cannot call
#include "pyheap/heap.hpp"
class Resource : public pyheap::Object {
  void finalize() {}
};
int main() {
  pyheap::Heap h;
  (void)h.make<Resource>();
}
