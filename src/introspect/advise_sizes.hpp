// introspect/advise_sizes.hpp — the bytes an object would cost in another form, in each runtime.
//
// The advisor's estimates are differences between what objects cost now (ObjectGraph::Node::bytes)
// and what their replacement would cost. The replacement is priced with the size rules of the
// runtime the heap belongs to, in that runtime's unit: pyheap's containers (allocator blocks,
// growth policies, taken from the containers' own code), or CPython 3.11's object layouts and
// growth policies in the bytes tracemalloc counts (each allocation as requested). Both price the
// construction the advice text names (e.g. a column built by appending row by row), since that
// decides spare capacity.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pyheap/object_graph.hpp"

namespace pyheap::advise_detail {

class SizeRules {
 public:
  virtual ~SizeRules() = default;
  // A fixed-layout object of `fields` fields: pyheap Record, a class with __slots__.
  virtual std::uint64_t record(std::size_t fields) const = 0;
  // What holds the columns of a columnar store: pyheap's Table object (its columns apart); in
  // Python a dict {name: column} written as a display.
  virtual std::uint64_t columns_holder(std::size_t columns) const = 0;
  // A column of `rows` numbers: pyheap Array<T> appended row by row (Table::append_row); Python
  // array(code, [values...]), sized exactly.
  virtual std::uint64_t number_column(std::size_t rows, std::size_t item_size) const = 0;
  // A column of `rows` object references built by appending: pyheap List, a Python list
  // comprehension.
  virtual std::uint64_t object_column(std::size_t rows) const = 0;
  // A typed array made at once from n numbers: Array<T>::make(heap, values), array(code, values).
  virtual std::uint64_t typed_array(std::size_t n, std::size_t item_size) const = 0;
  // Bytes made from n small numbers (0..255): Python bytes(values); pyheap Array<std::uint8_t>.
  virtual std::uint64_t byte_string(std::size_t n) const = 0;
  // The same, mutable: Python bytearray(values); pyheap Array<std::uint8_t>.
  virtual std::uint64_t byte_array(std::size_t n) const = 0;
  // A tuple of n items made at once (0 for the empty tuple, which is shared).
  virtual std::uint64_t tuple(std::size_t n) const = 0;
  // A list copied to exactly its items: List::make(heap, items), lst.copy().
  virtual std::uint64_t list_exact(std::size_t n) const = 0;
  // A dict rebuilt with n entries: a fresh Dict filled again, dict(d).
  virtual std::uint64_t dict_rebuilt(std::size_t n, bool str_keys) const = 0;
  // The table through which the advice shares one copy of each of `distinct` texts: Python a
  // dict {text: text} of the program's, filled by setdefault (sys.intern's table is the
  // interpreter's, and grows in steps no one can see); pyheap Str::intern's table, which lives
  // beside the heap (0).
  virtual std::uint64_t shared_texts(std::size_t distinct) const = 0;
  // A weak reference object without a callback (weakref.ref(x), pyheap::WeakRef<T>(x)), and
  // whether one serves every weak reference to the same target (CPython's are shared).
  virtual std::uint64_t weak_reference() const = 0;
  virtual bool weak_references_shared() const = 0;
};

const SizeRules& rules_for(Runtime runtime);
const SizeRules& cpython311_rules();

// Capacity after n appends to an empty list (CPython 3.11's list_resize, pyheap's List).
std::size_t list_capacity_after_appends(std::size_t n) noexcept;

// CPython 3.11: the bytes tracemalloc counts for an object now, from what the dumper recorded
// (role, sys.getsizeof, and the facts object_graph.hpp lists).
std::uint64_t cpython311_object_bytes(Role role, std::uint64_t getsizeof, const ObjectGraph::Node& facts);
// Bytes of a 3.11 dict keys table of 2^log2 slots; kind 0 general keys, 1 all str, 2 split.
std::uint64_t cpython311_dict_keys_bytes(unsigned log2, int kind) noexcept;

}  // namespace pyheap::advise_detail
