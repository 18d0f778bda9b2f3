// pyheap/tracing.hpp — allocation tracing: which line of C++ made the objects that are alive.
//
// Concept (CPython's tracemalloc, for a heap of C++ objects). Each Heap has one AllocationTracing,
// off by default. While it is on, every object made with make<T>/make_var<T> is *traced*: its
// allocation site — the file:line:column and function of the make call (SourceLocation,
// captured by make's defaulted last parameter), the object's type and, optionally, a native
// backtrace of configurable depth — is interned into the heap's site table, and the object's
// address is mapped to that site's id in a side table. Freeing a traced object removes its
// record. A Snapshot copies what is traced at one moment, grouped into (site, object size)
// traces; snapshots can be filtered, summed per site, line, file or type, and compared.
//
// Invariants:
//   - traced_memory().current == the sum of block_request() (the bytes make passed to the
//     allocator: collector word + object + inline data) over the live traced objects; peak is
//     the maximum of current since start() or reset_peak();
//   - an object is traced iff it was made while tracing was on, since the last start(), and the
//     record could be stored (see dropped()); objects made before start() stay untraced for life;
//   - stop() forgets every record; start() after stop() begins from nothing.
// Costs: off, one load and a never-taken branch in make and one flag test on free. On, with
// sites only, a make at the same site as the last one is two compares and a radix-table store,
// inline (another site: an interning cache probe, out of line), and a free is a radix-table
// clear (docs/design.md, "Allocation tracing", has the measured figures). A backtrace costs what
// glibc's backtrace() costs: about a microsecond for 8 frames.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include "pyheap/internal/export.hpp"
#include "pyheap/source_location.hpp"
#include <string>
#include <type_traits>
#include <vector>

namespace pyheap {

class Heap;
class Object;

namespace detail {
struct TraceHot;    // the state a traced make touches, one cache line (pyheap/internal/trace_hot.hpp)
struct TraceState;  // everything else: the site table and the address side table (src/trace/)
}  // namespace detail

struct TraceOptions {
  // Native return addresses recorded per allocation, beyond the make call site (0: none).
  // At most kMaxBacktraceDepth.
  unsigned backtrace_depth = 0;
  static constexpr unsigned kMaxBacktraceDepth = 64;
  bool operator==(const TraceOptions&) const = default;
};

struct TracedMemory {
  std::size_t current = 0;  // bytes of the live traced objects
  std::size_t peak = 0;     // the highest `current` since start() or reset_peak()
};

// Where an object was made. Two allocations share a site iff they have the same file, line,
// column, function, type and backtrace.
struct PYHEAP_API AllocationSite {
  std::string file;
  std::string function;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string type;                     // T's name (TypeInfo::name: "Node")
  std::string qualified_type;           // T's qualified name ("app::Node")
  std::vector<std::uintptr_t> frames;   // return addresses, innermost first (backtrace_depth > 0)

  std::string location() const;         // "file:line"
  // One line per frame, "0x... function+0xoff (object file)" where dladdr can tell (functions
  // of the executable need -rdynamic to have names).
  std::vector<std::string> symbolized_frames() const;
};

// How statistics group traces.
enum class GroupBy {
  Site,  // the whole AllocationSite (with its type and backtrace)
  Line,  // file:line, whatever the type
  File,  // file
  Type,  // the object type, wherever made
};

// Which traces a filter concerns. Empty strings and the default size range match everything.
struct TraceFilter {
  bool include = true;          // keep what matches (true) or drop it (false)
  std::string file;             // a glob (fnmatch, if it has * ? or [), else a substring of the path
  std::string type;             // an exact type name, short ("Node") or qualified ("app::Node")
  std::size_t min_size = 0;     // object size in bytes, bounds included
  std::size_t max_size = std::numeric_limits<std::size_t>::max();
};

struct Statistic {
  std::string key;                  // the group: "file:line [Type]", "file:line", "file" or "Type"
  std::size_t count = 0;            // objects
  std::size_t bytes = 0;
  std::vector<std::string> traceback;  // GroupBy::Site with backtraces: the symbolized frames
};

struct StatisticDiff {
  std::string key;
  std::size_t count = 0;            // in the newer snapshot
  std::size_t bytes = 0;
  std::ptrdiff_t count_diff = 0;    // newer - older
  std::ptrdiff_t bytes_diff = 0;
  std::vector<std::string> traceback;
};

// Which growth orders a comparison: the largest growth first, shrinkage last.
enum class GrowthOrder { Bytes, Count };

class PYHEAP_API Snapshot {
 public:
  // Objects of one site with one size (variable-size objects of a site differ in size).
  struct Trace {
    std::uint32_t site = 0;  // index into sites()
    std::size_t size = 0;    // bytes of one object
    std::size_t count = 0;
  };

  const std::vector<AllocationSite>& sites() const noexcept { return sites_; }
  const std::vector<Trace>& traces() const noexcept { return traces_; }
  TracedMemory traced_memory() const noexcept { return memory_; }  // at the moment of the snapshot
  std::size_t total_bytes() const noexcept;
  std::size_t total_count() const noexcept;

  // A snapshot of the traces that pass the filter (sites are kept as they are).
  Snapshot filter(const TraceFilter& f) const;
  // Groups sorted by bytes, then count, largest first, then by key.
  std::vector<Statistic> statistics(GroupBy by) const;
  // Every group of either snapshot with its growth from `older` to this one, ordered by growth
  // (GrowthOrder), largest first; at most `top` of them.
  std::vector<StatisticDiff> compare_to(const Snapshot& older, GroupBy by,
                                        GrowthOrder order = GrowthOrder::Bytes,
                                        std::size_t top = std::numeric_limits<std::size_t>::max()) const;

 private:
  friend class AllocationTracing;
  std::vector<AllocationSite> sites_;
  std::vector<Trace> traces_;
  TracedMemory memory_;
};

// The same as newer.compare_to(older, ...).
PYHEAP_API std::vector<StatisticDiff> compare(const Snapshot& older, const Snapshot& newer, GroupBy by,
                                   GrowthOrder order = GrowthOrder::Bytes,
                                   std::size_t top = std::numeric_limits<std::size_t>::max());

// Readable tables, one line per entry (a traceback indented below its line), at most `limit`:
//   "tests/leak.cpp:42 [Node]: 3200 B in 100 objects (average 32 B)"
//   "tests/leak.cpp:42 [Node]: 3200 B (+1600 B) in 100 objects (+50), average 32 B"
PYHEAP_API std::string format(const std::vector<Statistic>& stats,
                   std::size_t limit = std::numeric_limits<std::size_t>::max());
PYHEAP_API std::string format(const std::vector<StatisticDiff>& diffs,
                   std::size_t limit = std::numeric_limits<std::size_t>::max());

// One heap's tracing switch and records; reached through Heap::tracing().
class PYHEAP_API AllocationTracing {
 public:
  AllocationTracing() = default;
  ~AllocationTracing();
  AllocationTracing(const AllocationTracing&) = delete;
  AllocationTracing& operator=(const AllocationTracing&) = delete;

  // Starts tracing. Already on with the same options: nothing happens; with other options:
  // std::logic_error (stop first). Throws std::bad_alloc (tracing stays off) or
  // std::invalid_argument for a depth above kMaxBacktraceDepth.
  void start(TraceOptions options = {});
  // Stops tracing and forgets every record. Objects made meanwhile stay untraced for life.
  void stop() noexcept;
  bool is_tracing() const noexcept { return state_ != nullptr; }
  // The options tracing was started with; TraceOptions{} when off.
  TraceOptions options() const noexcept;

  // {0, 0} when off.
  TracedMemory traced_memory() const noexcept;
  // Sets peak to current (tracemalloc.reset_peak).
  void reset_peak() noexcept;
  // Live traced objects.
  std::size_t traced_count() const noexcept;
  // Allocations made while on that could not be recorded (no memory for the site or side table;
  // the allocation itself succeeded, untraced).
  std::size_t dropped() const noexcept;

  // What is traced now. Throws std::logic_error when tracing is off, std::bad_alloc.
  Snapshot snapshot() const;
  // The site of a live object, if it is traced.
  std::optional<AllocationSite> site_of(const Object* o) const;
  // The site's id in this tracing session (0 if o is not traced): stable while tracing stays on,
  // cheap, for grouping many objects (the collector's garbage summary) before site().
  std::uint32_t site_id(const Object* o) const noexcept;
  // The site with a non-zero id from site_id().
  const AllocationSite& site(std::uint32_t id) const noexcept;

 private:
  friend class Collector;  // frees cyclic garbage without Heap::destroy (collector.cpp)
  friend class Heap;
  // Called by Heap::construct for a new object of `bytes` bytes when tracing is on. Returns true
  // if the object is now traced (the caller sets its kFlagTraced). Inline (pyheap/internal/
  // trace_hot.hpp): the same site as the last make, in the same 2 MiB leaf, is a compare, a
  // store and three counter updates; everything else (a new site or leaf, backtraces) is
  // record_slow.
  bool record(const Object* o, std::size_t bytes, std::uint16_t type_id,
              const SourceLocation& where) noexcept;
  bool record_slow(const Object* o, std::size_t bytes, std::uint16_t type_id,
                   const SourceLocation& where) noexcept;
  // Called by Heap::destroy for an object carrying kFlagTraced, before its block is freed.
  // Inline, in src/trace/trace_state.hpp (heap.cpp is its one caller).
  void forget(const Object* o, std::size_t bytes) noexcept;
  // record's slow part: capture a backtrace and intern the site with it.
  std::uint32_t backtrace_site(const SourceLocation& where, std::uint16_t type_id) noexcept;

  detail::TraceState& state() const noexcept;  // state_ as what it is; only when on

  detail::TraceHot* state_ = nullptr;  // a detail::TraceState; null: off (the one load make tests)
};

}  // namespace pyheap
