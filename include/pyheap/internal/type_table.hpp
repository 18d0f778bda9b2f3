// pyheap/internal/type_table.hpp — the process-wide table behind type_info.hpp, and how a C++
// type becomes an entry in it. Not part of the API: Heap::make and the collector use it.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>

#include "pyheap/internal/check.hpp"
#include "pyheap/internal/export.hpp"
#include "pyheap/object.hpp"

namespace pyheap {

struct TypeInfo;
class Tracer;
class EdgeNamer;
class WeakReference;

namespace detail {
inline constexpr std::size_t kMaxTypes = std::size_t{1} << 16;
// The process-wide type table, indexed by the header's type_id. Append-only: an entry, once
// written (under the registry's mutex), names the same TypeInfo for the life of the process, and
// a thread learns an id only through the function-local static in type_id_of, which orders the
// write before the read. So lookups need no lock, and they are inline because the collector does
// one per object it traverses. Zero-initialised (no dynamic initialisation, no order problem).
PYHEAP_API extern const TypeInfo* type_table[kMaxTypes];

PYHEAP_API std::uint16_t register_type(TypeInfo info);
// "pyheap::script::Node" for a mangled name.
PYHEAP_API std::string demangle(const char* mangled);
// "Node": the qualified name without the namespaces and classes that enclose the type (template
// arguments are kept as they are), as Python's type.__name__ is a class's own name.
PYHEAP_API std::string short_type_name(std::string_view qualified);

inline const TypeInfo& type_info(std::uint16_t id) noexcept {
  // Only registration hands out ids, and it writes the entry first: an empty slot means the
  // header was overwritten (a use after free or a stray write), caught here before it is followed.
  PYHEAP_CHECK(kDebugLevel < 1 || type_table[id] != nullptr,
               "object header names type id %u, which was never registered", static_cast<unsigned>(id));
  return *type_table[id];
}

// The hooks a type may define (type_info.hpp lists what each means). trace and finalize are judged
// by pyheap::Access (object.hpp), so a type may keep them private and befriend it.
template <class T>
concept Traceable = Access::can_trace<T>;
template <class T>
concept Finalizable = Access::can_finalize<T>;
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
// T lists where its references sit (`ref_members`, `ref_array`, tracer.hpp).
template <class T>
concept PublishesRefMembers = requires { typename std::remove_cvref_t<decltype(T::ref_members)>::owner; };
template <class T>
concept PublishesRefArray = requires(const T& t) {
  { t.ref_array() } noexcept;
};
template <class T>
concept SilentDestructor = std::is_same_v<typename T::silent_destructor, T>;
template <class T>
concept GcUntrackable = requires(const T& t) {
  { t.gc_can_untrack(0) } noexcept -> std::same_as<bool>;
};

template <class T>
TypeInfo make_type_info();

// The id of T, registered on first use. Default visibility, so that the library and a program
// linking it as a shared library share one function-local static per type, hence one id.
template <class T>
PYHEAP_API std::uint16_t type_id_of() {
  static const std::uint16_t id = register_type(make_type_info<T>());
  return id;
}
}  // namespace detail
}  // namespace pyheap
