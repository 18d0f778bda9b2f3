// The real-shape programs' hand-written variant: plain structs, raw pointers everywhere, objects
// made with new and deleted where the program knows they die (destroy(), the owner lists the
// programs keep for this variant, destructors that delete what an object owns). No counts, no
// collector: the cost floor. (The policy's parts: mem_common.hpp.)
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "mem_common.hpp"

namespace shapes {

struct NoBase {};

struct ByHandMem : RawPointerLinks {
  static constexpr const char* kSubject = "by hand";
  static constexpr bool kByHand = true;
  static constexpr bool kEveryProgram = true;
  template <class T>
  using Base = NoBase;
  template <class T>
  using Vec = std::vector<T>;
  using String = std::string;

  template <class T, class... A>
  static T* make(A&&... a) {
    return new T(std::forward<A>(a)...);
  }
  template <class T>
  static void destroy(T* p) noexcept {
    delete p;
  }
};

}  // namespace shapes
