// The porting example of README.md ("Porting from raw pointers or shared_ptr"), as written there:
// must compile.
#include <utility>
#include <vector>

#include <pyheap/pyheap.hpp>

struct Constraint;
struct Planner : pyheap::Object {
  std::vector<pyheap::Ref<Constraint>> constraints;
  void trace(pyheap::Tracer& t) { t(constraints); }
};
struct Constraint : pyheap::Object {
  explicit Constraint(pyheap::Ref<Planner> p) : planner(std::move(p)) {
    planner->constraints.push_back(pyheap::ref_from_this(this));  // registers itself
  }
  void trace(pyheap::Tracer& t) { t(planner); }
  pyheap::Ref<Planner> planner;
};

pyheap::StaticRef<Planner> kPlanner;  // shared by the program, reset by the heap when it goes
pyheap::Heap heap;                    // globals are fine, in either order

int main() {
  kPlanner = heap.make<Planner>();
  heap.make<Constraint>(kPlanner.ref());                      // kept by the planner
  auto slots = pyheap::RefArray<Constraint>::make(heap, 16);  // new Constraint*[16]
  (*slots)[0] = kPlanner->constraints.front();
}
