// The cppgc (V8's Oilpan) variant of the real-shape programs that have one (the DOM churn), as a
// cppgc user writes it: heap types derive from cppgc::GarbageCollected<T> and have a
// `Trace(cppgc::Visitor*) const`, fields are cppgc::Member<T> (back links too: cppgc traces), locals
// and parameters are raw pointers (the stack is scanned conservatively), objects are made with
// cppgc::MakeGarbageCollected. The heap (cppgc_heap.hpp) collects when its growth heuristics say.
// (The policy's parts: mem_common.hpp.)
#pragma once

#include <cppgc/allocation.h>
#include <cppgc/garbage-collected.h>
#include <cppgc/member.h>
#include <cppgc/visitor.h>

#include <string>
#include <utility>
#include <vector>

#include "mem_common.hpp"

namespace shapes {

struct CppgcMem {
  static constexpr const char* kSubject = "cppgc";
  static constexpr bool kByHand = false;
  static constexpr bool kEveryProgram = false;  // the DOM churn only
  template <class T>
  using Base = cppgc::GarbageCollected<T>;
  template <class T>
  using Ptr = T*;
  template <class T>
  using Back = cppgc::Member<T>;
  template <class T>
  using Member = cppgc::Member<T>;
  template <class T>
  using Vec = std::vector<T>;
  using String = std::string;
  using Tracer = NoTracer;
  using Visitor = cppgc::Visitor;

  static void bind(cppgc::AllocationHandle& handle) noexcept { handle_ = &handle; }

  template <class T, class... A>
  static T* make(A&&... a) {
    return cppgc::MakeGarbageCollected<T>(*handle_, std::forward<A>(a)...);
  }
  template <class T>
  static T* follow(const cppgc::Member<T>& b) noexcept {
    return b.Get();
  }
  template <class T>
  static T* self(T* t) noexcept {
    return t;
  }
  template <class T>
  static void destroy(const T&) noexcept {}

 private:
  static inline cppgc::AllocationHandle* handle_ = nullptr;
};

}  // namespace shapes
