// The real-shape programs' Boehm GC variant, as a Boehm user writes C++: heap types derive from
// `gc` (gc_cpp.h: operator new is GC_MALLOC, no destructor runs), links are raw pointers, the
// containers a heap object holds allocate through gc_allocator (so that the collector sees the
// pointers in their storage, and frees it with its owner), nothing is freed by hand. Collections
// start when Boehm decides (its default heap growth). (The policy's parts: mem_common.hpp.)
#pragma once

#define GC_INCLUDE_NEW  // gc_cpp.h throws std::bad_alloc itself (no libgccpp)
#include <gc/gc_allocator.h>
#include <gc/gc_cpp.h>

#include <string>
#include <utility>
#include <vector>

#include "mem_common.hpp"

namespace shapes {

struct BoehmMem : RawPointerLinks {
  static constexpr const char* kSubject = "Boehm";
  static constexpr bool kByHand = false;
  static constexpr bool kEveryProgram = true;
  template <class T>
  using Base = gc;
  template <class T>
  using Vec = std::vector<T, gc_allocator<T>>;
  using String = std::basic_string<char, std::char_traits<char>, gc_allocator<char>>;

  template <class T, class... A>
  static T* make(A&&... a) {
    return new T(std::forward<A>(a)...);
  }
  template <class T>
  static void destroy(T*) noexcept {}
};

}  // namespace shapes
