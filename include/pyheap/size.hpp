// pyheap/size.hpp — how many bytes an object costs, measured in the allocator's own units.
//
//   getsizeof(o)  the block holding o (collector word, header, fields, inline items, rounded up to
//                 the allocator's block size) plus the blocks of buffers o owns out of line (a
//                 list's item array). CPython's sys.getsizeof, except that it counts what the
//                 allocator really holds rather than the bytes asked for, and that the collector
//                 word is always included (CPython adds its GC header too).
//   deep_size(o)  the sum of getsizeof over o and everything reachable from it through trace
//                 hooks, each object once. Objects that are shared with others (cached small Ints,
//                 interned strings) are counted too.
// Invariant, checked by the tests: creating an object raises the allocator's bytes_held plus
// large_bytes by exactly getsizeof of it, and destroying it lowers them by as much.
// A type owning other memory says so with a `std::size_t owned_bytes() const noexcept` member.
#pragma once

#include <cstddef>

#include "pyheap/internal/export.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"

namespace pyheap {

PYHEAP_API std::size_t getsizeof(const Object* o) noexcept;
PYHEAP_API std::size_t deep_size(Object* root);

template <class T>
std::size_t getsizeof(const Ref<T>& r) noexcept {
  return getsizeof(static_cast<const Object*>(r.get()));
}
template <class T>
std::size_t deep_size(const Ref<T>& r) {
  return deep_size(const_cast<Object*>(static_cast<const Object*>(r.get())));  // a Ref<const T> too
}

}  // namespace pyheap
