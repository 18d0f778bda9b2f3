// A heap object passed to the tracer by reference (here a base class's part of the object).
// expect-error: is traced through the Ref<T> that owns it, never by value or by reference
#include "pyheap/heap.hpp"
struct Base : pyheap::Object {
  pyheap::Ref<Base> next;
  void trace(pyheap::Tracer& t) { t(next); }
};
struct Derived : Base {
  pyheap::Ref<Base> other;
  void trace(pyheap::Tracer& t) { t(static_cast<Base&>(*this), other); }  // write Base::trace(t)
};
int main() {
  pyheap::Heap h;
  (void)h.make<Derived>();
}
