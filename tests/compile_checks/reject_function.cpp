// A callback may capture a Ref the collector cannot see.
// expect-error: a std::function may capture a Ref that no trace hook can see
#include <functional>
#include "pyheap/heap.hpp"
struct Button : pyheap::Object {
  std::function<void()> on_click;
  void trace(pyheap::Tracer& t) { t(on_click); }
};
int main() {
  pyheap::Heap h;
  (void)h.make<Button>();
}
