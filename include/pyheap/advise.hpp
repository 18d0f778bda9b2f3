// pyheap/advise.hpp — what to change in a heap to make it smaller, and how many bytes each change
// would save.
//
// advise() looks at every object of a heap graph (object_graph.hpp: a live pyheap Heap, a
// .heapsnapshot, or a CPython 3.11 process dumped by tools/advise/pyheap_advise.py) and reports:
//   1. objects with a per-object attribute table (Instance, a Python __dict__) sharing one key
//      set: a fixed layout (Record, __slots__);
//   2. many records of one shape: columns (a Table; in Python a dict of arrays and lists);
//   3. lists and tuples of boxed numbers: a typed array of the narrowest item that holds them
//      (Array<T>, array('b'/'h'/'i'/'q'/'d'), bytes, bytearray); lists of small tuples of
//      integers ((doc, pos) pairs): one flat array per list; sets of integers (a graph's
//      adjacency): tuples or arrays;
//   4. equal strings stored many times: interning, per field that holds them; equal tuples
//      stored many times: sharing one;
//   5. lists and dicts with much unused capacity: copying them to their size; lists filled with
//      None ahead of use: starting empty;
//   6. cyclic garbage waiting for the collector: every kind of reference that closes its cycles,
//      to make weak (or None, where an object refers to itself);
//   7. the few objects that retain most of the heap (dominators): always present, always last.
// Each finding names the objects (type, count, bytes now), the change in pyheap/C++ and in Python
// words, the estimated saving in bytes and as a share of the heap, and where the objects come
// from: their allocation sites if the heap was traced, else the objects that retain them. In a
// CPython heap only the program's own objects are advised on and named as holders (not the
// interpreter's modules and tables), unless AdviseOptions::internals.
//
// Estimates are computed from the objects themselves, never from a rule of thumb: bytes now are
// the graph's, in the unit a user can check (pyheap: allocator blocks; CPython: the bytes
// tracemalloc counts), plus every object only they hold (their dicts, values arrays, boxed
// numbers...), and the replacement is priced with the runtime's own size rules (pyheap's
// containers; CPython 3.11's layouts and growth policies), for the construction the advice names.
// The tests apply each change in both runtimes and check the estimate against the bytes freed.
//
// Invariants: findings are sorted by saving, largest first, except that the dominators finding is
// always the last one; a finding's share is saving / the heap's bytes; savings are > 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "pyheap/heap_graph.hpp"
#include "pyheap/object_graph.hpp"

namespace pyheap {

class Heap;

enum class FindingKind : std::uint8_t {
  FixedLayout,     // 1
  Columns,         // 2
  TypedArray,      // 3
  PackedTuples,    // 3
  AdjacencySets,   // 3
  InternStrings,   // 4
  ShareTuples,     // 4
  SpareCapacity,   // 5
  PrefilledLists,  // 5
  CyclicGarbage,   // 6
  Dominators,      // 7
};
// "fixed-layout", "columns", "typed-array", "packed-tuples", "adjacency-sets", "intern-strings",
// "share-tuples", "spare-capacity", "prefilled-lists", "cyclic-garbage", "dominators".
const char* finding_kind_name(FindingKind kind) noexcept;

// Where some of a finding's objects come from.
struct FindingOrigin {
  std::string where;       // "app.py:12" (a site) or "globals of __main__.users" (a retainer)
  std::size_t count = 0;   // objects of the finding made there, or held by it
  std::uint64_t bytes = 0;
};

struct Finding {
  FindingKind kind = FindingKind::Dominators;
  std::string title;          // what was found, one line
  std::string type_name;      // the type of the objects concerned
  std::size_t count = 0;      // objects concerned
  std::uint64_t bytes = 0;    // what they hold now (with what only they hold)
  std::string change_cpp;     // the change, in pyheap/C++ words
  std::string change_python;  // the change, in Python words
  std::string estimate;       // how the saving was computed, e.g. "1,000 x (96 B -> 56 B)"
  std::uint64_t saving = 0;   // estimated bytes freed by the change
  double share = 0;           // saving / the heap's bytes
  bool origins_are_sites = false;  // allocation sites; otherwise retainers
  std::vector<FindingOrigin> origins;  // largest first
};

struct AdviseOptions {
  // A finding is reported when it saves at least min_share of the heap, or min_saving bytes.
  double min_share = 0.01;
  std::uint64_t min_saving = std::uint64_t{1} << 20;
  std::size_t max_origins = 3;
  std::size_t dominators = 3;  // objects named by the last finding
  // Also advise on, and name as holders, the interpreter's and the libraries' own objects (a
  // module's namespace, the import system's tables...), not only the program's.
  bool internals = false;
};

struct Advice {
  std::string runtime;       // "pyheap", "CPython 3.11.7"
  std::size_t objects = 0;
  std::uint64_t heap_bytes = 0;
  std::uint64_t program_bytes = 0;  // the program's own objects (CPython: not the interpreter's)
  std::string units;                // what the bytes are ("as tracemalloc counts them...") and how to check a saving
  std::vector<std::string> notes;   // warnings about the heap as a whole (it looks empty...)
  std::vector<Finding> findings;
};

Advice advise(const ObjectGraph& graph, const AdviseOptions& options = {});
// A live heap (ObjectGraph::capture; named roots as HeapGraph::capture).
Advice advise(const Heap& heap, const AdviseOptions& options = {}, std::span<const NamedRoot> named_roots = {},
              std::string named_group = "(named roots)");

// The findings as text, numbered, at most `top` of them (the dominators finding always shown).
std::string format_advice(const Advice& advice, std::size_t top = SIZE_MAX);
// The same as JSON: {"runtime":..., "objects":..., "heap_bytes":..., "findings":[{...}]}.
std::string advice_json(const Advice& advice);

}  // namespace pyheap
