// The memory policy every program of bench/shapes/ is written against: each program is a
// template over a policy P, so that its variants run the same logic, allocation for allocation,
// and differ only in how memory is managed. The policies: mem_pyheap.hpp, mem_shared_ptr.hpp,
// mem_by_hand.hpp, mem_boehm.hpp, mem_cppgc.hpp.
//
//   kSubject       the subject name the driver (bench/run.py) shows
//   Base<T>        what a heap type T derives from
//   Ptr<T>         an owning link, a local, a parameter, a return value
//   Back<T>        a link that would close a cycle (a parent, the other end of a two-way link)
//   Member<T>      a field, where the policy tells fields from locals (cppgc); else Ptr<T>
//   Vec<T>, String the containers a heap object holds
//   make<T>(a...)  a new T, as a Ptr<T>
//   follow(back)   what a Back<T> points to, usable as a Ptr<T> (shared_ptr: lock())
//   self(this)     a Ptr<T> to the object a member function runs on
//   cast<To>(p)    a downcast the caller vouches for
//   destroy(p)     where a hand-written program deletes an object: only the by-hand policy does
//                  anything (delete); the others leave it to counts or to a collector
//   kByHand        true for the by-hand policy (its owner lists and destructor walks)
//   kEveryProgram  whether every program is written for the policy (cppgc: the DOM churn only)
//   Tracer         the argument of the trace hook (only pyheap calls hooks)
//   Visitor        the argument of cppgc's Trace (only cppgc calls it)
#pragma once

namespace shapes {

// Stand-ins for the hook arguments of the policies that never call the hooks.
struct NoTracer {
  template <class... A>
  void operator()(const A&...) {}
};
struct NoVisitor {};

// The links of the policies whose pointers are plain pointers (by hand, Boehm).
struct RawPointerLinks {
  template <class T>
  using Ptr = T*;
  template <class T>
  using Back = T*;
  template <class T>
  using Member = T*;
  using Tracer = NoTracer;
  using Visitor = NoVisitor;

  template <class T>
  static T* follow(T* b) noexcept {
    return b;
  }
  template <class T>
  static T* self(T* t) noexcept {
    return t;
  }
  template <class To, class From>
  static To* cast(From* p) noexcept {
    return static_cast<To*>(p);
  }
};

}  // namespace shapes
