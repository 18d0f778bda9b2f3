// pyheap/tracer.hpp — the one hook a container type writes: `void trace(pyheap::Tracer& t)`.
//
//   struct Node : pyheap::Object {
//     pyheap::Ref<Node> left, right;
//     std::vector<pyheap::Ref<Node>> children;
//     void trace(pyheap::Tracer& t) { t(left, right, children); }
//   };
//
// The same hook serves the collector's two needs, as CPython's tp_traverse and tp_clear do:
//   - Visit: every strong reference the object holds is reported (counting, marking, referents);
//   - Clear: every reference is dropped, which is how cyclic garbage is broken apart.
// A trace hook must report every Ref the object owns and nothing it does not own; a reference
// that is not reported is an external root to the collector (the object it points to can never
// be found to be garbage through it).
//
// Accepted arguments: Ref<T>, WeakRef<T> (a strong edge to the weak reference *object*),
// std::optional of those, and any range of accepted arguments (vector, array, deque, list, map
// values, pairs...).
//
// The collector may call a trace hook in Visit mode from its worker threads (collector.hpp,
// set_workers), while the heap's own thread waits: in Visit mode a hook must only read its object.
//
// Optionally, a type whose references are members at fixed places says which ones, in the order
// its trace() reports them; the collector then reads those members directly instead of calling
// trace() for every object it walks (the same children in the same order, without an indirect
// call per object and one per reference):
//
//   struct Node : pyheap::Object {
//     pyheap::Ref<Node> left, right;
//     std::array<pyheap::Ref<pyheap::Object>, 4> more;
//     int weight = 0;
//     void trace(pyheap::Tracer& t) { t(left, right, more); }
//     static constexpr auto ref_members = pyheap::ref_members<Node>(&Node::left, &Node::right, &Node::more);
//   };
//
// A type whose references are one contiguous array (a list's items) says so with a member
//   std::span<const pyheap::Ref<pyheap::Object>> ref_array() const noexcept;
// (the array's references come after those of ref_members, if it has both).
//
// With them, a type may also promise that its destructor is silent, by naming itself:
//   using silent_destructor = Node;
// ~T() then has no effect anyone can observe besides releasing the references ref_members and
// ref_array list (freeing memory does not count): no output, no callbacks, no other object
// touched. A type without references (a string, a number) may promise the same. Cyclic garbage
// made only of such objects, whose references lead only to each other, to live objects or to
// silent objects without references, finalizers or weak references, is freed without the
// reference-count cascade (collector.hpp): no order of its deaths could be told apart from
// CPython's. A derived class does not inherit the promise (its typedef names its base).
//
// Rules: both must be public (a private one is not seen, and trace() is called instead), and a
// member must be declared before the ref_members that names it. List exactly the members trace()
// reports, in its order; each is a Ref<U>, a WeakRef<U> or
// a std::array of those. The first template argument is the class that declares trace(),
// ref_members and ref_array: a derived class that overrides trace() without declaring its own
// ref_members / ref_array is traced by calling trace(), never with its base's list. A Ref<U> whose U does not start with its
// Object (none today) makes the type fall back to trace() too. Debug builds
// (PYHEAP_DEBUG_LEVEL >= 1) compare the list with what trace() reports for every object a
// collection walks, and abort on a difference.
#pragma once

#include <iterator>
#include <optional>
#include <ranges>
#include <tuple>
#include <type_traits>
#include <utility>

#include "pyheap/ref.hpp"

namespace pyheap {

template <class T>
class WeakRef;

namespace detail {
// Whether a member of type T can own references the tracer follows. Only such ranges are walked
// and, in Clear mode, emptied: a string or a vector of numbers listed in a hook must come through
// a clear untouched (the destructor of collected garbage still reads it).
template <class T>
struct MayHoldRefs : std::false_type {};
template <class T>
struct MayHoldRefs<Ref<T>> : std::true_type {};
template <class T>
struct MayHoldRefs<WeakRef<T>> : std::true_type {};
template <class T>
struct MayHoldRefs<std::optional<T>> : MayHoldRefs<std::remove_cv_t<T>> {};
template <class A, class B>
struct MayHoldRefs<std::pair<A, B>>
    : std::bool_constant<MayHoldRefs<std::remove_cv_t<A>>::value || MayHoldRefs<std::remove_cv_t<B>>::value> {};
template <class R>
  requires std::ranges::range<R>
struct MayHoldRefs<R> : MayHoldRefs<std::remove_cv_t<std::ranges::range_value_t<R>>> {};
}  // namespace detail

// The list a type publishes as `ref_members` (see the top of this file): member pointers of Owner.
template <class Owner, class... M>
struct RefMembers {
  using owner = Owner;
  std::tuple<M Owner::*...> members;
};

template <class Owner, class... M>
constexpr RefMembers<Owner, M...> ref_members(M Owner::*... members) noexcept {
  return RefMembers<Owner, M...>{{members...}};
}

class Tracer {
 public:
  enum class Mode : unsigned char { Visit, Clear };
  using VisitFn = void (*)(Object* child, void* context);

  Tracer(Mode mode, VisitFn fn, void* context) noexcept : mode_(mode), fn_(fn), ctx_(context) {}

  Mode mode() const noexcept { return mode_; }

  template <class... Ts>
  void operator()(Ts&... items) {
    (trace_one(items), ...);
  }

  template <class T>
  void trace_one(Ref<T>& r) {
    if (mode_ == Mode::Visit) {
      if (r) fn_(static_cast<Object*>(r.get()), ctx_);
    } else {
      r.reset();
    }
  }
  // A const reference (a map key) can be visited but not cleared; clearing the container that
  // holds it drops it.
  template <class T>
  void trace_one(const Ref<T>& r) {
    if (mode_ == Mode::Visit && r) fn_(static_cast<Object*>(r.get()), ctx_);
  }
  template <class T>
  void trace_one(WeakRef<T>& w) {
    trace_one(w.handle());
  }
  template <class T>
  void trace_one(const WeakRef<T>& w) {
    trace_one(w.handle());
  }
  template <class T>
  void trace_one(std::optional<T>& o) {
    if (o) trace_one(*o);
  }
  template <class A, class B>
  void trace_one(std::pair<A, B>& p) {
    trace_one(p.first);
    trace_one(p.second);
  }
  template <class R>
    requires std::ranges::range<R>
  void trace_one(R& range) {
    if constexpr (!detail::MayHoldRefs<std::remove_cv_t<R>>::value) return;
    if (mode_ == Mode::Clear) {
      if constexpr (requires { range.clear(); } && std::is_move_constructible_v<R>) {
        // Detach the elements before dropping them, so that code run by the releases sees an
        // already-empty container.
        R doomed(std::move(range));
        range.clear();
        return;
      }
    }
    for (auto& item : range) trace_one(item);
  }
  // Anything else (ints, strings) holds no reference: accepted and ignored, so a hook can list
  // every member without thinking about which ones matter.
  template <class T>
  void trace_one(T&) {}

 private:
  Mode mode_;
  VisitFn fn_;
  void* ctx_;
};

}  // namespace pyheap
