// expect-error: this type's destructor is private or protected
#include "pyheap/heap.hpp"
struct Leaf : pyheap::Object {
 private:
  ~Leaf() = default;
};
int main() {
  pyheap::Heap h;
  (void)h.make<Leaf>();
}
