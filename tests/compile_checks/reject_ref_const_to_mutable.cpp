// expect-error: to non-scalar type
// expect-error: no viable conversion from
// The const is taken off only by const_ref_cast, as a const T* becomes a T* only by const_cast.
#include "pyheap/heap.hpp"
struct Leaf : pyheap::Object {};
int main() {
  pyheap::Heap h;
  pyheap::Ref<const Leaf> c = h.make<Leaf>();
  pyheap::Ref<Leaf> m = c;
}
