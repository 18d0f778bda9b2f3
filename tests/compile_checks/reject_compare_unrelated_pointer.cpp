// expect-error: no match for
// expect-error: invalid operands to binary expression
// A Ref compares with raw pointers of related types only (a base or a derived class), as pointers do.
#include "pyheap/heap.hpp"
struct Circle : pyheap::Object {};
struct Square : pyheap::Object {};
int main() {
  pyheap::Heap h;
  pyheap::Ref<Circle> c = h.make<Circle>();
  Square* s = nullptr;
  return c == s;
}
