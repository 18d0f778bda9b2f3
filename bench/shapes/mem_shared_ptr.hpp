// The real-shape programs' std::shared_ptr variant, as a C++ program writes it: objects made with
// std::make_shared, owning links shared_ptr, and every link that would close a cycle (a parent,
// the second end of a two-way link) a weak_ptr, locked to be followed. A type that hands out
// pointers to itself derives from enable_shared_from_this. (The policy's parts: mem_common.hpp.)
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mem_common.hpp"

namespace shapes {

struct SharedPtrMem {
  static constexpr const char* kSubject = "shared_ptr";
  static constexpr bool kByHand = false;
  static constexpr bool kEveryProgram = true;
  template <class T>
  using Base = std::enable_shared_from_this<T>;
  template <class T>
  using Ptr = std::shared_ptr<T>;
  template <class T>
  using Back = std::weak_ptr<T>;
  template <class T>
  using Member = std::shared_ptr<T>;
  template <class T>
  using Vec = std::vector<T>;
  using String = std::string;
  using Tracer = NoTracer;
  using Visitor = NoVisitor;

  template <class T, class... A>
  static Ptr<T> make(A&&... a) {
    return std::make_shared<T>(std::forward<A>(a)...);
  }
  template <class T>
  static Ptr<T> follow(const Back<T>& b) noexcept {
    return b.lock();
  }
  template <class T>
  static Ptr<T> self(T* t) {
    return std::static_pointer_cast<T>(t->shared_from_this());
  }
  template <class To, class From>
  static Ptr<To> cast(const Ptr<From>& p) noexcept {
    return std::static_pointer_cast<To>(p);
  }
  template <class T>
  static void destroy(const T&) noexcept {}
};

}  // namespace shapes
