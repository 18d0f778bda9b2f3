// Subtract-refs and move_unreachable of a large set on worker threads, with exactly the results
// and orders of the collector's single-threaded passes (collector.cpp). Used by Collector for
// sets of at least parallel_threshold() objects when workers() > 1 (collector.hpp).
//
// The single-threaded passes are CPython's: update_and_subtract_refs leaves in each member's
// gc_refs its count minus the references from other members; move_unreachable then walks the set
// in order, and its output orders (the reachable list and the unreachable list) are observable
// (they decide in which order garbage is cleared, hence which weak reference callbacks run). Only
// the first pass parallelizes as it is. So this class splits the work differently:
//
//   1. record  (parallel, chunks of positions handed out dynamically): for each member i, its
//              count rc[i] and the positions of its children that are members, in the order the
//              trace hook reports them (an edge list per chunk, ends[i] marking i's end). Objects
//              are only read.
//   2. count   (parallel, one contiguous range of positions per worker, handed out dynamically):
//              whoever takes a range reads all edges and, for the targets in its range, decrements
//              rc (so rc[j] becomes j's gc_refs) and notes whether j has a member parent at a lower
//              position. No two workers write the same element; no atomic read-modify-write.
//   3. order   (one thread): move_unreachable itself, on positions: the same loop over the set,
//              the same tests in the same order, with the recorded edges in place of the trace
//              hook and a byte per position in place of the header marks. Skipped when every
//              member is reachable in place (below).
//   4. apply   (one thread): survivors get their new indices, the garbage its list.
//
// Why the orders are identical. move_unreachable's decisions read only (a) gc_refs of each member,
// (b) for each member it scans, the members among its children in trace order, and (c) its own
// marks. Step 2 computes (a) exactly (a sum does not depend on the order of its terms). Step 1
// records (b) exactly: the edges of i come from i's trace hook (or the slots its type publishes,
// which debug builds check are the same children in the same order), filtered by the same
// membership test move_unreachable's visit applies (a child outside the set has no collecting
// mark, so visit_reachable ignores it), and a chunk's edges are read back by position whichever
// worker wrote them. Step 3 then makes the same decisions in the same order on (c)'s stand-in, so
// it outputs the same lists. Step 3 is skipped only when the outcome is known to be the identity
// (reachable = the set in order, unreachable empty): that holds iff every member has gc_refs > 0
// or a member parent at a lower position. (If so, by induction on position every member is
// reachable when move_unreachable's scan reaches it, so none is set aside and nothing is ever
// taken back. If not, the first member without either is set aside when the scan reaches it,
// since nothing scanned before it points to it, and it either stays garbage or is taken back
// and moves to the end: not the identity.) tests/unit/collector_parallel_test.cpp compares both
// paths on random graphs, and the differential tests run with the workers forced on.
//
// Memory: 4 bytes per recorded edge plus 10 bytes per member, kept between collections that use
// this path (Collector releases it after a collection that does not).
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
    // false: no memory for the record (or a trace hook threw); nothing was changed, and the
    // caller runs the single-threaded passes instead.
    bool done = false;
    // Every member is reachable in place: `reachable` was not filled, the set itself is the
    // survivors' list, in order, and each member's index is already its position.
    bool unchanged = false;
    // Members whose type has a can_untrack hook (0 lets the caller skip untrack_survivors).
    std::size_t untrackable = 0;
    // Some garbage object refers outside the set to an object that is not quiet
    // (gc::quiet_outsider): the garbage must then be freed by the reference-count cascade.
    bool garbage_loud = false;
  };

  RecordedPartition();
  ~RecordedPartition();

  // `set` holds the members (every object whose list id is `list`, each indexed at its position)
  // and possibly null slots. On success `reachable` (empty on entry) gets the survivors in
  // move_unreachable's order, each indexed at its new slot, and `unreachable` (empty on entry)
  // the garbage in its order; no object carries a mark. pool may be null (one worker).
  // subtracted() is called between steps 2 and 3 (the collector's step timing).
  template <class Subtracted>
  Result run(const std::vector<Object*>& set, int list, WorkerPool* pool, std::vector<Object*>& reachable,
             std::vector<Object*>& unreachable, Subtracted subtracted) noexcept {
    Result r = subtract(set, list, pool);
    subtracted();
    if (r.done && !r.unchanged) r.done = order_and_apply(reachable, unreachable, r.garbage_loud);
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
    Edges edges;  // the edges of the chunks this worker recorded
    std::size_t untrackable = 0;
    bool failed = false;
  };
  struct Chunk {
    std::uint32_t worker;
    std::uint32_t begin;  // where the chunk's edges start in that worker's list
  };
  static constexpr std::size_t kChunk = 4096;

  Result subtract(const std::vector<Object*>& set, int list, WorkerPool* pool) noexcept;
  bool order_and_apply(std::vector<Object*>& reachable, std::vector<Object*>& unreachable, bool& loud) noexcept;
  void record(std::size_t w) noexcept;
  void count() noexcept;
  bool count_range(std::size_t lo, std::size_t hi) noexcept;
  void order();
  void apply(std::vector<Object*>& reachable, std::vector<Object*>& unreachable, bool& loud);
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
  std::vector<std::uint8_t> range_in_place_;  // step 2's test passed for every member of range r

  std::unique_ptr<Worker[]> worker_;
  std::size_t worker_capacity_ = 0;
  std::vector<Chunk> chunks_;
  std::vector<std::int32_t> rc_;     // count, then gc_refs, by position
  std::vector<std::uint32_t> ends_;  // end of position i's edges in its chunk's list
  std::vector<std::uint8_t> mark_;   // step 2: has a member parent below; step 3: scan state
  std::vector<std::uint8_t> loud_;   // step 1: refers outside the set to a non-quiet object
  std::vector<std::uint32_t> reach_, tentative_, taken_back_;  // step 3's lists, by position
};

}  // namespace pyheap::gc
