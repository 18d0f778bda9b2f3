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
// Objects of a type with a `void trace(pyheap::Tracer&)` member are *containers* (unless it or the
// class declaring the hook is declared holds_no_refs, tracer.hpp): the collector tracks them, and
// they carry one more 8-byte word placed just *before* the object (as CPython's PyGC_Head is),
// holding the object's slot in its generation list and the scratch count used while collecting:
// an untracked object costs 8 bytes of header and a container 16 (CPython 3.11: 16 and 32).
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
//   - The header is complete before any of T's own code runs: Heap::make prepares it (count 1,
//     for the Ref make returns; T's type id; the offset bits; Traced if tracing recorded it) in
//     the thread's pending header, and Object's constructor, the first thing T's construction
//     runs, takes it (T's other bases, if they come before Object, run first: see below). So T's
//     constructor may hand out `ref_from_this(this)`, make weak references to the object, ask
//     Heap::of(this): the object is an object of its heap already. While the constructor runs,
//     gc_state carries kGcConstructing (the collector does not track the object yet, and
//     Heap::for_each_object skips it); make clears it when the constructor returns.
//   - An Object constructed while no make runs (on the stack, a global) gets the header
//     {count 0, type 0}, which ref_from_this refuses in every build.
//   - A constructor that throws after handing out references that are still held leaves them
//     pointing at an object that never existed: make stops the program with the type's name
//     (fatal_error.hpp); one that drops them again before it throws is fine.
//   - ~Object is trivial: when T's constructor throws, the Object base outlives the unwinding
//     until make frees the block, which is how make reads what the constructor did to the header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include "pyheap/internal/check.hpp"
#include "pyheap/internal/export.hpp"

namespace pyheap {

class Heap;
class Object;
class Tracer;
class Access;
namespace detail {
struct Hooks;  // pyheap/internal/make.hpp: the type table's thunks
}

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
// Set from the moment make hands the header to Object's constructor until T's constructor has
// returned: the object exists for counts, weak references and Heap::of, not yet for the collector
// or the object walk.
inline constexpr std::uint8_t kGcConstructing = 0x40;

// The header of an Object that no Heap is making: count 0 (ref_from_this refuses it), type id 0
// (never registered).
inline constexpr ObjectHeader kNoHeapHeader{0, 0, 0, kGcUntracked};
// The header make has prepared for the object it is constructing on this thread, which Object's
// constructor takes. make sets it before T's constructor and puts back what it found after, so
// the value is kNoHeapHeader whenever no make is running (an Object constructed then takes
// that), and a make nested in a base that T constructs before its Object base (a mixin's
// constructor making objects of its own) does not take T's away. Per thread, as heaps are;
// initial-exec, so that reading it is one or two instructions in a program and in a shared
// library alike (no __tls_get_addr call).
PYHEAP_API extern constinit thread_local ObjectHeader pending_header __attribute__((tls_model("initial-exec")));

// Out-of-line slow path of a decrement that reached zero: finalize, clear weak references,
// destroy, free (see Heap::deallocate). Kept out of line so the inline fast path stays two
// instructions.
PYHEAP_API void release(Object* o) noexcept;
}  // namespace detail

class Object {
 public:
  // Takes the header Heap::make prepared (the top of this file). Written here, not by make into
  // the block before the placement new: GCC's lifetime dead-store elimination may drop stores
  // into an object's storage made before its constructor runs.
  Object() noexcept : ob_(detail::pending_header) {}
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
  ~Object() = default;  // trivial on purpose (the top of this file)

 private:
  friend class Heap;
  friend class Collector;
  friend class WeakReference;
  friend struct ObjectAccess;
  ObjectHeader ob_;
};

// The one friend declaration a heap type needs for what it keeps private:
//
//   class Leaf final : public pyheap::Object {
//     friend class pyheap::Access;          // make, the collector and the last Ref may reach:
//     explicit Leaf(int v) : v_(v) {}       //   its constructors (only Heap::make, and Leaf's own
//     ~Leaf() = default;                    //   friends, can make a Leaf), its destructor,
//     void trace(pyheap::Tracer& t) { t(next_); }  // its trace hook
//     void finalize();                      //   and its finalizer
//     pyheap::Ref<Leaf> next_;
//     int v_;
//   };
//
// Without it these must be public. A type with a member named trace or finalize that pyheap
// cannot call (private or protected without the friend, or with other parameters) does not
// compile: a hook the collector cannot see would leave the type's cycles uncollected, silently
// (type_table.hpp, detail::check_hooks).
class Access {
 public:
  // What pyheap can do with a T, judged here, so that T's friend declaration of Access counts.
  template <class T>
  static constexpr bool can_trace = requires(T& t, Tracer& tr) { t.trace(tr); };
  template <class T>
  static constexpr bool can_finalize = requires(T& t) { t.finalize(); };
  template <class T, class... A>
  static constexpr bool can_construct = requires(void* p, A&&... a) { ::new (p) T(static_cast<A&&>(a)...); };
  template <class T>
  static constexpr bool can_destroy = requires(T* t) { t->~T(); };

 private:
  friend class Heap;
  friend struct detail::Hooks;

  template <class T, class... A>
  static T* construct(void* where, A&&... args) {
    return ::new (where) T(std::forward<A>(args)...);
  }
  // T's own destructor and hooks, called on an object whose dynamic type is exactly T: a
  // qualified call, so a virtual one costs no second indirect call (TypeInfo's is the dispatch).
  // An abstract T has no object of its own (its TypeInfo only answers is_a), and a pure virtual
  // hook may have no body to call, so it keeps the virtual call.
  template <class T>
  static void destroy(T* t) noexcept {
    if constexpr (std::is_abstract_v<T>) t->~T(); else t->T::~T();
  }
  template <class T>
  static void trace(T* t, Tracer& tr) {
    if constexpr (std::is_abstract_v<T>) t->trace(tr); else t->T::trace(tr);
  }
  template <class T>
  static void finalize(T* t) {
    if constexpr (std::is_abstract_v<T>) t->finalize(); else t->T::finalize();
  }
  // &T::trace where pyheap may name it (nullptr when it cannot: none, overloaded, a template).
  template <class T>
  static constexpr auto trace_member() noexcept {
    if constexpr (requires { &T::trace; }) return &T::trace; else return nullptr;
  }
};

}  // namespace pyheap
