// pyheap/type_info.hpp — what the runtime knows about each object type, without a vtable.
//
// Every T made by Heap::make gets one TypeInfo, registered the first time it is used and named by
// the 16-bit type_id stored in each object's header. The table is process-wide and append-only,
// so reading it needs no lock; registration takes one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <type_traits>

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
};

namespace detail {
std::uint16_t register_type(TypeInfo info);
const TypeInfo& type_info(std::uint16_t id) noexcept;
std::string demangle(const char* mangled);

template <class T>
concept Traceable = requires(T& t, Tracer& tr) { t.trace(tr); };
template <class T>
concept Finalizable = requires(T& t) { t.finalize(); };

template <class T>
TypeInfo make_type_info();

template <class T>
std::uint16_t type_id_of() {
  static const std::uint16_t id = register_type(make_type_info<T>());
  return id;
}
}  // namespace detail

inline const TypeInfo& type_of(const Object& o) noexcept { return detail::type_info(o.type_id()); }

}  // namespace pyheap
