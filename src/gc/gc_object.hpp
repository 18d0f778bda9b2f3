// The collector's view of a tracked object: its collector word, its list id and marks, and its
// children. Shared by the collector's passes (collector.cpp, recorded_partition.cpp).
//
// Where the collector word is, and the header fields the collector keeps, are in pyheap/internal/gc_word.hpp
// (word() is the only place that finds the GcWord from an Object*).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "pyheap/internal/gc_word.hpp"
#include "pyheap/object.hpp"
#include "pyheap/tracer.hpp"
#include "pyheap/type_info.hpp"

namespace pyheap {
namespace gc {

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
// prefetching, the 10^6-node random graph about 45% faster. 32 slots ahead rather than 8: with two
// references per object, 8 kept too few misses in flight for this machine's memory latency (live
// 10^6 random graph on the worker path, alternating runs: about 60 ns per object at 8, 25-40 at
// 32 and 64).
inline constexpr std::size_t kPrefetchDistance = 32;
inline constexpr std::size_t kPrefetchMinObjects = std::size_t{1} << 19;

// Whether prefetching pays on a stretch of a walk. It does when children lie far from their
// parents (a random graph); when they lie next door (objects made in the order they link up: a
// ring, a list's items) the hardware's own prefetcher has them, and the software prefetches only
// cost instructions (about 35 per object on the 10^6 ring, a third of the walk: callgrind). A walk
// decides for each stretch of kLocalityStretch objects from a sample of its first kLocalitySample:
// prefetch if more than a quarter of their published references point more than kNear bytes away
// (or if none of them publishes its references: then as before, always).
inline constexpr std::size_t kLocalityStretch = 4096;
inline constexpr std::size_t kLocalitySample = 64;
inline constexpr std::uintptr_t kNear = 64 * 1024;
inline bool children_far(const std::vector<Object*>& set, std::size_t first, std::size_t end) noexcept {
  unsigned far = 0, seen = 0;
  for (std::size_t i = first; i < end && i < first + kLocalitySample; ++i) {
    const Object* o = set[i];
    if (o == nullptr) continue;
    const TypeInfo& ti = type_of(*o);
    for (std::uint32_t off : ti.ref_offsets) {
      if (const Object* c = detail::ref_slot(o, off)) {
        ++seen;
        far += reinterpret_cast<std::uintptr_t>(c) - reinterpret_cast<std::uintptr_t>(o) + kNear > 2 * kNear;
      }
    }
  }
  return seen == 0 || far * 4 > seen;
}

// Calls visit(child) for every non-null reference o holds, in the order o's trace hook reports
// them: straight from the slots its type publishes (TypeInfo::ref_offsets), else through the hook.
// The visitor is taken by value and the hook gets the address of a copy: the caller's visitor
// never escapes, so what it captures by value stays in registers on the published path (what it
// captures by reference escapes through the copy: keep that to what is rarely touched).
template <class Visit>
inline void for_each_child(Object* o, const TypeInfo& ti, Visit visit) {
  if (ti.refs_published) {
    for (std::uint32_t off : ti.ref_offsets)
      if (Object* child = detail::ref_slot(o, off)) visit(child);
    if (ti.ref_array) {
      for (const Ref<Object>& r : ti.ref_array(o))
        if (Object* child = r.get()) visit(child);
    }
  } else {
    Visit copy = visit;
    Tracer t(Tracer::Mode::Visit, [](Object* child, void* v) { (*static_cast<Visit*>(v))(child); }, &copy);
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
