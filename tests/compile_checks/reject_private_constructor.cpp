// expect-error: declare `friend class pyheap::Access;` in the type
// A factory's type: without the friend, make cannot reach the constructor.
#include "pyheap/heap.hpp"
class Leaf : public pyheap::Object {
  explicit Leaf(int v) : v_(v) {}
  int v_;

 public:
  static pyheap::Ref<Leaf> make(pyheap::Heap& h, int v) { return h.make<Leaf>(v); }
};
int main() {
  pyheap::Heap h;
  (void)Leaf::make(h, 1);
}
