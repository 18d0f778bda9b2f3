// Per-heap state of the containers: the intern table and the small-int cache. A Heap extension
// (Heap::extension), created on first use, so a heap that never makes a Str or an Int pays nothing
// for it, and destroyed with the heap after every object.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <unordered_set>

#include "pyheap/heap.hpp"
#include "pyheap/str.hpp"
#include "pyheap/tuple.hpp"

namespace pyheap {
class Int;

namespace detail {

// A Str's identity as the intern table sees it, built from text before any Str exists.
struct StrKey {
  Str::Kind kind;
  std::string_view bytes;
  std::uint64_t hash;
};

struct StrPtrHash {
  using is_transparent = void;
  std::size_t operator()(const Str* s) const noexcept { return static_cast<std::size_t>(s->hash()); }
  std::size_t operator()(const StrKey& k) const noexcept { return static_cast<std::size_t>(k.hash); }
};
struct StrPtrEq {
  using is_transparent = void;
  bool operator()(const Str* a, const Str* b) const noexcept { return *a == *b; }
  bool operator()(const StrKey& k, const Str* s) const noexcept {
    return k.hash == s->hash() && k.kind == s->kind() && k.bytes == s->storage();
  }
  bool operator()(const Str* s, const StrKey& k) const noexcept { return (*this)(k, s); }
};

// CPython's _PyObject_GC_MAY_BE_TRACKED: could o be part of a cycle now or later? Objects without
// a trace hook never; a tuple only while it is tracked (its items cannot change); any other
// container always, even if untracked right now (an untracked dict can be tracked again).
inline bool may_be_tracked(const Collector& gc, const Object* o) noexcept {
  if (!type_of(*o).tracked) return false;
  return !Heap::is_a<Tuple>(o) || gc.is_tracked(o);
}

inline constexpr std::int64_t kSmallIntMin = -5;
inline constexpr std::int64_t kSmallIntMax = 256;

struct ContainerCache {
  // Borrowed pointers: a Str removes itself in its destructor.
  std::unordered_set<Str*, StrPtrHash, StrPtrEq> interned;
  // Immortal Ints, made on first request; a slot is cleared if its Int dies at heap teardown.
  std::array<Int*, kSmallIntMax - kSmallIntMin + 1> small_ints{};
  // The immortal, untracked empty tuple (CPython shares one too).
  Tuple* empty_tuple = nullptr;
};

inline ContainerCache& container_cache(Heap& heap) { return heap.extension<ContainerCache>(); }

}  // namespace detail
}  // namespace pyheap
