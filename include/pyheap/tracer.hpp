// pyheap/tracer.hpp — the one hook a container type writes: `void trace(pyheap::Tracer& t)`.
//
//   struct Node : pyheap::Object {
//     pyheap::Ref<Node> left, right;
//     std::vector<pyheap::Ref<Node>> children;
//     std::string name;                        // may be listed too: ignored
//     void trace(pyheap::Tracer& t) { t(left, right, children, name); }
//   };
//
// The hook may be private if the type declares `friend class pyheap::Access;` (object.hpp); a
// member named trace that pyheap cannot call does not compile.
//
// The same hook serves the collector's two needs, as CPython's tp_traverse and tp_clear do:
//   - Visit: every strong reference the object holds is reported (counting, marking, referents);
//   - Clear: every reference is dropped, which is how cyclic garbage is broken apart.
// A trace hook must report every Ref the object owns and nothing it does not own; a reference
// that is not reported is an external root to the collector (the object it points to can never
// be found to be garbage through it, and a cycle through it is never freed).
//
// What t(...) accepts is decided at compile time (cppgc's rule: what cannot be traced does not
// compile), so a member the tracer cannot see through is a compile error, not a silent leak:
//   traced    Ref<T>; WeakRef<T> (a strong edge to the weak reference *object*); std::optional,
//             std::pair, std::tuple, std::variant, std::array and every standard container and
//             container adaptor of traced things (map and unordered_map: keys and values);
//             std::unique_ptr<U> when U is traced; any non-heap value type with its own
//             `void trace(pyheap::Tracer&)` member (an embedded struct holding Refs), which is
//             called with this tracer;
//   ignored   arithmetic types, enums, strings and string views, atomics, pointers to functions
//             and to values that can hold no Ref (int*, const char*), trivially copyable types
//             (a Ref is not trivially copyable, so no such type can hold one), anything wrapping
//             only those (a std::vector<int>, a std::map<std::string, double>), and a type the
//             user vouches for with `template <> struct pyheap::holds_no_refs<U> : std::true_type {};`;
//   rejected  (a static_assert saying what to write instead) a heap object by value or by
//             reference, a raw pointer or std::reference_wrapper to a heap object or to anything
//             that can hold a Ref, a void*, std::shared_ptr/std::weak_ptr of those,
//             std::unique_ptr of a heap object or of an array, std::function, and any other
//             type that could hold a Ref but gives the tracer no way to reach it (a class
//             without a trace member that is not trivially copyable).
// tests/compile_checks/ compiles each rejected case and requires its message.
//
// Clear mode: a Ref is reset; a container that can be cleared is first moved out of the object
// and then dropped (code run by the releases sees it already empty); const references (map keys,
// set elements) are only visited, the container holding them is what a clear drops.
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

#include <atomic>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "pyheap/ref.hpp"

namespace pyheap {

template <class T>
class WeakRef;
class Tracer;

// The opt-out: specialize as std::true_type for a type that can hold no Ref (directly or through
// anything it owns) and that the tracer would otherwise reject, e.g. a std::function that
// captures no Ref, or a class of a library that holds only plain data. It is then accepted and
// ignored, wherever it appears (a member, a container's element, a shared_ptr's pointee).
//
// A container class with a trace hook of its own says the same for the element types that hold
// no Ref, with may_hold_refs (below):
//   template <class E> struct Bag { std::vector<E> items; void trace(pyheap::Tracer& t) { t(items); } };
//   template <class E> struct pyheap::holds_no_refs<Bag<E>> : std::bool_constant<!pyheap::may_hold_refs<E>> {};
// A Bag<int> member is then ignored, and a heap type that inherits Bag<int>'s hook
// (`struct Ints : pyheap::Object, Bag<int> {}`) is not a container: untracked, without the
// collector's word, as a heap type without a hook (the class that declares a type's trace hook,
// or the type itself, vouching for it decides; internal/make.hpp, detail::Tracked).
template <class T>
struct holds_no_refs : std::false_type {};

namespace detail {

// What the tracer does with a value of a type: ignore it, trace it, or refuse to compile, for a
// reason that picks the message.
enum class TraceRule {
  Ignore,
  Trace,
  RejectHeapObject,
  RejectRawPointer,
  RejectPointerToRefHolder,
  RejectSharedOwnership,
  RejectUniquePtrToHeapObject,
  RejectUniquePtrToArray,
  RejectFunction,
  RejectOpaque,
};

constexpr bool rejected(TraceRule r) noexcept { return r != TraceRule::Ignore && r != TraceRule::Trace; }
// Several parts (a pair's, a tuple's): the first refusal, else Trace if any part is traced.
constexpr TraceRule combine(std::initializer_list<TraceRule> parts) noexcept {
  TraceRule out = TraceRule::Ignore;
  for (TraceRule r : parts) {
    if (rejected(r)) return r;
    if (r == TraceRule::Trace) out = TraceRule::Trace;
  }
  return out;
}

template <class T, template <class...> class Template>
struct IsSpecialization : std::false_type {};
template <template <class...> class Template, class... A>
struct IsSpecialization<Template<A...>, Template> : std::true_type {};

template <class T>
concept HeapObject = std::is_base_of_v<Object, T>;
// A non-heap value type that traces itself.
template <class T>
concept TracesItself = !HeapObject<T> && requires(T& v, Tracer& t) { v.trace(t); };
// std::stack, std::queue, std::priority_queue: the container is their protected member `c`.
template <class T>
concept ContainerAdaptor = requires { typename T::container_type; } && !std::ranges::range<T>;

template <class T>
constexpr TraceRule trace_rule() noexcept;

template <class T>
constexpr TraceRule pointer_rule() noexcept {
  using P = std::remove_cv_t<T>;
  if constexpr (std::is_function_v<P>) return TraceRule::Ignore;
  else if constexpr (std::is_void_v<P> || HeapObject<P>) return TraceRule::RejectRawPointer;
  else if constexpr (trace_rule<P>() == TraceRule::Ignore) return TraceRule::Ignore;
  else return TraceRule::RejectPointerToRefHolder;
}

template <class U>
constexpr TraceRule unique_ptr_rule() noexcept {
  if constexpr (std::is_array_v<U>) {
    return trace_rule<std::remove_extent_t<U>>() == TraceRule::Ignore ? TraceRule::Ignore
                                                                      : TraceRule::RejectUniquePtrToArray;
  } else if constexpr (HeapObject<std::remove_cv_t<U>>) {
    return TraceRule::RejectUniquePtrToHeapObject;
  } else {
    return trace_rule<U>();
  }
}

template <class T>
struct SpecialRule {
  static constexpr bool known = false;
};
template <class T>
struct SpecialRule<Ref<T>> {
  static constexpr bool known = true;
  static constexpr TraceRule rule = TraceRule::Trace;
};
template <class T>
struct SpecialRule<WeakRef<T>> {
  static constexpr bool known = true;
  static constexpr TraceRule rule = TraceRule::Trace;
};
template <class T>
struct SpecialRule<std::optional<T>> {
  static constexpr bool known = true;
  static constexpr TraceRule rule = trace_rule<T>();
};
template <class A, class B>
struct SpecialRule<std::pair<A, B>> {
  static constexpr bool known = true;
  static constexpr TraceRule rule = combine({trace_rule<A>(), trace_rule<B>()});
};
template <class... Ts>
struct SpecialRule<std::tuple<Ts...>> {
  static constexpr bool known = true;
  static constexpr TraceRule rule = combine({TraceRule::Ignore, trace_rule<Ts>()...});
};
template <class... Ts>
struct SpecialRule<std::variant<Ts...>> {
  static constexpr bool known = true;
  static constexpr TraceRule rule = combine({trace_rule<Ts>()...});
};
template <class T, class D>
struct SpecialRule<std::unique_ptr<T, D>> {
  static constexpr bool known = true;
  static constexpr TraceRule rule = unique_ptr_rule<T>();
};
template <class T>
struct SpecialRule<std::shared_ptr<T>> {
  static constexpr bool known = true;
  static constexpr TraceRule rule =
      !std::is_array_v<T> && !HeapObject<std::remove_cv_t<T>> && trace_rule<std::remove_extent_t<T>>() == TraceRule::Ignore
          ? TraceRule::Ignore
          : TraceRule::RejectSharedOwnership;
};
template <class T>
struct SpecialRule<std::weak_ptr<T>> : SpecialRule<std::shared_ptr<T>> {};
template <class T>
struct SpecialRule<std::reference_wrapper<T>> {
  static constexpr bool known = true;
  static constexpr TraceRule rule = pointer_rule<T>();
};
template <class Signature>
struct SpecialRule<std::function<Signature>> {
  static constexpr bool known = true;
  static constexpr TraceRule rule = TraceRule::RejectFunction;
};
template <class T>
struct SpecialRule<std::atomic<T>> {  // T is trivially copyable: no Ref inside
  static constexpr bool known = true;
  static constexpr TraceRule rule = TraceRule::Ignore;
};
template <class C, class Traits, class A>
struct SpecialRule<std::basic_string<C, Traits, A>> {
  static constexpr bool known = true;
  static constexpr TraceRule rule = TraceRule::Ignore;
};
template <class C, class Traits>
struct SpecialRule<std::basic_string_view<C, Traits>> {
  static constexpr bool known = true;
  static constexpr TraceRule rule = TraceRule::Ignore;
};

// The rule for a value of type T (references and cv-qualifiers looked through).
template <class T>
constexpr TraceRule trace_rule() noexcept {
  using U = std::remove_cv_t<std::remove_reference_t<T>>;
  if constexpr (HeapObject<U>) return TraceRule::RejectHeapObject;
  else if constexpr (holds_no_refs<U>::value) return TraceRule::Ignore;
  else if constexpr (SpecialRule<U>::known) return SpecialRule<U>::rule;
  else if constexpr (std::is_pointer_v<U>) return pointer_rule<std::remove_pointer_t<U>>();
  else if constexpr (TracesItself<U>) return TraceRule::Trace;
  else if constexpr (std::ranges::range<U>) return trace_rule<std::ranges::range_value_t<U>>();
  else if constexpr (ContainerAdaptor<U>) return trace_rule<typename U::container_type>();
  else if constexpr (std::is_scalar_v<U> || std::is_trivially_copyable_v<U>) return TraceRule::Ignore;
  else return TraceRule::RejectOpaque;
}

// Instantiated only for a refused type: exactly one of these fails, with what to write instead.
// (The compiler's note "required from here" names the type and the trace hook.)
template <class T, TraceRule R>
void refuse() {
  static_assert(R != TraceRule::RejectHeapObject,
                "pyheap::Tracer: a heap object (a type derived from pyheap::Object) is traced through "
                "the Ref<T> that owns it, never by value or by reference: hold it in a Ref<T> member "
                "and pass that; to trace a base class's references, call Base::trace(t) from the "
                "derived hook");
  static_assert(R != TraceRule::RejectRawPointer,
                "pyheap::Tracer: a raw pointer (or reference_wrapper) to a heap object owns no count, "
                "so it is no edge and cannot be traced: hold a Ref<T> (owning) or a WeakRef<T> (not "
                "owning) instead; a void* cannot be traced either");
  static_assert(R != TraceRule::RejectPointerToRefHolder,
                "pyheap::Tracer: a raw pointer does not say whether this object owns what it points "
                "to, and that can hold a Ref: own it with std::unique_ptr<U> (traced) or by value; if "
                "this object owns it anyway, pass *ptr to the tracer yourself");
  static_assert(R != TraceRule::RejectSharedOwnership,
                "pyheap::Tracer: std::shared_ptr/std::weak_ptr share ownership the collector cannot "
                "see, so a cycle through them is never freed: hold heap objects in Ref<T>/WeakRef<T> "
                "and other values in std::unique_ptr<U> or by value; if the pointee can hold no Ref, "
                "declare it with pyheap::holds_no_refs<U>");
  static_assert(R != TraceRule::RejectUniquePtrToHeapObject,
                "pyheap::Tracer: a heap object is owned by reference counts, not by std::unique_ptr: "
                "hold it in a Ref<T> (made by Heap::make)");
  static_assert(R != TraceRule::RejectUniquePtrToArray,
                "pyheap::Tracer: std::unique_ptr<U[]> does not know its length, so its elements "
                "cannot be traced: use std::vector<U> or std::array<U, N> (for an array of "
                "references made on its own, a pyheap::RefArray<T>, pyheap/ref_array.hpp)");
  static_assert(R != TraceRule::RejectFunction,
                "pyheap::Tracer: a std::function may capture a Ref that no trace hook can see (a "
                "cycle through the capture is never freed): keep the references it needs in traced "
                "members, or, if it captures none, declare its type with pyheap::holds_no_refs");
  static_assert(R != TraceRule::RejectOpaque,
                "pyheap::Tracer: this type may hold a Ref but gives the tracer no way to reach it: "
                "give it a member `void trace(pyheap::Tracer& t)` that passes its references to t, "
                "or, if it holds no Ref, declare it with "
                "`template <> struct pyheap::holds_no_refs<T> : std::true_type {};`");
}

// The protected container of a std::stack, queue or priority_queue (naming the member through a
// derived class is how the standard lets code reach it).
template <class Adaptor>
struct AdaptorContainer : Adaptor {
  static typename Adaptor::container_type& of(Adaptor& a) noexcept { return a.*(&AdaptorContainer::c); }
};

}  // namespace detail

// Whether a value of type T may hold a Ref the tracer would have to report: false for what t(...)
// ignores (numbers, strings, trivially copyable types, containers of those, holds_no_refs types).
template <class T>
inline constexpr bool may_hold_refs = detail::trace_rule<T>() != detail::TraceRule::Ignore;

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

  // One value, by the rules at the top of this file.
  template <class T>
  void trace_one(T& value) {
    constexpr detail::TraceRule rule = detail::trace_rule<T>();
    if constexpr (rule == detail::TraceRule::Trace) {
      trace_value(value);
    } else if constexpr (detail::rejected(rule)) {
      detail::refuse<T, rule>();
    }
  }

 private:
  // (A Ref<const U> is an edge like any other: the collector's counts are not the object's state.)
  template <class T>
  static Object* child(const Ref<T>& r) noexcept {
    return const_cast<Object*>(static_cast<const Object*>(r.get()));
  }
  template <class T>
  void trace_value(Ref<T>& r) {
    if (mode_ == Mode::Visit) {
      if (r) fn_(child(r), ctx_);
    } else {
      r.reset();
    }
  }
  // A const reference (a map key) can be visited but not cleared; clearing the container that
  // holds it drops it.
  template <class T>
  void trace_value(const Ref<T>& r) {
    if (mode_ == Mode::Visit && r) fn_(child(r), ctx_);
  }
  template <class T>
  void trace_value(WeakRef<T>& w) {
    trace_value(w.handle());
  }
  template <class T>
  void trace_value(const WeakRef<T>& w) {
    trace_value(w.handle());
  }
  template <class T>
  void trace_value(std::optional<T>& o) {
    if (o) trace_one(*o);
  }
  template <class T>
  void trace_value(const std::optional<T>& o) {
    if (o) trace_one(*o);
  }
  template <class P>
    requires detail::IsSpecialization<std::remove_const_t<P>, std::pair>::value
  void trace_value(P& p) {
    trace_one(p.first);
    trace_one(p.second);
  }
  template <class P>
    requires detail::IsSpecialization<std::remove_const_t<P>, std::tuple>::value
  void trace_value(P& tuple) {
    std::apply([this](auto&... parts) { (trace_one(parts), ...); }, tuple);
  }
  template <class V>
    requires detail::IsSpecialization<std::remove_const_t<V>, std::variant>::value
  void trace_value(V& v) {
    if (!v.valueless_by_exception()) std::visit([this](auto& alternative) { trace_one(alternative); }, v);
  }
  template <class U, class D>
  void trace_value(std::unique_ptr<U, D>& p) {
    if (p) trace_one(*p);  // cleared in place: the pointee stays for the destructor to read
  }
  template <class U, class D>
  void trace_value(const std::unique_ptr<U, D>& p) {
    if (p) trace_one(*p);
  }
  template <class V>
    requires detail::TracesItself<std::remove_const_t<V>>
  void trace_value(V& v) {
    if constexpr (std::is_const_v<V>) {
      // A const value (a set element) is only visited; its container is what a clear drops.
      if (mode_ == Mode::Visit) const_cast<std::remove_const_t<V>&>(v).trace(*this);
    } else {
      v.trace(*this);
    }
  }
  template <class A>
    requires detail::ContainerAdaptor<std::remove_const_t<A>>
  void trace_value(A& adaptor) {
    using Plain = std::remove_const_t<A>;
    auto& c = detail::AdaptorContainer<Plain>::of(const_cast<Plain&>(adaptor));
    if constexpr (std::is_const_v<A>) {
      if (mode_ == Mode::Visit) trace_value(std::as_const(c));
    } else {
      trace_value(c);
    }
  }
  template <class R>
    requires(std::ranges::range<R> && !detail::TracesItself<std::remove_const_t<R>> &&
             !detail::SpecialRule<std::remove_const_t<R>>::known)
  void trace_value(R& range) {
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

  Mode mode_;
  VisitFn fn_;
  void* ctx_;
};

}  // namespace pyheap
