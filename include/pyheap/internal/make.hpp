// pyheap/internal/make.hpp — the inline bodies behind heap.hpp: how a C++ type becomes a TypeInfo,
// the make path every object takes, extensions and the object walk. Included by heap.hpp only.
#pragma once

#include <array>
#include <bit>
#include <new>
#include <span>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "pyheap/internal/access.hpp"
#include "pyheap/internal/check.hpp"
#include "pyheap/internal/trace_hot.hpp"

namespace pyheap {

namespace detail {
// A static_cast from Object* down to T: well-formed exactly when Object is a non-virtual base
// (given that it is a public, unambiguous one).
template <class T>
concept DowncastFromObject = requires(Object* o) { static_cast<T*>(o); };

// Heap objects' allocator tags: kObjectTagBase + header offset / 8 for the header offsets 0, 8
// and 16 (Heap::for_each_object reads the header's place in the block from the tag): every type
// without a vtable, and polymorphic ones whose Object base follows the vptr. A header further in
// (a polymorphic type aligned to 16 bytes, or Object after another base) is a "far header":
// such blocks are untagged (tag 0, as the containers' storage) and the Heap lists those objects
// in a set of its own (far_objects_), which for_each_object walks after the tagged blocks. So only
// those rare types pay (a hash insert and erase per object), and the allocator's fast path keeps
// its four rows.
inline constexpr unsigned kObjectTagBase = 1;
inline constexpr std::size_t kMaxTaggedHeaderOffset =
    std::size_t{SmallObjectAllocator::kNumTags - 1 - kObjectTagBase} * 8;
constexpr unsigned object_tag(std::size_t header_offset) noexcept {
  return header_offset <= kMaxTaggedHeaderOffset ? kObjectTagBase + static_cast<unsigned>(header_offset / 8) : 0;
}

// C in a `R (C::*)(A...)`; void for anything else.
template <class F>
struct MemberClass {
  using type = void;
};
template <class C, class R, class... A>
struct MemberClass<R (C::*)(A...)> {
  using type = C;
};
template <class C, class R, class... A>
struct MemberClass<R (C::*)(A...) noexcept> {
  using type = C;
};
template <class C, class R, class... A>
struct MemberClass<R (C::*)(A...) const> {
  using type = C;
};
template <class C, class R, class... A>
struct MemberClass<R (C::*)(A...) const noexcept> {
  using type = C;
};

// The type table's thunks: T's own destructor and hooks through pyheap::Access (object.hpp), which
// a type with private ones befriends.
struct Hooks {
  template <class T>
  static void destroy(Object* o) noexcept {
    Access::destroy(static_cast<T*>(o));
  }
  template <class T>
  static void trace(Object* o, Tracer& tr) {
    Access::trace(static_cast<T*>(o), tr);
  }
  template <class T>
  static void finalize(Object* o) {
    Access::finalize(static_cast<T*>(o));
  }
  // The class that declares T's trace(): C in `void (C::*)(Tracer&)`; void when trace is
  // overloaded or a template (published members are then not used: nothing ties them to that
  // trace, and no class vouches for what it holds).
  template <class T>
  static constexpr auto trace_member() noexcept {
    return Access::trace_member<T>();
  }
  template <class T>
  using trace_owner = typename MemberClass<decltype(trace_member<T>())>::type;
};

// Whether T has a member named trace (finalize), whatever its access: a private or misspelled
// hook is still a hook someone meant pyheap to call, and a type pyheap silently took for one
// without would never have its cycles collected (issue 19). The ambiguity trick: NameProbe<T>
// derives from T and from HookNames, so naming `trace` through it is ambiguous exactly when T
// (or a base of T) has a member of that name, and name lookup comes before access checking. A
// final T cannot be derived from; there, only a member pyheap can name or call is seen (C++ has
// no other way to learn of a private member of a class that cannot be derived from).
struct HookNames {
  void trace();
  void finalize();
};
template <class T>
struct NameProbe : T, HookNames {};
template <class T>
constexpr bool declares_trace() noexcept {
  if constexpr (std::is_final_v<T>) return requires { &T::trace; } || Access::can_trace<T>;
  else return !requires { &NameProbe<T>::trace; };
}
template <class T>
constexpr bool declares_finalize() noexcept {
  if constexpr (std::is_final_v<T>) return requires { &T::finalize; } || Access::can_finalize<T>;
  else return !requires { &NameProbe<T>::finalize; };
}

// Tracked: a container the collector follows. A type with a trace hook is one unless the class
// that declares the hook (or the type itself) is declared to hold no references
// (pyheap::holds_no_refs, tracer.hpp): `struct Ints : pyheap::Object, Bag<int> {}` inherits
// Bag's hook, and `holds_no_refs<Bag<E>>` true for an E that holds no Ref makes it a plain
// object, untracked and 8 bytes smaller.
template <class T>
inline constexpr bool vouched_ref_free =
    holds_no_refs<T>::value || holds_no_refs<std::remove_cv_t<Hooks::trace_owner<T>>>::value;
template <class T>
concept Tracked = Traceable<T> && !vouched_ref_free<T>;

// Whether a U* holds the address of U's Object (it does for every heap type today; a Ref to a
// type with its Object elsewhere could not be read as an Object* without adjusting).
template <class U>
bool object_at_start() {
  if constexpr (std::is_same_v<std::remove_cv_t<U>, Object>) {
    return true;
  } else {
    alignas(U) static unsigned char probe[sizeof(U)];
    U* u = reinterpret_cast<U*>(probe);
    return static_cast<const void*>(static_cast<const Object*>(u)) == static_cast<const void*>(u);
  }
}

// Appends the pointer slots of one published member, found `at` bytes from the Object, to `out`;
// false if one cannot be read as an Object* (the type then falls back to calling trace).
template <class M>
struct RefSlots {
  static_assert(sizeof(M) == 0, "ref_members lists Ref<U>, WeakRef<U> or std::array of those");
};
template <class U>
struct RefSlots<Ref<U>> {
  static bool add(std::vector<std::uint32_t>& out, std::size_t at) {
    static_assert(sizeof(Ref<U>) == sizeof(U*), "a Ref is exactly its pointer");
    if (!object_at_start<U>()) return false;
    out.push_back(static_cast<std::uint32_t>(at));
    return true;
  }
};
template <class U>
struct RefSlots<WeakRef<U>> {
  static bool add(std::vector<std::uint32_t>& out, std::size_t at) {
    static_assert(sizeof(WeakRef<U>) == sizeof(Ref<WeakReference>), "a WeakRef is exactly its handle");
    return RefSlots<Ref<WeakReference>>::add(out, at);
  }
};
template <class E, std::size_t N>
struct RefSlots<std::array<E, N>> {
  static bool add(std::vector<std::uint32_t>& out, std::size_t at) {
    for (std::size_t k = 0; k < N; ++k)
      if (!RefSlots<E>::add(out, at + k * sizeof(E))) return false;
    return true;
  }
};

template <class C, class M>
M member_type_of(M C::*);

// Fills info.ref_offsets from T::ref_members and info.ref_array from T::ref_array (tracer.hpp),
// if they are declared by the class that declares T's trace().
template <class T>
void publish_ref_slots(TypeInfo& info, T* fake) {
  using TraceClass = Hooks::trace_owner<T>;
  bool ok = true;
  if constexpr (PublishesRefMembers<T>) {
    using Members = std::remove_cvref_t<decltype(T::ref_members)>;
    if constexpr (!std::is_same_v<typename Members::owner, TraceClass>) {
      ok = false;
    } else {
      std::apply(
          [&](auto... member) {
            ((ok = ok && RefSlots<decltype(member_type_of(member))>::add(
                             info.ref_offsets, static_cast<std::size_t>(reinterpret_cast<char*>(&(fake->*member)) -
                                                                        reinterpret_cast<char*>(fake)))),
             ...);
          },
          T::ref_members.members);
    }
  }
  if constexpr (PublishesRefArray<T>) {
    if constexpr (!std::is_same_v<typename MemberClass<decltype(&T::ref_array)>::type, TraceClass>) {
      ok = false;
    } else {
      static_assert(std::is_same_v<decltype(std::declval<const T&>().ref_array()), std::span<const Ref<Object>>>,
                    "ref_array() returns std::span<const pyheap::Ref<pyheap::Object>>");
      info.ref_array = [](const Object* o) noexcept { return static_cast<const T*>(o)->ref_array(); };
    }
  }
  info.refs_published = ok;
  if (!ok) {
    info.ref_offsets.clear();
    info.ref_array = nullptr;
  }
}

// Bytes in front of a T in its block: the collector's word for a container (16 when T is 16-byte
// aligned, so that T stays aligned), none otherwise.
template <class T>
constexpr std::size_t gc_prefix() noexcept {
  return Tracked<T> ? (alignof(T) > 8 ? 16 : 8) : 0;
}

// A hook pyheap cannot call is refused, and a type that may hold references needs a hook (the
// messages say what to write). Checked where make first needs T's entry (make_type_info).
template <class T>
constexpr void check_hooks() noexcept {
  static_assert(!declares_trace<T>() || Access::can_trace<T>,
                "pyheap: this heap type has a member named `trace` that pyheap cannot call as "
                "trace(pyheap::Tracer&): it is private or protected, or takes other parameters, so "
                "the collector would never see the type's references and its cycles would never be "
                "freed. Make it `public: void trace(pyheap::Tracer& t)`, or keep it private and "
                "declare `friend class pyheap::Access;` in the type");
  static_assert(!declares_finalize<T>() || Access::can_finalize<T>,
                "pyheap: this heap type has a member named `finalize` that pyheap cannot call as "
                "finalize(): it is private or protected, or takes parameters, so it would never run. "
                "Make it `public: void finalize()`, or keep it private and declare "
                "`friend class pyheap::Access;` in the type");
  static_assert(Access::can_destroy<T>,
                "pyheap: the last Ref to a heap object destroys it, and this type's destructor is "
                "private or protected: make it public, or declare `friend class pyheap::Access;` in "
                "the type");
}

template <class T>
TypeInfo make_type_info() {
  static_assert(std::is_base_of_v<Object, T>, "heap objects derive from pyheap::Object");
  check_hooks<T>();
  static_assert(std::is_convertible_v<T*, Object*>,
                "pyheap::Object must be a public and unambiguous base of a heap object type: one "
                "header per object, reachable from a T*");
  static_assert(!std::is_convertible_v<T*, Object*> || DowncastFromObject<T>,
                "pyheap::Object cannot be a virtual base of a heap object type: a virtual base's "
                "offset is known only to the complete object's vtable, while pyheap finds the "
                "block, the collector word and the object from an Object* alone (and "
                "static_cast from Object* down to T is ill-formed); derive from pyheap::Object "
                "non-virtually, once, in the class that owns the object's identity");
  static_assert(alignof(T) <= 16, "heap objects are at most 16-byte aligned");
  // Where the Object base sits in T: 0 for a type without a vtable whose first base is Object, 8
  // for a polymorphic one (its vptr comes first), anything for Object beside another base. The
  // probe is never read or constructed: only the base conversion's constant offset is used
  // (no vptr is involved for a non-virtual base).
  alignas(T) static unsigned char probe[sizeof(T)];
  T* fake = reinterpret_cast<T*>(probe);
  const auto k = static_cast<std::size_t>(reinterpret_cast<const unsigned char*>(static_cast<Object*>(fake)) - probe);
  TypeInfo info;
  info.qualified_name = demangle(typeid(T).name());
  info.name = short_type_name(info.qualified_name);
  info.size = sizeof(T);
  info.tracked = Tracked<T>;
  info.is_weakref = std::is_base_of_v<WeakReference, T>;
  info.prefix = static_cast<std::uint32_t>(gc_prefix<T>());
  info.object_offset = static_cast<std::uint32_t>(k);
  info.offset_flags = static_cast<std::uint8_t>((k / 8 < kOffsetInTypeInfo ? k / 8 : kOffsetInTypeInfo) << kOffsetShift);
  info.destroy = &Hooks::destroy<T>;
  if constexpr (Tracked<T>) {
    info.trace = &Hooks::trace<T>;
    // Published slots are offsets from the Object, read as Object*: only for a T that starts with
    // its Object (k == 0); a polymorphic type traces through its hook.
    if constexpr (PublishesRefMembers<T> || PublishesRefArray<T>) {
      if (k == 0) publish_ref_slots<T>(info, fake);
    }
  }
  if constexpr (Finalizable<T>) info.finalize = &Hooks::finalize<T>;
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
  // A silent destructor is usable only where the collector can empty the references first.
  if constexpr (SilentDestructor<T>) info.silent_destructor = !info.tracked || info.refs_published;
  info.plain_release = !Finalizable<T> && !VarSized<T> &&
                       info.prefix + info.size <= SmallObjectAllocator::kMaxSmallSize &&
                       info.header_offset() <= kMaxTaggedHeaderOffset;
  if constexpr (GcUntrackable<T>) {
    info.can_untrack = [](const Object* o, int pass) noexcept { return static_cast<const T*>(o)->gc_can_untrack(pass); };
  }
  return info;
}

// What make needs of T's entry, read through one function-local static (one guard, one line).
struct MakeInfo {
  const TypeInfo* ti;
  ObjectHeader header;  // a new object's: count 1, T's id, its offset bits, constructing
  std::uint8_t tag;     // object_tag(header offset)
};
// The Traced flag in a header read as one 64-bit word (flags is bits 48..55: object.hpp), so that
// make prepares the header with one load and one store, not one per field.
inline constexpr std::uint64_t kTracedBit = std::uint64_t{kFlagTraced} << 48;
static_assert(std::bit_cast<std::uint64_t>(ObjectHeader{0, 0, kFlagTraced, 0}) == kTracedBit);
// Out of line and cold: the registration (strings, the registry's lock) stays out of make's frame.
template <class T>
[[gnu::noinline, gnu::cold]] MakeInfo make_info() {
  const std::uint16_t id = type_id_of<T>();
  const TypeInfo& ti = type_info(id);
  return MakeInfo{&ti, ObjectHeader{1, id, ti.offset_flags, static_cast<std::uint8_t>(kGcUntracked | kGcConstructing)},
                  static_cast<std::uint8_t>(object_tag(ti.header_offset()))};
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

// The header is complete before T's constructor runs (object.hpp): make prepares it in the
// thread's pending header, Object's constructor takes it, and make finishes the object when the
// constructor returns (clears kGcConstructing, counts it live, tracks it). What the constructor
// did meanwhile (counts handed out with ref_from_this, weak references, make_immortal) is kept.
template <class T, class... Args>
Ref<T> Heap::construct(SourceLocation site, std::size_t trailing, Args&&... args) {
  static_assert(!std::is_const_v<T> && !std::is_volatile_v<T>,
                "make<const T>: heap objects are never const (their count changes with every Ref): "
                "make a T and hold it in a Ref<const T>");
  static_assert(Access::can_construct<T, Args...>,
                "pyheap::Heap::make cannot call this constructor: if it is private or protected (a "
                "factory's type, a tree's node type), declare `friend class pyheap::Access;` in the "
                "type; otherwise no constructor takes these arguments (the compiler's next error "
                "lists the candidates)");
  static const detail::MakeInfo info = detail::make_info<T>();
  const TypeInfo& ti = *info.ti;
  const std::uint16_t id = info.header.type_id;
  constexpr bool kTracked = detail::Tracked<T>;
  check_thread();
  // As CPython's gc_alloc, a collection may run before the new object exists.
  if constexpr (kTracked) gc_.on_container_allocated();
  // A compile-time size for a fixed-size T: its size class is a constant of this function.
  constexpr std::size_t kPrefix = detail::gc_prefix<T>();
  PYHEAP_ASSERT(ti.prefix == kPrefix && ti.size == sizeof(T));
  const std::size_t bytes = kPrefix + sizeof(T) + trailing;
  const unsigned tag = info.tag;
  void* fast = nullptr;
  if constexpr (detail::kInlineFastPaths) fast = detail::AllocatorAccess::hot(alloc_).try_allocate(bytes, tag);
  char* block = static_cast<char*>(fast != nullptr ? fast : allocate_object(bytes, tag, kTracked));
  // Where T's Object base will be: the conversion of a T* is a constant offset for a non-virtual
  // base (no vptr is read), as make_type_info measured it.
  Object* o = static_cast<Object*>(reinterpret_cast<T*>(block + kPrefix));
  PYHEAP_ASSERT(reinterpret_cast<char*>(o) == block + ti.header_offset());
  std::uint64_t header = std::bit_cast<std::uint64_t>(info.header);
  // Tracing off: this load and a never-taken branch are all it costs (tracing.hpp). Recorded
  // before the constructor, so that the header says Traced from the start.
  if (tracing_.state_ != nullptr) [[unlikely]] {
    if (tracing_.record(o, bytes, id, site)) header |= detail::kTracedBit;
  }
  const ObjectHeader outer = detail::pending_header;  // kNoHeapHeader, or a make this one is nested in
  detail::pending_header = std::bit_cast<ObjectHeader>(header);
  T* t;
  try {
    t = Access::construct<T>(block + kPrefix, std::forward<Args>(args)...);
  } catch (...) {
    detail::pending_header = outer;
    abandon(o, block, bytes, kTracked, std::bit_cast<ObjectHeader>(header));
    throw;
  }
  detail::pending_header = outer;
  if constexpr (detail::VarSized<T>) {
    // Freeing with another size would corrupt the allocator: a broken type, not a user error.
    PYHEAP_CHECK(t->trailing_bytes() == trailing, "%s reports %zu trailing bytes, made with %zu",
                 ti.qualified_name.c_str(), t->trailing_bytes(), trailing);
  }
  ++live_;
  Ref<T> r = Ref<T>::adopt(t);
  // On bad_alloc from either, r's destructor frees the new object.
  if constexpr (kTracked) {
    gc_.track(o);  // gc_state = generation 0: constructed
  } else {
    o->ob_.gc_state = detail::kGcUntracked;
  }
  if (tag == 0) [[unlikely]] far_objects_.insert(o);  // a constant per type: see object_tag
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
  struct Context {
    F* fn;
    std::size_t offset;
  };
  auto visit = [](void* block, std::size_t block_size, std::size_t offset, F& f) {
    auto* o = reinterpret_cast<Object*>(static_cast<char*>(block) + offset);
    detail::check_object_block(o, block_size, offset);
    // Skipped: objects in their destruction (count 0) and in their constructor.
    if (o->refcount() != 0 && (o->ob_.gc_state & detail::kGcConstructing) == 0) f(*o);
  };
  // The object tags one by one (every type without a vtable, and polymorphic ones with Object
  // right after the vptr), then the objects with a far header (object_tag).
  for (unsigned tag = detail::kObjectTagBase; tag < SmallObjectAllocator::kNumTags; ++tag) {
    Context ctx{&fn, (tag - detail::kObjectTagBase) * std::size_t{8}};
    alloc_.for_each_block(
        tag,
        [](void* block, std::size_t block_size, void* c) {
          auto& cx = *static_cast<Context*>(c);
          decltype(visit){}(block, block_size, cx.offset, *cx.fn);
        },
        &ctx);
  }
  for (Object* o : far_objects_) {
    if (o->refcount() != 0) fn(*o);
  }
}

}  // namespace pyheap
