// pyheap/internal/gc_word.hpp — the collector's view of a tracked object: its header fields and its collector word, reached from
// an Object* by the accessors below and nowhere else (every phase of the collector calls them).
//
// Layout of a tracked object's block (T is the user's type; k the offset of its Object base,
// 0 for a type without a vtable whose first base is Object, 8 for a polymorphic one):
//
//   block ─► [ pad, 16-aligned T only ][ GcWord: index u32 | refs i32 ][ T ... Object header ... ]
//                                                                       ^ T*    ^ Object* = T* + k
//
// So the word is 8 + k bytes before the Object*. k / 8 is in the header's flags (high four bits,
// object.hpp), which the collector loads with gc_state anyway: finding the word costs a shift, not
// a type-table lookup, unless k >= 120 (the bits say kOffsetInTypeInfo; TypeInfo::object_offset).
// GcWord.index is the object's position in lists_[list id]; GcWord.refs is scratch for a
// collection (gc_refs). The list id lives in the header's gc_state byte.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pyheap/collector.hpp"
#include "pyheap/internal/check.hpp"
#include "pyheap/object.hpp"
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

// The offset of o's Object base in its type (k above).
inline std::size_t object_offset(const Object* o) noexcept {
  const std::size_t code = ObjectAccess::header(o).flags >> detail::kOffsetShift;
  const std::size_t k = code != detail::kOffsetInTypeInfo ? code * 8 : type_of(*o).object_offset;
  PYHEAP_ASSERT(k == type_of(*o).object_offset);
  return k;
}

// Counted in words (k is a multiple of 8, sizeof(GcWord)): the word is (k / 8 + 1) words
// before the Object*, i.e. Object* + ~(k / 8) words, one scaled-index lea after a shift.
inline GcWord& word(Object* o) noexcept {
  PYHEAP_ASSERT(type_of(*o).tracked);  // an untracked type has no word: these bytes are not ours
  PYHEAP_ASSERT(object_offset(o) % sizeof(GcWord) == 0);
  std::size_t words = ObjectAccess::header(o).flags >> detail::kOffsetShift;
  if (words == detail::kOffsetInTypeInfo) [[unlikely]] words = type_of(*o).object_offset / sizeof(GcWord);
  return *(reinterpret_cast<GcWord*>(o) + ~static_cast<std::ptrdiff_t>(words));
}

inline std::uint8_t& state(Object* o) noexcept { return ObjectAccess::header(o).gc_state; }
inline int list_of(const Object* o) noexcept { return ObjectAccess::header(o).gc_state & detail::kGcListMask; }

// A prefetch of what the collector's walks read of a child: its header and its word. Without
// reading the header first (that is the miss being hidden) k is unknown, so this fetches the
// line holding the 8 bytes before the header: the word itself when k == 0, and when k == 8 the
// same 16-byte-aligned unit as the word (the block starts there), so the same line. Both share
// the header's line unless the block straddles one.
inline void prefetch_word(const Object* o) noexcept {
  __builtin_prefetch(reinterpret_cast<const char*>(o) - sizeof(GcWord), 1);
}

}  // namespace gc
// ---- list membership, inline: every container's make tracks it and its release untracks it --------

inline void Collector::track(Object* o) {
  PYHEAP_ASSERT(gc::list_of(o) == detail::kGcUntracked);
  auto& gen0 = lists_[0];
  gen0.push_back(o);  // may throw: o is still untracked then
  gc::state(o) = 0;
  gc::word(o).index = static_cast<std::uint32_t>(gen0.size() - 1);
}

inline void Collector::untrack(Object* o) noexcept {
  const int id = gc::list_of(o);
  if (id == detail::kGcUntracked) return;
  auto& list = lists_[id];
  const std::uint32_t i = gc::word(o).index;
  PYHEAP_ASSERT(i < list.size() && list[i] == o);
  gc::state(o) = detail::kGcUntracked;
  list[i] = nullptr;
  // The working list is walked by index while user code runs: it only ever gets holes.
  if (id == kUnreachable) return;
  // Short-lived objects die at the end of generation 0: no hole to remember.
  if (i + 1 == list.size() && (i == 0 || list[i - 1] != nullptr)) [[likely]] {
    list.pop_back();
    return;
  }
  untrack_hole(id, i);
}

}  // namespace pyheap
