// pyheap/internal/make.hpp — the inline bodies behind heap.hpp: how a C++ type becomes a TypeInfo,
// the make path every object takes, extensions and the object walk. Included by heap.hpp only.
#pragma once

#include <new>
#include <stdexcept>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "pyheap/internal/check.hpp"
#include "pyheap/internal/trace_hot.hpp"

namespace pyheap {

namespace detail {
template <class T>
TypeInfo make_type_info() {
  static_assert(std::is_base_of_v<Object, T>, "heap objects derive from pyheap::Object");
  static_assert(!std::is_polymorphic_v<T>,
                "heap objects carry no vtable; use the trace/finalize hooks instead of virtuals");
  static_assert(alignof(T) <= 16, "heap objects are at most 16-byte aligned");
  // The header must sit at the start of T: the collector's word is found just before it.
  alignas(T) static unsigned char probe[sizeof(T)];
  T* fake = reinterpret_cast<T*>(probe);
  if (static_cast<void*>(static_cast<Object*>(fake)) != static_cast<void*>(fake))
    throw std::logic_error("pyheap::Object must be the first base of a heap object type");
  TypeInfo info;
  info.qualified_name = demangle(typeid(T).name());
  info.name = short_type_name(info.qualified_name);
  info.size = sizeof(T);
  info.tracked = Traceable<T>;
  info.is_weakref = std::is_base_of_v<WeakReference, T>;
  info.prefix = info.tracked ? (alignof(T) > 8 ? 16 : 8) : 0;
  info.destroy = [](Object* o) noexcept { static_cast<T*>(o)->~T(); };
  if constexpr (Traceable<T>) {
    info.trace = [](Object* o, Tracer& t) { static_cast<T*>(o)->trace(t); };
  }
  if constexpr (Finalizable<T>) {
    info.finalize = [](Object* o) { static_cast<T*>(o)->finalize(); };
  }
  if constexpr (VarSized<T>) {
    info.trailing_bytes = [](const Object* o) noexcept { return static_cast<const T*>(o)->trailing_bytes(); };
  }
  if constexpr (OwnsBuffers<T>) {
    info.owned_bytes = [](const Object* o) noexcept { return static_cast<const T*>(o)->owned_bytes(); };
  }
  if constexpr (NamesEdges<T>) {
    info.name_edges = [](const Object* o, EdgeNamer& n) { static_cast<const T*>(o)->name_edges(n); };
  }
  if constexpr (Labelled<T>) {
    info.label = [](const Object* o) { return std::string(static_cast<const T*>(o)->label()); };
  }
  if constexpr (GcUntrackable<T>) {
    info.can_untrack = [](const Object* o, int pass) noexcept { return static_cast<const T*>(o)->gc_can_untrack(pass); };
  }
  return info;
}
}  // namespace detail

template <class T, class... Args>
Ref<T> Heap::make_at(SourceLocation site, Args&&... args) {
  static_assert(!detail::VarSized<T>, "variable-size objects are made with make_var");
  return construct<T>(site, 0, std::forward<Args>(args)...);
}

template <class T, class... Args>
Ref<T> Heap::make_var_at(SourceLocation site, std::size_t trailing, Args&&... args) {
  static_assert(detail::VarSized<T>, "make_var needs a trailing_bytes() hook to free the block");
  return construct<T>(site, trailing, std::forward<Args>(args)...);
}

template <class T, class... Args>
Ref<T> Heap::construct(SourceLocation site, std::size_t trailing, Args&&... args) {
  static const std::uint16_t id = detail::type_id_of<T>();
  static const TypeInfo& ti = detail::type_info(id);
  check_thread();
  // As CPython's gc_alloc, a collection may run before the new object exists.
  if (ti.tracked) gc_.on_container_allocated();
  const std::size_t bytes = ti.prefix + ti.size + trailing;
  char* block = static_cast<char*>(alloc_.allocate_tagged(bytes, object_tag(ti.prefix)));
  T* t;
  try {
    t = ::new (static_cast<void*>(block + ti.prefix)) T(std::forward<Args>(args)...);
  } catch (...) {
    alloc_.deallocate(block, bytes);
    if (ti.tracked) gc_.on_container_freed();
    throw;
  }
  if constexpr (detail::VarSized<T>) {
    // Freeing with another size would corrupt the allocator: a broken type, not a user error.
    PYHEAP_CHECK(t->trailing_bytes() == trailing, "%s reports %zu trailing bytes, made with %zu",
                 ti.qualified_name.c_str(), t->trailing_bytes(), trailing);
  }
  Object* o = static_cast<Object*>(t);
  std::uint8_t flags = 0;
  // Tracing off: this load and a never-taken branch are all it costs (tracing.hpp).
  if (tracing_.state_ != nullptr) [[unlikely]] {
    if (tracing_.record(o, bytes, id, site)) flags = detail::kFlagTraced;
  }
  o->ob_ = ObjectHeader{1, id, flags, detail::kGcUntracked};
  ++live_;
  Ref<T> r = Ref<T>::adopt(t);
  if (ti.tracked) gc_.track(o);  // on bad_alloc, r's destructor frees the new object
  return r;
}

template <class E>
E& Heap::extension() {
  const std::size_t slot = detail::extension_slot<E>();
  if (slot < extensions_.size() && extensions_[slot].state != nullptr) [[likely]]
    return *static_cast<E*>(extensions_[slot].state);
  E* made = new E();
  return *static_cast<E*>(install_extension(slot, made, [](void* p) noexcept { delete static_cast<E*>(p); }));
}

template <class Fn>
void Heap::for_each_object(Fn&& fn) const {
  using F = std::remove_reference_t<Fn>;
  for (unsigned tag = kObjectTagBase; tag < SmallObjectAllocator::kNumTags; ++tag) {
    struct Context {
      F* fn;
      std::size_t offset;
    } ctx{&fn, (tag - kObjectTagBase) * std::size_t{8}};
    alloc_.for_each_block(
        tag,
        [](void* block, std::size_t block_size, void* c) {
          auto& cx = *static_cast<Context*>(c);
          auto* o = reinterpret_cast<Object*>(static_cast<char*>(block) + cx.offset);
          detail::check_object_block(o, block_size, cx.offset);
          if (o->refcount() != 0) (*cx.fn)(*o);
        },
        &ctx);
  }
}

}  // namespace pyheap
