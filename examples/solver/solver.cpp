// A constraint-propagation solver (SICP 3.3.5's, in C++), ported from hand-managed style to pyheap.
//
// Connectors hold values; constraints (adders, multipliers, constants, n-ary sums, probes) tie
// connectors together and, when one of theirs gets a value, compute the others. Each constraint
// adds itself to its connectors from its constructor, and each connector lists its constraints:
// every network is a web of cycles. The hand-managed original, and what the port changed
// (README, "Porting from raw pointers or shared_ptr"):
//
//   original                                       here
//   Connector* / Constraint* everywhere, and a     Ref<Connector> / Ref<Constraint>; no deletes: a
//   Network that deleted them all in its           dropped network is cyclic garbage the collector
//   destructor (and leaked when one was forgotten) frees (main, section 3)
//   `a->connect(this)` in each constraint's        the same, with ref_from_this(this) (make writes
//   constructor                                    the header before the constructor runs)
//   `const Constraint* informant`                  Ref<const Constraint>; `informant_ == retractor`
//                                                  compares a Ref with a raw pointer
//   `static Constraint* const kUser`, the           StaticRef<const Constraint> kUser: the heap
//   informant of values set by hand, never freed   resets it when it is destroyed
//   `Connector** terms = new Connector*[n]`        RefArray<Connector>, one block, traced
//   private constructors, a factory friend         friend class pyheap::Access;
//   a hand-written Trail<E> buffer, reused for     the same class, with a trace hook; Trail<E>
//   the probes' text and the solver's agenda       of text is declared to hold no Ref, so a Journal
//                                                  is not even tracked
//   a global Network                               a global Heap: cycles left at exit are collected
//                                                  by ~Heap after main returns
//
// Prints what the probes see and what the collector frees; exits non-zero if anything differs
// from what is expected (tests/install/check_install.sh compares the output with
// expected_output.txt).
#include <pyheap/heap.hpp>
#include <pyheap/ref_array.hpp>
#include <pyheap/static_ref.hpp>

#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

namespace solver {

using pyheap::Ref;

// The original code base's bounded buffer (it kept the last N entries of anything), given a trace
// hook in the port so that it may hold references.
template <class E>
class Trail {
 public:
  static constexpr std::size_t kKeep = 64;
  void push(E e) {
    if (items_.size() == kKeep) items_.erase(items_.begin());
    items_.push_back(std::move(e));
  }
  const std::vector<E>& items() const { return items_; }
  void clear() { items_.clear(); }
  void trace(pyheap::Tracer& t) { t(items_); }

 private:
  std::vector<E> items_;
};

}  // namespace solver

// A Trail of values that hold no Ref holds no Ref: heap types built on such a Trail are plain
// objects, not containers for the collector.
template <class E>
struct pyheap::holds_no_refs<solver::Trail<E>> : std::bool_constant<!pyheap::may_hold_refs<E>> {};

namespace solver {

class Constraint;

// What the probes print, as a heap object (a Trail of strings: untracked).
struct Journal : pyheap::Object, Trail<std::string> {};

class Connector final : public pyheap::Object {
 public:
  static Ref<Connector> make(pyheap::Heap& heap, std::string name) { return heap.make<Connector>(std::move(name)); }

  bool has_value() const { return informant_ != nullptr; }
  double value() const { return value_; }
  const std::string& name() const { return name_; }
  // Contradictions seen (a value set while another was held): the original printed them.
  static int contradictions;

  void set(double v, Ref<const Constraint> setter);
  void forget(const Constraint* retractor);
  void connect(Ref<Constraint> c);

 private:
  friend class pyheap::Access;  // only make constructs one (through Connector::make)
  explicit Connector(std::string name) : name_(std::move(name)) {}
  void trace(pyheap::Tracer& t) { t(informant_, constraints_); }

  std::string name_;
  double value_ = 0;
  Ref<const Constraint> informant_;  // who set the value; null: no value
  std::vector<Ref<Constraint>> constraints_;
};
int Connector::contradictions = 0;

class Constraint : public pyheap::Object {
 public:
  virtual ~Constraint() = default;
  virtual void process_new_value() = 0;
  virtual void process_forget_value() = 0;
  virtual void trace(pyheap::Tracer& t) = 0;

 protected:
  // Adds this constraint to each of its connectors: the constructor hands out `this`.
  void attach(std::initializer_list<const Ref<Connector>*> connectors) {
    for (const Ref<Connector>* c : connectors) (*c)->connect(pyheap::ref_from_this(this));
  }
  Ref<const Constraint> self() const { return pyheap::ref_from_this(this); }
};

// The informant of values set by hand: a constant the whole program shares.
class User final : public Constraint {
 public:
  void process_new_value() override {}
  void process_forget_value() override {}
  void trace(pyheap::Tracer&) override {}
};
pyheap::StaticRef<const Constraint> kUser;

void Connector::set(double v, Ref<const Constraint> setter) {
  if (!has_value()) {
    value_ = v;
    informant_ = std::move(setter);
    for (const Ref<Constraint>& c : constraints_)
      if (c != informant_) c->process_new_value();
  } else if (std::fabs(value_ - v) > 1e-9) {
    ++contradictions;
  }
}

void Connector::forget(const Constraint* retractor) {
  if (informant_ != retractor) return;  // a Ref against a raw pointer
  informant_.reset();
  for (const Ref<Constraint>& c : constraints_)
    if (c != retractor) c->process_forget_value();
}

void Connector::connect(Ref<Constraint> c) {
  constraints_.push_back(c);
  if (has_value()) c->process_new_value();
}

// A constraint among three connectors (a op b = c), solved in whichever direction the known values
// allow. The final class attaches itself (attach_all), not this base: a connector that already has
// a value calls process_new_value at once, which must find the final class's.
class Ternary : public Constraint {
 public:
  Ternary(Ref<Connector> a, Ref<Connector> b, Ref<Connector> c) : a_(std::move(a)), b_(std::move(b)), c_(std::move(c)) {}
  void process_forget_value() override {
    for (Ref<Connector>* x : {&a_, &b_, &c_}) (*x)->forget(this);
    process_new_value();
  }
  void trace(pyheap::Tracer& t) override { t(a_, b_, c_); }

 protected:
  void attach_all() { attach({&a_, &b_, &c_}); }
  Ref<Connector> a_, b_, c_;
};

class Adder final : public Ternary {
 public:
  Adder(Ref<Connector> a, Ref<Connector> b, Ref<Connector> sum) : Ternary(std::move(a), std::move(b), std::move(sum)) {
    attach_all();
  }
  void process_new_value() override {
    if (a_->has_value() && b_->has_value()) c_->set(a_->value() + b_->value(), self());
    else if (a_->has_value() && c_->has_value()) b_->set(c_->value() - a_->value(), self());
    else if (b_->has_value() && c_->has_value()) a_->set(c_->value() - b_->value(), self());
  }
};

class Multiplier final : public Ternary {
 public:
  Multiplier(Ref<Connector> a, Ref<Connector> b, Ref<Connector> product)
      : Ternary(std::move(a), std::move(b), std::move(product)) {
    attach_all();
  }
  void process_new_value() override {
    if ((a_->has_value() && a_->value() == 0) || (b_->has_value() && b_->value() == 0)) c_->set(0, self());
    else if (a_->has_value() && b_->has_value()) c_->set(a_->value() * b_->value(), self());
    else if (c_->has_value() && a_->has_value()) b_->set(c_->value() / a_->value(), self());
    else if (c_->has_value() && b_->has_value()) a_->set(c_->value() / b_->value(), self());
  }
};

class Constant final : public Constraint {
 public:
  Constant(double v, Ref<Connector> c) : c_(std::move(c)) {
    attach({&c_});
    c_->set(v, self());
  }
  void process_new_value() override {}
  void process_forget_value() override {}
  void trace(pyheap::Tracer& t) override { t(c_); }

 private:
  Ref<Connector> c_;
};

// terms[0] + ... + terms[n-1] = total, once every term is known (the original's
// `Connector** terms = new Connector*[n]`).
class Sum final : public Constraint {
 public:
  Sum(Ref<pyheap::RefArray<Connector>> terms, Ref<Connector> total) : terms_(std::move(terms)), total_(std::move(total)) {
    for (Ref<Connector>& c : *terms_) attach({&c});
    attach({&total_});
  }
  void process_new_value() override {
    double s = 0;
    for (const Ref<Connector>& c : *terms_) {
      if (!c->has_value()) return;
      s += c->value();
    }
    total_->set(s, self());
  }
  void process_forget_value() override {
    total_->forget(this);
    for (Ref<Connector>& c : *terms_) c->forget(this);
  }
  void trace(pyheap::Tracer& t) override { t(terms_, total_); }

 private:
  Ref<pyheap::RefArray<Connector>> terms_;
  Ref<Connector> total_;
};

// Writes each change of its connector to a journal.
class Probe final : public Constraint {
 public:
  Probe(Ref<Connector> c, Ref<Journal> journal) : c_(std::move(c)), journal_(std::move(journal)) { attach({&c_}); }
  void process_new_value() override { say(fmt(c_->value())); }
  void process_forget_value() override { say("?"); }
  void trace(pyheap::Tracer& t) override { t(c_, journal_); }

 private:
  static std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
  }
  void say(const std::string& what) {
    journal_->push("probe " + c_->name() + " = " + what);
    std::printf("  probe %s = %s\n", c_->name().c_str(), what.c_str());
  }
  Ref<Connector> c_;
  Ref<Journal> journal_;
};

// 9 C = 5 (F - 32), as SICP builds it.
struct Converter {
  Ref<Connector> celsius, fahrenheit;
};
Converter celsius_fahrenheit(pyheap::Heap& heap, const Ref<Journal>& journal) {
  Converter cv{Connector::make(heap, "Celsius"), Connector::make(heap, "Fahrenheit")};
  Ref<Connector> u = Connector::make(heap, "u"), v = Connector::make(heap, "v"), w = Connector::make(heap, "w"),
                 x = Connector::make(heap, "x"), y = Connector::make(heap, "y");
  heap.make<Multiplier>(cv.celsius, w, u);  // the constraints are held by their connectors only
  heap.make<Multiplier>(v, x, u);
  heap.make<Adder>(v, y, cv.fahrenheit);
  heap.make<Constant>(9, w);
  heap.make<Constant>(5, x);
  heap.make<Constant>(32, y);
  heap.make<Probe>(cv.celsius, journal);
  heap.make<Probe>(cv.fahrenheit, journal);
  return cv;
}

}  // namespace solver

pyheap::Heap heap;  // a global, as the original's Network was

int main() {
  using namespace solver;
  bool ok = true;
  auto check = [&](bool c, const char* what) {
    if (!c) std::printf("FAILED: %s\n", what);
    ok = ok && c;
  };
  heap.gc().disable();  // only explicit collections: what frees what is visible
  kUser = heap.make<User>();
  Ref<Journal> journal = heap.make<Journal>();
  check(!heap.gc().is_tracked(journal.get()), "a Trail of text is not a container");

  std::printf("1. Celsius and Fahrenheit\n");
  {
    Converter cv = celsius_fahrenheit(heap, journal);
    std::printf("network: %zu objects\n", heap.live_objects());
    cv.celsius->set(25, kUser);
    check(cv.fahrenheit->value() == 77, "25 C is 77 F");
    cv.fahrenheit->set(212, kUser);  // a contradiction: F is known
    check(Connector::contradictions == 1, "a contradiction is noticed");
    cv.celsius->forget(kUser.get());
    cv.fahrenheit->set(212, kUser);
    check(cv.celsius->value() == 100, "212 F is 100 C");
  }
  const std::size_t converter = heap.live_objects() - 2;  // less kUser and the journal
  std::printf("dropped: %zu objects alive in cycles\n", converter);
  std::size_t collected = heap.gc().collect();
  std::printf("collected %zu\n", collected);
  check(collected == converter && heap.live_objects() == 2, "the collector frees the whole converter");

  std::printf("2. a sum of five terms\n");
  {
    auto terms = pyheap::RefArray<Connector>::make(heap, 5);
    for (std::size_t i = 0; i < terms->size(); ++i) (*terms)[i] = Connector::make(heap, "t" + std::to_string(i));
    Ref<Connector> total = Connector::make(heap, "total");
    heap.make<Sum>(terms, total);
    heap.make<Probe>(total, journal);
    for (std::size_t i = 0; i < terms->size(); ++i) (*terms)[i]->set(static_cast<double>(i + 1), kUser);
    check(total->value() == 15, "1 + 2 + 3 + 4 + 5 = 15");
    (*terms)[2]->forget(kUser.get());
    check(!total->has_value(), "forgetting a term forgets the total");
    (*terms)[2]->set(30, kUser);
    check(total->value() == 42, "the total follows the new term");
  }
  collected = heap.gc().collect();
  std::printf("dropped and collected %zu\n", collected);
  check(heap.live_objects() == 2, "only kUser and the journal are left");

  std::printf("3. the journal: %zu entries, the last: %s\n", journal->items().size(),
              journal->items().empty() ? "-" : journal->items().back().c_str());
  check(journal->items().size() == 9, "nine probe reports");

  // A last converter, left for exit: ~Heap (after main, a global's destructor) resets kUser and
  // collects the cycles.
  Converter last = celsius_fahrenheit(heap, journal);
  last.celsius->set(-40, kUser);
  check(last.fahrenheit->value() == -40, "-40 C is -40 F");
  std::printf("left for the heap's destructor: %zu objects\n", heap.live_objects());
  std::printf("%s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
