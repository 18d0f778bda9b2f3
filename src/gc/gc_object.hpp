// The collector's view of a tracked object: its collector word, its list id and marks, and its
// children. Shared by the collector's passes (collector.cpp, recorded_partition.cpp).
//
// Layout of a tracked object (T is the user's type, its Object header first):
//
//   block ─► [ GcWord: index u32 | refs i32 ][ ObjectHeader 8 B ][ T's members ... ]
//                                              ▲ Object* / T*
//
// GcWord.index is the object's position in its list (lists_[list id]); GcWord.refs is scratch for
// the single-threaded passes of a collection (gc_refs). The list id and the two collection marks
// live in the header's gc_state byte. word() below is the only place that finds the GcWord from
// an Object*: a change of object layout changes it here and nowhere else.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pyheap/object.hpp"
#include "pyheap/tracer.hpp"
#include "pyheap/type_info.hpp"

namespace pyheap {

struct ObjectAccess {
  static ObjectHeader& header(Object* o) noexcept { return o->ob_; }
  static const ObjectHeader& header(const Object* o) noexcept { return o->ob_; }
};

namespace gc {

struct GcWord {
  std::uint32_t index;
  std::int32_t refs;
};
static_assert(sizeof(GcWord) == 8);

inline GcWord& word(Object* o) noexcept {
  return *reinterpret_cast<GcWord*>(reinterpret_cast<char*>(o) - sizeof(GcWord));
}
inline std::uint8_t& state(Object* o) noexcept { return ObjectAccess::header(o).gc_state; }
inline int list_of(const Object* o) noexcept { return ObjectAccess::header(o).gc_state & detail::kGcListMask; }

inline void set_list(Object* o, int list, std::size_t index) noexcept {
  state(o) = static_cast<std::uint8_t>(list);
  word(o).index = static_cast<std::uint32_t>(index);
}

inline void call_trace(Object* o, Tracer& t) { type_of(*o).trace(o, t); }

// Prefetching. On a large heap whose edges jump around memory (a random graph), every child a
// walk visits is a cache miss, and the walk waits for each in turn. Prefetching the children of
// the object kPrefetchDistance slots ahead overlaps those misses; it reads nothing but that
// object and changes no state, so no result or order depends on it. Below kPrefetchMinObjects
// (about 16 MiB of small containers) the set mostly fits in the last-level cache and the extra
// reads only cost time: measured with bench/gc_pyheap, the 10^5-node ring got 35% slower with
// prefetching, the 10^6-node random graph about 45% faster.
inline constexpr std::size_t kPrefetchDistance = 8;
inline constexpr std::size_t kPrefetchMinObjects = std::size_t{1} << 19;

// Calls visit(child) for every non-null reference o holds, in the order o's trace hook reports
// them: straight from the slots its type publishes (TypeInfo::ref_offsets), else through the hook.
template <class Visit>
inline void for_each_child(Object* o, const TypeInfo& ti, Visit& visit) {
  if (ti.refs_published) {
    for (std::uint32_t off : ti.ref_offsets)
      if (Object* child = detail::ref_slot(o, off)) visit(child);
    if (ti.ref_array) {
      for (const Ref<Object>& r : ti.ref_array(o))
        if (Object* child = r.get()) visit(child);
    }
  } else {
    Tracer t(Tracer::Mode::Visit, [](Object* child, void* v) { (*static_cast<Visit*>(v))(child); }, &visit);
    ti.trace(o, t);
  }
}

// Whether the death of `child`, referred to from the garbage but outside the examined set, could
// go unnoticed whenever it happens: it holds no references (no trace hook), promises a silent
// destructor (tracer.hpp) and has neither a finalizer nor weak references. The garbage is freed
// without the reference-count cascade only if every such child is quiet (Collector::free_silently).
inline bool quiet_outsider(const Object* child) noexcept {
  const TypeInfo& ti = type_of(*child);
  return !ti.tracked && ti.silent_destructor && ti.finalize == nullptr && !child->has_weakrefs();
}

// Prefetches the headers (and collector words: the same 16 bytes) of o's children, without any
// other effect: a walk issues it for the object a few slots ahead so that the misses overlap.
inline void prefetch_children(Object* o) {
  const TypeInfo& ti = type_of(*o);
  if (ti.refs_published) {
    detail::prefetch_referents(o, ti);
  } else {
    Tracer t(Tracer::Mode::Visit, [](Object* child, void*) { __builtin_prefetch(child, 1); }, nullptr);
    ti.trace(o, t);
  }
}

// At PYHEAP_DEBUG_LEVEL >= 1: aborts if the slots o's type publishes are not exactly the
// references its trace hook reports, in the same order (tracer.hpp, ref_members).
void check_published_refs(Object* o, const TypeInfo& ti) noexcept;

}  // namespace gc
}  // namespace pyheap
