// pyheap/type_info.hpp — what the runtime knows about each object type, without a vtable.
//
// Every T made by Heap::make gets one TypeInfo, registered the first time it is used and named by
// the 16-bit type_id stored in each object's header. The table is process-wide and append-only,
// so reading it needs no lock; registration takes one.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>

#include "pyheap/edges.hpp"
#include "pyheap/object.hpp"
#include "pyheap/tracer.hpp"

namespace pyheap {

class WeakReference;

struct TypeInfo {
  std::string name;
  std::uint32_t size = 0;     // sizeof(T)
  std::uint32_t prefix = 0;   // bytes in front of the object (the collector's word), 0 if untracked
  bool tracked = false;       // has a trace hook: a container the collector follows
  bool is_weakref = false;    // derives from WeakReference
  void (*destroy)(Object*) noexcept = nullptr;
  void (*trace)(Object*, Tracer&) = nullptr;
  void (*finalize)(Object*) = nullptr;  // null when T has no finalize()
  // Variable-size types (containers/*.hpp) keep data inline after the T; the hook reads how many
  // bytes from the object itself, so the block is always freed with the size it was allocated
  // with. Null for fixed-size types. Must stay readable until ~T() has run.
  std::size_t (*trailing_bytes)(const Object*) noexcept = nullptr;
  // Asked about each container that survives a collection: true means the object can no longer
  // be part of a cycle and may leave the collector's lists. Pass 0 runs after every collection
  // (CPython's untrack_tuples), pass 1 after it in full collections only (untrack_dicts).
  bool (*can_untrack)(const Object*, int pass) noexcept = nullptr;
  // Bytes the object owns outside its block (a list's item array), for getsizeof (CPython's
  // __sizeof__). Null when T owns nothing out of line, or does not say.
  std::size_t (*owned_bytes)(const Object*) noexcept = nullptr;
  // Introspection (edges.hpp, heap_snapshot.hpp). Names the object's references: null when T has
  // no `void name_edges(EdgeNamer&) const` (its trace hook numbers them instead).
  void (*name_edges)(const Object*, EdgeNamer&) = nullptr;
  // A short text that tells this object from others of its type (a script node's label), shown
  // beside the type name; null when T has no `label()` member.
  std::string (*label)(const Object*) = nullptr;
};

namespace detail {
inline constexpr std::size_t kMaxTypes = std::size_t{1} << 16;
// The process-wide type table, indexed by the header's type_id. Append-only: an entry, once
// written (under the registry's mutex), names the same TypeInfo for the life of the process, and
// a thread learns an id only through the function-local static in type_id_of, which orders the
// write before the read. So lookups need no lock, and they are inline because the collector does
// one per object it traverses. Zero-initialised (no dynamic initialisation, no order problem).
extern const TypeInfo* type_table[kMaxTypes];

std::uint16_t register_type(TypeInfo info);
inline const TypeInfo& type_info(std::uint16_t id) noexcept {
#if defined(PYHEAP_DEBUG_LEVEL) && PYHEAP_DEBUG_LEVEL >= 1
  // Only registration hands out ids, and it writes the entry first: an empty slot means the
  // header was overwritten (a use after free or a stray write), caught here before it is followed.
  if (type_table[id] == nullptr) {
    std::fprintf(stderr, "pyheap: object header names type id %u, which was never registered\n",
                 static_cast<unsigned>(id));
    std::abort();
  }
#endif
  return *type_table[id];
}
std::string demangle(const char* mangled);

template <class T>
concept Traceable = requires(T& t, Tracer& tr) { t.trace(tr); };
template <class T>
concept Finalizable = requires(T& t) { t.finalize(); };
template <class T>
concept VarSized = requires(const T& t) {
  { t.trailing_bytes() } noexcept -> std::same_as<std::size_t>;
};
template <class T>
concept OwnsBuffers = requires(const T& t) {
  { t.owned_bytes() } noexcept -> std::same_as<std::size_t>;
};
template <class T>
concept NamesEdges = requires(const T& t, EdgeNamer& n) { t.name_edges(n); };
template <class T>
concept Labelled = requires(const T& t) {
  { t.label() } -> std::convertible_to<std::string_view>;
};
template <class T>
concept GcUntrackable = requires(const T& t) {
  { t.gc_can_untrack(0) } noexcept -> std::same_as<bool>;
};

template <class T>
TypeInfo make_type_info();

template <class T>
std::uint16_t type_id_of() {
  static const std::uint16_t id = register_type(make_type_info<T>());
  return id;
}
}  // namespace detail

inline const TypeInfo& type_of(const Object& o) noexcept { return detail::type_info(o.type_id()); }

namespace detail {
// The size the object's block was allocated with: collector word + T + inline data.
inline std::size_t block_request(const Object* o) noexcept {
  const TypeInfo& ti = type_of(*o);
  return ti.prefix + ti.size + (ti.trailing_bytes ? ti.trailing_bytes(o) : 0);
}
}  // namespace detail

}  // namespace pyheap
