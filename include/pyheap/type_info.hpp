// pyheap/type_info.hpp — what the runtime knows about each object type, without a vtable.
//
// Every T made by Heap::make gets one TypeInfo, registered the first time it is used and named by
// the 16-bit type_id stored in each object's header. The table is process-wide and append-only,
// so reading it needs no lock; registration takes one (pyheap/internal/type_table.hpp).
//
// Names. `name` is what every output of pyheap prints (garbage summaries, tracing statistics,
// snapshots, growth, why-alive chains, memory reports): the type's own name without the
// namespaces and classes around it, as Python prints type.__name__ ("Node" for
// pyheap::script::Node). `qualified_name` is the demangled name in full, for telling apart two
// types of one program that share a name; tracing's type filter accepts either.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"

namespace pyheap {

class Tracer;
class EdgeNamer;

struct TypeInfo {
  std::string name;            // "Node": printed by every output
  std::string qualified_name;  // "pyheap::script::Node"
  std::uint32_t size = 0;     // sizeof(T), its vptr included
  std::uint32_t prefix = 0;   // bytes in front of the T (the collector's word), 0 if untracked
  // Where the Object base sits in T (0 unless T is polymorphic or Object is not its first base;
  // object.hpp), and the header's offset bits that say so (flags' high nibble, in place).
  std::uint32_t object_offset = 0;
  std::uint8_t offset_flags = 0;
  bool tracked = false;       // has a trace hook: a container the collector follows
  bool is_weakref = false;    // derives from WeakReference
  // No finalizer, fixed size, a small block, a tagged header offset: the release of such an
  // object takes the short path (Heap::release_plain) unless its flags ask for more.
  bool plain_release = false;
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
  // Names the object's references for introspection (edge_namer.hpp): null when T has no
  // `void name_edges(EdgeNamer&) const` (its trace hook numbers them instead).
  void (*name_edges)(const Object*, EdgeNamer&) = nullptr;
  // A short text that tells this object from others of its type (a script node's label), shown
  // beside the type name; null when T has no `label()` member.
  std::string (*label)(const Object*) = nullptr;
  // Where the references trace() reports sit, when T publishes them (`ref_members` and
  // `ref_array`, tracer.hpp): the byte offset from the Object of each pointer-sized slot, in
  // trace() order, then the elements of ref_array (null when T has none). The collector then
  // reads them instead of calling trace (src/gc/gc_object.hpp). refs_published false: it calls
  // trace.
  bool refs_published = false;
  std::vector<std::uint32_t> ref_offsets;
  std::span<const Ref<Object>> (*ref_array)(const Object*) noexcept = nullptr;
  // T promises (`using silent_destructor = T;`, tracer.hpp) that ~T() does nothing observable
  // but release those references. Only with refs_published, or for a type without trace hook.
  bool silent_destructor = false;

  // Bytes from the start of the block to the Object header: what Object* - block is.
  std::uint32_t header_offset() const noexcept { return prefix + object_offset; }
  // The bytes an object of this type asked the allocator for: collector word + T + inline data.
  std::size_t block_request(const Object* o) const noexcept {
    return prefix + size + (trailing_bytes ? trailing_bytes(o) : 0);
  }
};

}  // namespace pyheap

#include "pyheap/internal/type_table.hpp"

namespace pyheap {

inline const TypeInfo& type_of(const Object& o) noexcept { return detail::type_info(o.type_id()); }

namespace detail {
// The size the object's block was allocated with (TypeInfo::block_request).
inline std::size_t block_request(const Object* o) noexcept { return type_of(*o).block_request(o); }

// Where the object's block starts: header_offset() bytes before its Object (the collector word,
// if any, then the object, whose Object base may follow a vptr or another base).
inline char* block_of(Object* o, const TypeInfo& ti) noexcept { return reinterpret_cast<char*>(o) - ti.header_offset(); }

// What the published slot at `offset` of o points to (null if empty). A slot is a Ref<U>'s only
// member, a U* whose address is the Object's (make_type_info publishes no other kind).
inline Object* ref_slot(const Object* o, std::uint32_t offset) noexcept {
  Object* child;
  std::memcpy(&child, reinterpret_cast<const char*>(o) + offset, sizeof child);
  return child;
}

// Asks the memory system for the objects o's published slots point to (their headers, where a
// count or the collector's word is about to be written). Reads only o; no effect without slots.
// (Not the elements of a ref_array: there can be millions.)
inline void prefetch_referents(const Object* o, const TypeInfo& ti) noexcept {
  for (std::uint32_t off : ti.ref_offsets) {
    if (Object* child = ref_slot(o, off)) __builtin_prefetch(child, 1);
  }
}
}  // namespace detail

}  // namespace pyheap
