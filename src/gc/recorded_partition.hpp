// Subtract-refs and move_unreachable of a large set on worker threads, with exactly the results
// and orders of the collector's single-threaded passes (collector.cpp). Used by Collector for
// sets of at least parallel_threshold() objects when workers() > 1 (collector.hpp).
//
// The single-threaded passes are CPython's: update_and_subtract_refs leaves in each member's
// gc_refs its count minus the references from other members; move_unreachable then walks the set
// in order, and its output orders (the reachable list and the unreachable list) are observable
// (they decide in which order garbage is cleared, hence which weak reference callbacks run). Only
// the first pass parallelizes as it is. So the work is split differently, by position in the set
// (every member's GcWord index is its position):
//
//   1. count   (parallel; chunks of positions handed out dynamically): for each member i, its
//              count into rc[i] and what the later steps need to know of it (traits[i]: weak
//              references, a finalizer to run, a silent destructor, references out of the set);
//              for each of its children that is a member j, 2 more in worker w's own tally
//              in[w][j], and its low bit set if i < j ("a parent below"): no two workers write
//              one tally, no atomics. Objects are only read.
//   2. sum     (parallel; ranges of positions handed out dynamically): gc_refs[j] := rc[j] minus
//              the tallies of every worker (halved), which are zeroed again for the next
//              collection.
//   Then, in the common cases, the outcome is known without move_unreachable:
//     - every member has gc_refs > 0 or a member parent below it: everything is reachable, in
//       place (the reachable list is the set, in order; nothing is unreachable);
//     - no member has gc_refs > 0: nothing is reachable (the unreachable list is the set, in
//       order).
//   Otherwise:
//   3. record  (parallel; chunks): the member children of each member, by position, in the order
//              the trace hook reports them (an edge list per chunk, ends[i] marking i's end).
//   4. order   (one thread): move_unreachable itself, on positions: the same loop over the set,
//              the same tests in the same order, with the recorded edges in place of the trace
//              hook and a byte per position in place of the header marks.
//   5. apply   (one thread): survivors get their new indices, the garbage its list.
//
// Why the lists are the same. move_unreachable's decisions read only (a) gc_refs of each member,
// (b) for each member it scans, the members among its children in trace order, and (c) its own
// marks. Step 2 computes (a) exactly (a sum does not depend on the order of its terms). Step 3
// records (b) exactly: the edges of i come from i's trace hook (or the slots its type publishes,
// which debug builds check are the same children in the same order), filtered by the same
// membership test move_unreachable's visit applies (a child outside the set has no collecting
// mark, so visit_reachable ignores it), and a chunk's edges are read back by position whichever
// worker wrote them. Step 4 makes the same decisions in the same order on (c)'s stand-in, so it
// outputs the same lists. The two shortcuts: if every member has gc_refs > 0 or a member parent
// below it, then by induction on position every member is found reachable when the scan reaches
// it (a parent below was scanned before it and bumped it), so none is set aside, nothing is taken
// back, and the reachable list is the set in order. If no member has gc_refs > 0, the scan never
// finds anything reachable, so it sets every member aside in order and takes nothing back.
// tests/unit/collector_parallel_test.cpp compares both paths on random heaps, event by event, and
// the differential tests run with the workers forced on.
//
// Memory, kept between collections that use this path (Collector releases it after a full
// collection that does not): 4 bytes per member per worker (the tallies) plus 5 per member; and
// when steps 3-5 run, 4 per recorded edge plus 5 per member.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "pyheap/object.hpp"

namespace pyheap::gc {

class WorkerPool;

class RecordedPartition {
 public:
  struct Result {
    // false: no memory for the buffers (or a trace hook threw); nothing was changed, and the
    // caller runs the single-threaded passes instead.
    bool done = false;
    // Every member is reachable in place: `reachable` was not filled, the set itself is the
    // survivors' list, in order, and each member's index is already its position.
    bool unchanged = false;
    // Members whose type has a can_untrack hook (0 lets the caller skip untrack_survivors).
    std::size_t untrackable = 0;
    // Nothing is reachable: `unreachable` was not filled; the garbage is the set itself, in
    // order, every member still under the set's list id and indexed at its position.
    bool all_garbage = false;
    // The traits (kTrait...) of the garbage objects, or-ed together.
    std::uint8_t garbage_traits = 0;
  };
  // What step 1 notes about each member, for the steps after the partition (collector.cpp).
  static constexpr std::uint8_t kTraitLoud = 1;       // refers out of the set to a non-quiet object
  static constexpr std::uint8_t kTraitOutsider = 2;   // refers out of the set at all
  static constexpr std::uint8_t kTraitWeak = 4;       // a weak reference object, or weakly referenced
  static constexpr std::uint8_t kTraitFinalizer = 8;  // has a finalizer that has not run
  static constexpr std::uint8_t kTraitNoisy = 16;     // no silent destructor (tracer.hpp)

  RecordedPartition();
  ~RecordedPartition();

  // `set` holds the members (every object whose list id is `list`, each indexed at its position)
  // and possibly null slots. On success `reachable` (empty on entry) gets the survivors in
  // move_unreachable's order, each indexed at its new slot, and `unreachable` (empty on entry)
  // the garbage in its order; no object carries a mark. pool may be null (one worker).
  // subtracted() is called once gc_refs are known (the collector's step timing).
  template <class Subtracted>
  Result run(const std::vector<Object*>& set, int list, WorkerPool* pool, std::vector<Object*>& reachable,
             std::vector<Object*>& unreachable, Subtracted subtracted) noexcept {
    Result r = subtract(set, list, pool);
    subtracted();
    if (r.done && !r.unchanged) r.done = partition(pool, reachable, unreachable, r);
    return r;
  }

  // Gives back the buffers kept for the next run.
  void release_memory() noexcept;
  // Bytes held by the buffers.
  std::size_t memory() const noexcept;

 private:
  // A growable array of positions (malloc/realloc: no value-initialization, and the writer keeps
  // its end in a register).
  struct Edges {
    std::uint32_t* data = nullptr;
    std::size_t size = 0;
    std::size_t capacity = 0;
    Edges() = default;
    Edges(const Edges&) = delete;
    Edges& operator=(const Edges&) = delete;
    ~Edges();
    void reserve_more(std::size_t n);  // throws std::bad_alloc
    void release() noexcept;
  };
  struct alignas(64) Worker {
    std::vector<std::uint32_t> in;  // step 1: this worker's tally of member parents, by position
    Edges edges;                    // step 3: the edges of the chunks this worker recorded
    std::size_t untrackable = 0;
    bool failed = false;
  };
  struct Chunk {
    std::uint32_t worker;
    std::uint32_t begin;  // where the chunk's edges start in that worker's list
  };
  struct RangeResult {
    bool in_place;  // every member has gc_refs > 0 or a member parent below
    bool has_root;  // some member has gc_refs > 0
  };
  static constexpr std::size_t kChunk = 4096;

  Result subtract(const std::vector<Object*>& set, int list, WorkerPool* pool) noexcept;
  bool partition(WorkerPool* pool, std::vector<Object*>& reachable, std::vector<Object*>& unreachable,
                 Result& result) noexcept;
  void count(std::size_t w) noexcept;
  void sum() noexcept;
  RangeResult sum_range(std::size_t lo, std::size_t hi) noexcept;
  void record(std::size_t w) noexcept;
  void order();
  void apply(std::vector<Object*>& reachable, std::vector<Object*>& unreachable, std::uint8_t& traits);
  // The recorded children of position i (positions in the set).
  const std::uint32_t* edges_begin(std::size_t i) const noexcept;
  const std::uint32_t* edges_end(std::size_t i) const noexcept;

  // Inputs of the current run.
  const std::vector<Object*>* set_ = nullptr;
  int list_ = 0;
  std::size_t n_ = 0;
  std::size_t workers_ = 1;
  std::atomic<std::size_t> next_chunk_{0};
  std::atomic<std::size_t> next_range_{0};

  std::unique_ptr<Worker[]> worker_;
  std::size_t worker_count_ = 0;
  std::vector<RangeResult> ranges_;
  bool has_root_ = false;
  std::vector<Chunk> chunks_;
  std::vector<std::int32_t> rc_;      // count, then gc_refs, by position
  std::vector<std::uint8_t> traits_;  // kTrait... of each member
  std::vector<std::uint32_t> ends_;  // step 3: end of position i's edges in its chunk's list
  std::vector<std::uint8_t> mark_;   // step 4: move_unreachable's state of each position
  std::vector<std::uint32_t> reach_, tentative_, taken_back_;  // step 4's lists, by position
};

}  // namespace pyheap::gc
