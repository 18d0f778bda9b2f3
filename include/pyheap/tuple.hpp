// pyheap/tuple.hpp — Tuple, a fixed-length immutable sequence of object references.
//
// Concept. The items (Ref<Object>, 8 bytes each) sit inline after a 16-byte object: one block of
// 8 (collector word) + 16 + 8n bytes, no separate array (CPython 3.11: 40 + 8n).
//
// Invariants:
//   - size() and the items never change after creation, not even while the collector clears
//     garbage (a tuple has no clear step, as CPython's has no tp_clear: every cycle through a
//     tuple also runs through a mutable object whose clear breaks it);
//   - items are never null (std::invalid_argument at creation);
//   - a heap has one empty tuple, immortal and untracked (as CPython's `()`);
//   - released last to first when the tuple dies (CPython's order: it decides which finalizers and
//     weak reference callbacks run first).
//
// Tracking (CPython 3.11's rule, not untrack-at-creation): a tuple is tracked when created, and
// each collection that finds it reachable untracks it if none of its items can be part of a cycle
// -- every item is an object without a trace hook (Int, Float, Str...) or an already untracked
// tuple. Doing it then rather than at creation keeps collect() counts equal to CPython's: a fresh
// tuple of ints inside cyclic garbage is still garbage found (and counted) by the collector. An
// untracked tuple can never become part of a cycle (its items cannot change), so untracking
// changes nothing that is freed, only what the collector has to visit.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>

#include "pyheap/internal/export.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"
#include "pyheap/tracer.hpp"

namespace pyheap {

class PYHEAP_API Tuple : public Object {
  struct Private {
    explicit Private() = default;
  };

 public:
  using value_type = Ref<Object>;
  using const_iterator = const Ref<Object>*;

  // The shared empty tuple is made, and its site recorded, by the heap's first make of one.
  static Ref<Tuple> make(Heap& heap, std::span<const Ref<Object>> items,
                         SourceLocation site = SourceLocation::current());
  static Ref<Tuple> make(Heap& heap, std::initializer_list<Ref<Object>> items,
                         SourceLocation site = SourceLocation::current()) {
    return make(heap, std::span<const Ref<Object>>(items.begin(), items.size()), site);
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const Ref<Object>& operator[](std::size_t i) const noexcept { return items()[i]; }
  // Throws std::out_of_range.
  const Ref<Object>& at(std::size_t i) const;
  const_iterator begin() const noexcept { return items(); }
  const_iterator end() const noexcept { return items() + size_; }
  std::span<const Ref<Object>> span() const noexcept { return {items(), size_}; }

  // Collector hooks.
  void trace(Tracer& t);
  std::span<const Ref<Object>> ref_array() const noexcept { return span(); }  // tracer.hpp
  using silent_destructor = Tuple;  // releases the items; forgets the cached empty tuple
  bool gc_can_untrack(int pass) const noexcept;

  // Used by Heap::make_var only.
  Tuple(Private, std::span<const Ref<Object>> items) noexcept;
  ~Tuple();
  std::size_t trailing_bytes() const noexcept { return size_ * sizeof(Ref<Object>); }

 private:
  const Ref<Object>* items() const noexcept { return reinterpret_cast<const Ref<Object>*>(this + 1); }
  Ref<Object>* items() noexcept { return reinterpret_cast<Ref<Object>*>(this + 1); }

  std::size_t size_;
};

}  // namespace pyheap
