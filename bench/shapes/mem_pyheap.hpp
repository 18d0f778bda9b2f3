// The real-shape programs' pyheap variant: types written the way the README's first example
// writes them (derived from pyheap::Object, a trace hook and nothing else: no ref_members, no
// silent_destructor), made with Heap::make, every link a Ref (back links too: the cycles they make
// are the collector's job), automatic collection on with the Heap's defaults.
// (The policy's parts: mem_common.hpp.)
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mem_common.hpp"
#include "pyheap/pyheap.hpp"

namespace shapes {

struct PyheapMem {
  static constexpr const char* kSubject = "pyheap";
  static constexpr bool kByHand = false;
  static constexpr bool kEveryProgram = true;
  template <class T>
  using Base = pyheap::Object;
  template <class T>
  using Ptr = pyheap::Ref<T>;
  template <class T>
  using Back = pyheap::Ref<T>;
  template <class T>
  using Member = pyheap::Ref<T>;
  template <class T>
  using Vec = std::vector<T>;
  using String = std::string;
  using Tracer = pyheap::Tracer;
  using Visitor = NoVisitor;

  static void bind(pyheap::Heap& heap) noexcept { heap_ = &heap; }
  static pyheap::Heap& heap() noexcept { return *heap_; }

  template <class T, class... A>
  static Ptr<T> make(A&&... a) {
    return heap_->make<T>(std::forward<A>(a)...);
  }
  template <class T>
  static const Ptr<T>& follow(const Back<T>& b) noexcept {
    return b;
  }
  template <class T>
  static Ptr<T> self(T* t) noexcept {
    return pyheap::ref_from_this(t);
  }
  template <class To, class From>
  static Ptr<To> cast(const Ptr<From>& p) noexcept {
    return pyheap::static_ref_cast<To>(p);
  }
  template <class T>
  static void destroy(const T&) noexcept {}

 private:
  static inline pyheap::Heap* heap_ = nullptr;
};

}  // namespace shapes
