// Ref<const T> and ref_from_this in a const member function (issue 19: both were refused).
#include "pyheap/heap.hpp"
struct Node : pyheap::Object {
  pyheap::Ref<const Node> self() const { return pyheap::ref_from_this(this); }
  pyheap::Ref<Node> self() { return pyheap::ref_from_this(this); }
};
int main() {
  pyheap::Heap h;
  pyheap::Ref<Node> n = h.make<Node>();
  const Node& c = *n;
  pyheap::Ref<const Node> r = c.self();
  pyheap::Ref<Node> back = pyheap::const_ref_cast<Node>(r);
  return r == back && r == n.get() && r != nullptr ? 0 : 1;
}
