// The polymorphic example of README.md ("Using the library"), as written there: must compile.
#include <iostream>
#include <utility>

#include <pyheap/pyheap.hpp>

struct Expr : pyheap::Object {
  virtual ~Expr() = default;
  virtual double eval() const = 0;
  virtual void trace(pyheap::Tracer& t) { t(parent); }
  pyheap::Ref<Expr> parent;                                    // a back-pointer: cycles
};
struct Num final : Expr {
  explicit Num(double v) : v(v) {}
  double eval() const override { return v; }
  double v;
};
struct Add final : Expr {
  Add(pyheap::Ref<Expr> a, pyheap::Ref<Expr> b) : l(std::move(a)), r(std::move(b)) {
    l->parent = r->parent = pyheap::ref_from_this(this);            // a Ref to `this`, even here
  }
  double eval() const override { return l->eval() + r->eval(); }
  void trace(pyheap::Tracer& t) override { Expr::trace(t); t(l, r); }   // extends the base's hook
  pyheap::Ref<Expr> l, r;
};

int main() {
  pyheap::Heap heap;
  auto sum = heap.make<Add>(heap.make<Num>(1), heap.make<Num>(2));  // its children point back at it
  pyheap::Ref<Expr> e = sum;            // destroyed as an Add, once (here: by the collector)
  if (auto add = pyheap::dynamic_ref_cast<Add>(e)) std::cout << add->eval();  // 3
}
