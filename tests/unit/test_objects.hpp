// Heap object types the unit tests share, so that each test file does not declare its own copy.
// Tests with a type of a shape of their own keep it beside them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "pyheap/heap.hpp"

namespace pyheap::testing {

// An atom (no trace hook): untracked, dies by reference counting only.
struct Leaf : Object {
  explicit Leaf(std::int64_t v = 0) : value(v) {}
  std::int64_t value;
};

// A container holding one reference.
struct Link : Object {
  Ref<Object> next;
  void trace(Tracer& t) { t(next); }
};

// A container holding two.
struct Pair : Object {
  Ref<Object> left, right;
  void trace(Tracer& t) { t(left, right); }
};

// An atom whose constructor throws when asked to.
struct ThrowingAtom : Object {
  explicit ThrowingAtom(bool fail) {
    if (fail) throw std::runtime_error("constructor failed");
  }
};

// The same as a container: a failed make must also undo the collector's allocation count.
struct ThrowingContainer : Object {
  explicit ThrowingContainer(bool fail) {
    if (fail) throw std::runtime_error("constructor failed");
  }
  void trace(Tracer&) {}
};

// A variable-size object (make_var): n bytes inline, filled with 0xAB.
struct Blob : Object {
  explicit Blob(std::size_t n, bool fail = false) : n_(n) {
    if (fail) throw std::runtime_error("constructor failed");
    std::memset(reinterpret_cast<unsigned char*>(this + 1), 0xAB, n);
  }
  std::size_t trailing_bytes() const noexcept { return n_; }
  const unsigned char* bytes() const { return reinterpret_cast<const unsigned char*>(this + 1); }
  std::size_t n_;
};

}  // namespace pyheap::testing
