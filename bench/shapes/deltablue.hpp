// DeltaBlue: the incremental constraint solver of Freeman-Benson, Maloney and Borning
// ("An Incremental Constraint Solver", CACM 1990; Sannella et al. 1993), in the shape of its
// classic object-oriented benchmark: variables and multi-way constraints linked both ways (a
// variable lists the constraints on it, a constraint names its variables), a planner that adds
// and removes constraints incrementally by walking strengths, and plans that it extracts and
// executes.
//
// A round runs the two classic tests at size kSize:
//   chain       kSize+1 variables in a chain of required equalities, a strong stay on the last,
//               an edit on the first; the plan is extracted and run for 100 values, each checked
//               at the chain's end;
//   projection  kSize pairs (src, dst) tied by required scale constraints dst = src*scale+offset,
//               weak stays on every src; edits on a src, a dst, the scale and the offset, each
//               planned and run 10 times and checked.
// Every wrong value exits the program. The checksum sums the values checked and the plans' sizes.
//
// Ownership: the test owns its variables (a vector); a variable owns the constraints on it, a
// constraint reaches its variables through back links (Back<T>: a Ref for pyheap, whose cycles the
// collector frees; a weak_ptr for shared_ptr, locked at every use; plain pointers for Boehm and the
// hand-written program, which deletes every constraint and variable at the end of a test).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace shapes {

template <class P>
struct DeltaBlue {
  template <class T>
  using Ptr = typename P::template Ptr<T>;
  template <class T>
  using Back = typename P::template Back<T>;
  template <class T>
  using Vec = typename P::template Vec<T>;
  using Tracer = typename P::Tracer;

  static constexpr int kSize = 2000;
  static constexpr int kRounds = 200;

  // Strengths, strongest first.
  enum Strength { kRequired, kStrongPreferred, kPreferred, kStrongDefault, kNormal, kWeakDefault, kWeakest };
  static bool stronger(int a, int b) { return a < b; }
  static bool weaker(int a, int b) { return a > b; }
  static int weakest_of(int a, int b) { return weaker(a, b) ? a : b; }
  static int next_weaker(int s) { return s + 1; }

  [[noreturn]] static void fail(const char* what) {
    std::fprintf(stderr, "deltablue: %s\n", what);
    std::exit(1);
  }

  struct Constraint;
  struct Planner;

  struct Variable : P::template Base<Variable> {
    explicit Variable(std::int64_t v) : value(v) {}
    std::int64_t value;
    Vec<Ptr<Constraint>> constraints;
    Ptr<Constraint> determined_by{};
    int mark = 0;
    int walk_strength = kWeakest;
    bool stay = true;
    void trace(Tracer& t) { t(constraints, determined_by); }

    void add_constraint(Ptr<Constraint> c) { constraints.push_back(std::move(c)); }
    void remove_constraint(const Constraint* c) {
      for (std::size_t i = 0; i < constraints.size(); ++i)
        if (&*constraints[i] == c) {
          constraints.erase(constraints.begin() + static_cast<std::ptrdiff_t>(i));
          break;
        }
      if (determined_by && &*determined_by == c) determined_by = Ptr<Constraint>();
    }
  };

  struct Constraint : P::template Base<Constraint> {
    explicit Constraint(int s) : strength(s) {}
    virtual ~Constraint() = default;
    int strength;
    virtual void trace(Tracer&) {}

    virtual bool is_input() const { return false; }
    virtual bool is_satisfied() const = 0;
    virtual void add_to_graph() = 0;
    virtual void remove_from_graph() = 0;
    virtual void choose_method(int mark) = 0;
    virtual void mark_inputs(int mark) = 0;
    virtual Ptr<Variable> output() const = 0;
    virtual void mark_unsatisfied() = 0;
    virtual bool inputs_known(int mark) const = 0;
    virtual void recalculate() = 0;
    virtual void execute() = 0;

    // Links the constraint into its variables and satisfies it (not in the constructor: the
    // object has to exist as a Ptr before it can hand itself out).
    void add(Planner& planner) {
      add_to_graph();
      planner.incremental_add(P::self(this));
    }
    void destroy(Planner& planner) {
      if (is_satisfied()) planner.incremental_remove(P::self(this));
      remove_from_graph();
    }

    // Finds a method that satisfies the constraint; returns the constraint it overrode, if any.
    Ptr<Constraint> satisfy(int mark, Planner& planner) {
      choose_method(mark);
      if (!is_satisfied()) {
        if (strength == kRequired) fail("could not satisfy a required constraint");
        return Ptr<Constraint>();
      }
      mark_inputs(mark);
      Ptr<Variable> out = output();
      Ptr<Constraint> overridden = out->determined_by;
      if (overridden) overridden->mark_unsatisfied();
      out->determined_by = P::self(this);
      if (!planner.add_propagate(P::self(this), mark)) fail("cycle encountered");
      out->mark = mark;
      return overridden;
    }
  };

  struct UnaryConstraint : Constraint {
    UnaryConstraint(const Ptr<Variable>& v, int s) : Constraint(s), my_output(v) {}
    Back<Variable> my_output{};
    bool satisfied = false;
    void trace(Tracer& t) override { t(my_output); }

    bool is_satisfied() const override { return satisfied; }
    void add_to_graph() override {
      P::follow(my_output)->add_constraint(P::self(static_cast<Constraint*>(this)));
      satisfied = false;
    }
    void remove_from_graph() override {
      if (auto v = P::follow(my_output)) v->remove_constraint(this);
      satisfied = false;
    }
    void choose_method(int mark) override {
      auto v = P::follow(my_output);
      satisfied = v->mark != mark && stronger(this->strength, v->walk_strength);
    }
    void mark_inputs(int) override {}
    Ptr<Variable> output() const override { return P::follow(my_output); }
    void mark_unsatisfied() override { satisfied = false; }
    bool inputs_known(int) const override { return true; }
    void recalculate() override {
      auto v = P::follow(my_output);
      v->walk_strength = this->strength;
      v->stay = !this->is_input();
      if (v->stay) this->execute();
    }
  };

  struct StayConstraint final : UnaryConstraint {
    using UnaryConstraint::UnaryConstraint;
    void execute() override {}
  };
  struct EditConstraint final : UnaryConstraint {
    using UnaryConstraint::UnaryConstraint;
    bool is_input() const override { return true; }
    void execute() override {}
  };

  enum Direction { kNone, kForward, kBackward };

  struct BinaryConstraint : Constraint {
    BinaryConstraint(const Ptr<Variable>& a, const Ptr<Variable>& b, int s) : Constraint(s), v1(a), v2(b) {}
    Back<Variable> v1, v2;
    int direction = kNone;
    void trace(Tracer& t) override { t(v1, v2); }

    bool is_satisfied() const override { return direction != kNone; }
    void add_to_graph() override {
      P::follow(v1)->add_constraint(P::self(static_cast<Constraint*>(this)));
      P::follow(v2)->add_constraint(P::self(static_cast<Constraint*>(this)));
      direction = kNone;
    }
    void remove_from_graph() override {
      if (auto a = P::follow(v1)) a->remove_constraint(this);
      if (auto b = P::follow(v2)) b->remove_constraint(this);
      direction = kNone;
    }
    void choose_method(int mark) override {
      auto a = P::follow(v1);
      auto b = P::follow(v2);
      if (a->mark == mark) {
        direction = b->mark != mark && stronger(this->strength, b->walk_strength) ? kForward : kNone;
      } else if (b->mark == mark) {
        direction = a->mark != mark && stronger(this->strength, a->walk_strength) ? kBackward : kNone;
      } else if (weaker(a->walk_strength, b->walk_strength)) {
        direction = stronger(this->strength, a->walk_strength) ? kBackward : kNone;
      } else {
        direction = stronger(this->strength, b->walk_strength) ? kForward : kBackward;
      }
    }
    Ptr<Variable> input() const { return direction == kForward ? P::follow(v1) : P::follow(v2); }
    Ptr<Variable> output() const override { return direction == kForward ? P::follow(v2) : P::follow(v1); }
    void mark_inputs(int mark) override { input()->mark = mark; }
    void mark_unsatisfied() override { direction = kNone; }
    bool inputs_known(int mark) const override {
      Ptr<Variable> i = input();
      return i->mark == mark || i->stay || !i->determined_by;
    }
    void recalculate() override {
      Ptr<Variable> in = input(), out = output();
      out->walk_strength = weakest_of(this->strength, in->walk_strength);
      out->stay = in->stay;
      if (out->stay) this->execute();
    }
  };

  struct EqualityConstraint final : BinaryConstraint {
    using BinaryConstraint::BinaryConstraint;
    void execute() override { this->output()->value = this->input()->value; }
  };

  struct ScaleConstraint final : BinaryConstraint {
    ScaleConstraint(const Ptr<Variable>& src, const Ptr<Variable>& sc, const Ptr<Variable>& off,
                    const Ptr<Variable>& dst, int s)
        : BinaryConstraint(src, dst, s), scale(sc), offset(off) {}
    Back<Variable> scale{}, offset{};
    void trace(Tracer& t) override {
      BinaryConstraint::trace(t);
      t(scale, offset);
    }
    void add_to_graph() override {
      BinaryConstraint::add_to_graph();
      P::follow(scale)->add_constraint(P::self(static_cast<Constraint*>(this)));
      P::follow(offset)->add_constraint(P::self(static_cast<Constraint*>(this)));
    }
    void remove_from_graph() override {
      BinaryConstraint::remove_from_graph();
      if (auto s = P::follow(scale)) s->remove_constraint(this);
      if (auto o = P::follow(offset)) o->remove_constraint(this);
    }
    void mark_inputs(int mark) override {
      BinaryConstraint::mark_inputs(mark);
      P::follow(scale)->mark = mark;
      P::follow(offset)->mark = mark;
    }
    void execute() override {
      auto s = P::follow(scale);
      auto o = P::follow(offset);
      if (this->direction == kForward)
        P::follow(this->v2)->value = P::follow(this->v1)->value * s->value + o->value;
      else
        P::follow(this->v1)->value = (P::follow(this->v2)->value - o->value) / s->value;
    }
    void recalculate() override {
      Ptr<Variable> in = this->input(), out = this->output();
      out->walk_strength = weakest_of(this->strength, in->walk_strength);
      out->stay = in->stay && P::follow(scale)->stay && P::follow(offset)->stay;
      if (out->stay) execute();
    }
  };

  // A plan: constraints in the order they must run. A plain local of the test.
  struct Plan {
    Vec<Ptr<Constraint>> list;
    void execute() {
      for (const Ptr<Constraint>& c : list) c->execute();
    }
  };

  struct Planner {
    int current_mark = 0;
    int new_mark() { return ++current_mark; }

    void incremental_add(const Ptr<Constraint>& c) {
      const int mark = new_mark();
      for (Ptr<Constraint> overridden = c->satisfy(mark, *this); overridden;)
        overridden = overridden->satisfy(mark, *this);
    }

    void incremental_remove(const Ptr<Constraint>& c) {
      Ptr<Variable> out = c->output();
      c->mark_unsatisfied();
      c->remove_from_graph();
      Vec<Ptr<Constraint>> unsatisfied = remove_propagate_from(out);
      for (int strength = kRequired; strength != kWeakest; strength = next_weaker(strength))
        for (const Ptr<Constraint>& u : unsatisfied)
          if (u->strength == strength) incremental_add(u);
    }

    // Recomputes the walkabout strengths and stay flags downstream of c's output; false (after
    // undoing c) if the propagation comes back to c's output: a cycle.
    bool add_propagate(const Ptr<Constraint>& c, int mark) {
      Vec<Ptr<Constraint>> todo;
      todo.push_back(c);
      for (std::size_t i = 0; i < todo.size(); ++i) {
        Ptr<Constraint> d = todo[i];
        if (d->output()->mark == mark) {
          incremental_remove(c);
          return false;
        }
        d->recalculate();
        add_constraints_consuming_to(d->output(), todo);
      }
      return true;
    }

    Vec<Ptr<Constraint>> remove_propagate_from(const Ptr<Variable>& out) {
      out->determined_by = Ptr<Constraint>();
      out->walk_strength = kWeakest;
      out->stay = true;
      Vec<Ptr<Constraint>> unsatisfied;
      Vec<Ptr<Variable>> todo;
      todo.push_back(out);
      for (std::size_t i = 0; i < todo.size(); ++i) {
        Ptr<Variable> v = todo[i];
        for (const Ptr<Constraint>& c : v->constraints)
          if (!c->is_satisfied()) unsatisfied.push_back(c);
        const Ptr<Constraint> determining = v->determined_by;
        for (const Ptr<Constraint>& next : v->constraints)
          if (next != determining && next->is_satisfied()) {
            next->recalculate();
            todo.push_back(next->output());
          }
      }
      return unsatisfied;
    }

    void add_constraints_consuming_to(const Ptr<Variable>& v, Vec<Ptr<Constraint>>& coll) {
      const Ptr<Constraint> determining = v->determined_by;
      for (const Ptr<Constraint>& c : v->constraints)
        if (c != determining && c->is_satisfied()) coll.push_back(c);
    }

    Plan make_plan(Vec<Ptr<Constraint>> sources) {
      const int mark = new_mark();
      Plan plan;
      Vec<Ptr<Constraint>>& todo = sources;
      for (std::size_t i = 0; i < todo.size(); ++i) {
        Ptr<Constraint> c = todo[i];
        Ptr<Variable> out = c->output();
        if (out->mark != mark && c->inputs_known(mark)) {
          plan.list.push_back(c);
          out->mark = mark;
          add_constraints_consuming_to(out, todo);
        }
      }
      return plan;
    }

    Plan extract_plan_from(const Ptr<Constraint>& edit) {
      Vec<Ptr<Constraint>> sources;
      if (edit->is_input() && edit->is_satisfied()) sources.push_back(edit);
      return make_plan(std::move(sources));
    }
  };

  // What one test made, so that the hand-written program can delete it; the other variants hold
  // the variables here and let the rest go with them.
  struct Test {
    Planner planner;
    Vec<Ptr<Variable>> variables;
    Vec<Ptr<Constraint>> constraints;  // by hand only

    Ptr<Variable> variable(std::int64_t value) {
      Ptr<Variable> v = P::template make<Variable>(value);
      variables.push_back(v);
      return v;
    }
    template <class C, class... A>
    Ptr<C> constraint(A&&... a) {
      Ptr<C> c = P::template make<C>(std::forward<A>(a)...);
      if constexpr (P::kByHand) constraints.push_back(c);
      c->add(planner);
      return c;
    }
    ~Test() {
      if constexpr (P::kByHand) {
        for (Constraint* c : constraints) P::destroy(c);
        for (Variable* v : variables) P::destroy(v);
      }
    }

    // Sets v to value through an edit constraint, planned once and run 10 times.
    std::uint64_t change(const Ptr<Variable>& v, std::int64_t value) {
      Ptr<EditConstraint> edit = constraint<EditConstraint>(v, kPreferred);
      Plan plan = planner.extract_plan_from(edit);
      for (int i = 0; i < 10; ++i) {
        v->value = value;
        plan.execute();
      }
      edit->destroy(planner);
      return plan.list.size();
    }
  };

  static void expect(bool ok, const char* what) {
    if (!ok) fail(what);
  }

  static std::uint64_t chain_test(int n) {
    Test test;
    Ptr<Variable> prev{}, first{}, last{};
    for (int i = 0; i <= n; ++i) {
      Ptr<Variable> v = test.variable(0);
      if (prev) test.template constraint<EqualityConstraint>(prev, v, kRequired);
      if (i == 0) first = v;
      if (i == n) last = v;
      prev = std::move(v);
    }
    test.template constraint<StayConstraint>(last, kStrongDefault);
    Ptr<EditConstraint> edit = test.template constraint<EditConstraint>(first, kPreferred);
    Plan plan = test.planner.extract_plan_from(edit);
    std::uint64_t sum = plan.list.size();
    for (int i = 0; i < 100; ++i) {
      first->value = i;
      plan.execute();
      expect(last->value == i, "chain test failed");
      sum += static_cast<std::uint64_t>(last->value);
    }
    return sum;
  }

  static std::uint64_t projection_test(int n) {
    Test test;
    Ptr<Variable> scale = test.variable(10), offset = test.variable(1000);
    Ptr<Variable> src{}, dst{};
    Vec<Ptr<Variable>> dests;
    for (int i = 0; i < n; ++i) {
      src = test.variable(i);
      dst = test.variable(i);
      dests.push_back(dst);
      test.template constraint<StayConstraint>(src, kNormal);
      test.template constraint<ScaleConstraint>(src, scale, offset, dst, kRequired);
    }
    std::uint64_t sum = test.change(src, 17);
    expect(dst->value == 1170, "projection 1 failed");
    sum += test.change(dst, 1050);
    expect(src->value == 5, "projection 2 failed");
    sum += test.change(scale, 5);
    for (int i = 0; i < n - 1; ++i) {
      expect(dests[static_cast<std::size_t>(i)]->value == i * 5 + 1000, "projection 3 failed");
      sum += static_cast<std::uint64_t>(dests[static_cast<std::size_t>(i)]->value);
    }
    sum += test.change(offset, 2000);
    for (int i = 0; i < n - 1; ++i) {
      expect(dests[static_cast<std::size_t>(i)]->value == i * 5 + 2000, "projection 4 failed");
      sum += static_cast<std::uint64_t>(dests[static_cast<std::size_t>(i)]->value);
    }
    return sum;
  }

  static std::uint64_t run(int scale) {
    std::uint64_t total = 0;
    for (int round = 0; round < kRounds * scale; ++round) total += chain_test(kSize) + projection_test(kSize);
    return total;
  }
};

}  // namespace shapes
