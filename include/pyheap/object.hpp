// pyheap/object.hpp — the object header every heap object carries.
//
// A heap object is an instance of a class derived from pyheap::Object, created by Heap::make and
// owned by reference counts. The base adds exactly one 8-byte header and no vtable:
//
//   bits  0..31  refcnt    strong references (Ref<T>) to the object; 0 means "being destroyed"
//   bits 32..47  type_id   index into the process-wide type table (size, trace, finalize, name)
//   bits 48..55  flags     HasWeakrefs | Finalized | Immortal | Traced, and in the high four bits
//                          where the object starts: the Object base sits k bytes into T, and
//                          the bits hold k / 8 (15: k is 120 or more, read from the TypeInfo)
//   bits 56..63  gc_state  which collector list holds the object (3 bits) + collection marks
//
// Objects of a type with a `void trace(pyheap::Tracer&)` member are *containers*: the collector
// tracks them, and they carry one more 8-byte word placed just *before* the object (as CPython's
// PyGC_Head is), holding the object's slot in its generation list and the scratch count used
// while collecting. So an untracked object costs 8 bytes of header and a container 16
// (CPython 3.11: 16 and 32).
//
// Polymorphic types (virtual functions) are heap objects too, and pay only for their own vptr.
// The Object base need not be at the start of T: under the Itanium C++ ABI a polymorphic T whose
// first base is the non-polymorphic Object has its vptr at offset 0 and Object at 8 (k = 8), and
// Object may be any base of several (k = wherever the compiler put it). The block is then
//
//   [ collector word, containers only ][ T: vptr, other bases..., Object header, members ]
//                                        ^ T*              k bytes ^ Object*
//
// and everything pyheap derives from an Object* (block, collector word, size) goes through k:
// the header's offset bits (the collector's word, without a table lookup for k < 120) and
// TypeInfo::object_offset. Types without a vtable and with Object first keep k = 0.
// Object must be a public, unambiguous, non-virtual base (checked when the type is first made).
//
// Invariants:
//   - refcnt > 0 for every object reachable from a Ref; refcnt == 0 only inside destruction.
//   - Immortal objects start at kImmortalBase and can never reach zero through balanced use.
//   - The header is written by Heap::make after T's constructor returns; a constructor must not
//     hand out references to `this` (ref_from_this refuses it in debug builds: Object's
//     constructor writes a header with count 0 there, which make overwrites).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "pyheap/internal/check.hpp"
#include "pyheap/internal/export.hpp"

namespace pyheap {

class Heap;
class Object;
class Tracer;

struct ObjectHeader {
  std::uint32_t refcnt;
  std::uint16_t type_id;
  std::uint8_t flags;
  std::uint8_t gc_state;
};
static_assert(sizeof(ObjectHeader) == 8, "the object header must stay 8 bytes");

namespace detail {
inline constexpr std::uint8_t kFlagHasWeakrefs = 1u << 0;
inline constexpr std::uint8_t kFlagFinalized = 1u << 1;
inline constexpr std::uint8_t kFlagImmortal = 1u << 2;
// Made while allocation tracing was on and recorded (tracing.hpp): only such objects make the
// free path look at the tracing side table, so freeing an untraced object costs one bit test.
inline constexpr std::uint8_t kFlagTraced = 1u << 3;
// The high four bits of flags: k / 8, where k is the offset of the Object base in the object's
// type (object.hpp's top comment); kOffsetInTypeInfo when k / 8 does not fit (k >= 120).
inline constexpr unsigned kOffsetShift = 4;
inline constexpr unsigned kOffsetInTypeInfo = 15;
// Immortal counts start here: 2^30 unbalanced decrements would be needed to reach zero, and an
// accidental zero is caught by the slow path, which restores the count instead of freeing.
inline constexpr std::uint32_t kImmortalBase = 1u << 30;
// gc_state: the low three bits name the collector list holding the object; kGcUntracked means
// none. The two marks are set only while a collection runs: kGcCollecting on every object being
// examined, kGcTentative on those the unreachable scan has put aside for now (CPython's
// NEXT_MASK_UNREACHABLE).
inline constexpr std::uint8_t kGcListMask = 0x07;
inline constexpr std::uint8_t kGcUntracked = 0x07;
inline constexpr std::uint8_t kGcCollecting = 0x08;
inline constexpr std::uint8_t kGcTentative = 0x10;
// Set by a single-threaded subtract walk on an object with a child that could die observably if
// the object's references were dropped in another order (collector.cpp, silent freeing); cleared
// by the same collection.
inline constexpr std::uint8_t kGcLoud = 0x20;

// Out-of-line slow path of a decrement that reached zero: finalize, clear weak references,
// destroy, free (see Heap::deallocate). Kept out of line so the inline fast path stays two
// instructions.
PYHEAP_API void release(Object* o) noexcept;
}  // namespace detail

class Object {
 public:
  // Heap::make writes the header after construction. Below debug level 1 the constructor leaves
  // it alone (no store on the make path); above, it writes count 0 and type id 0 (never handed
  // out), so that ref_from_this inside a constructor, or on an object no heap made, is refused.
  Object() noexcept {
    if constexpr (kDebugLevel >= 1) ob_ = ObjectHeader{0, 0, 0, detail::kGcUntracked};
  }
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  std::uint32_t refcount() const noexcept { return ob_.refcnt; }
  std::uint16_t type_id() const noexcept { return ob_.type_id; }
  bool is_immortal() const noexcept { return (ob_.flags & detail::kFlagImmortal) != 0; }
  bool is_finalized() const noexcept { return (ob_.flags & detail::kFlagFinalized) != 0; }
  bool has_weakrefs() const noexcept { return (ob_.flags & detail::kFlagHasWeakrefs) != 0; }

  // Fast paths used by Ref<T>. Not atomic: a heap is confined to one thread.
  void incref() noexcept { ++ob_.refcnt; }
  void decref() noexcept {
    if (--ob_.refcnt == 0) detail::release(this);
  }

 protected:
  ~Object() = default;

 private:
  friend class Heap;
  friend class Collector;
  friend class WeakReference;
  friend struct ObjectAccess;
  ObjectHeader ob_;
};

}  // namespace pyheap
