// The same inside a container: the element rule decides for the container.
// expect-error: a std::function may capture a Ref that no trace hook can see
#include <functional>
#include <map>
#include <string>
#include "pyheap/heap.hpp"
struct Widget : pyheap::Object {
  std::map<std::string, std::function<void()>> handlers;
  void trace(pyheap::Tracer& t) { t(handlers); }
};
int main() {
  pyheap::Heap h;
  (void)h.make<Widget>();
}
