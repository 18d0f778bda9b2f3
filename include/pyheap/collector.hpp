// pyheap/collector.hpp — the generational cycle collector, with CPython 3.11's semantics.
//
// Containers (types with a trace hook) are tracked in generation lists 0, 1, 2 and a permanent
// generation (freeze). New containers enter generation 0. collect(G) examines generations 0..G
// together:
//   1. gc_refs := refcnt for each examined object; for each reference between examined objects,
//      gc_refs of the target -= 1. What is left counts references from outside.
//   2. Objects with gc_refs > 0 and everything they reach are reachable; they move on to
//      generation G+1 (generation 2 stays 2).
//   3. Weak references to the unreachable objects are cleared; callbacks run for weak reference
//      objects outside the garbage (CPython's handle_weakrefs).
//   4. Finalizers of unreachable objects run, each at most once in an object's life (PEP 442).
//   5. Steps 1-2 are repeated on the unreachable set: objects a finalizer resurrected (and what
//      they reach) move to generation G+1.
//   6. What is still unreachable is counted (the value collect returns, as gc.collect does) and
//      broken apart by clearing every reference with the trace hook, in list order; what dies
//      dies by reference counting, in CPython's order (destructors, weak reference callbacks and
//      finalizers of objects outside the garbage run exactly when they would there), but the
//      blocks of the garbage itself are given back to the allocator together at the end, pool by
//      pool, instead of one free per death.
// Steps 1-2 of a set of at least parallel_threshold() objects run on workers() threads (the
// heap's own thread and a pool the collector starts on first need), with the same results and
// the same list orders as on one thread (src/gc/recorded_partition.hpp says why); the other steps
// run user code and stay on the heap's thread.
// Automatic collection keeps CPython's thresholds (700, 10, 10) and counts (a container's make
// adds one to count()[0], its free takes one off; collection of generation G adds one to G+1's),
// on one of two schedules (GcSchedule, set_schedule):
//   Scaled (the default): a young collection waits until count()[0] exceeds both threshold 0 and
//     a quarter of the long-lived objects (the survivors of the last full collection: CPython
//     3.13's free-threaded rule), and a full collection until generation 2 has *grown* by more
//     than a quarter of the long-lived objects since the last full one (objects promoted into it
//     that died meanwhile do not count; cyclic garbage does, as it stays). On a large heap this
//     keeps young collections from examining, again and again, objects that are still being
//     built, and full ones from rescanning it for promotions that are already gone
//     (docs/design.md, "Automatic collection").
//   CPython311: exactly CPython 3.11's rule: a young collection when count()[0] exceeds
//     threshold 0, and a full one when the objects promoted into generation 2 since the last full
//     collection exceed a quarter of the long-lived ones.
// The schedule decides only when automatic collections run; what collect(G) finds is the same.
//
// Invariants (between collections):
//   - a tracked object is in exactly one list, at the index its collector word records; the
//     lists keep CPython's order (append at the end, removal leaves a hole, compacted later);
//   - no object carries a collection mark; the unreachable working list is empty.
// During a collection user code (callbacks, finalizers) may allocate, drop and store references
// and ask for collections; nested requests return 0 as CPython's do. An object freed while it sits
// in the working list leaves a null slot there, which the later steps skip.
//
// A CollectionObserver (set_observer) is told what each step above found, at the step's end: the
// figures a teaching tool draws (pyheap run --view) come from the collection that really ran.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pyheap/internal/export.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"

namespace pyheap {

class Heap;
namespace detail {
class GarbageSummaryBuilder;  // src/gc/garbage_summary.hpp
struct CollectorAccess;       // pyheap/internal/access.hpp
}
namespace gc {
class WorkerPool;          // src/gc/worker_pool.hpp
class RecordedPartition;  // src/gc/recorded_partition.hpp
}

inline constexpr int kNumGenerations = 3;

// When automatic collections run (the top of this file).
enum class GcSchedule { Scaled, CPython311 };

struct GenerationStats {
  std::uint64_t collections = 0;
  std::uint64_t collected = 0;
  std::uint64_t uncollectable = 0;
  double seconds = 0;  // total time spent collecting this generation
  double longest = 0;  // the longest single collection of this generation (its pause), seconds
  std::uint64_t parallel = 0;  // collections whose steps 1-2 ran on the worker threads
};

enum class GcPhase { Start, Stop };

// The steps of a collection (see the top of this file), for Collector::step_seconds: merge the
// younger generations; subtract internal references (step 1); mark what is reachable and order
// the two lists (step 2); partition (list the garbage, untrack atomic survivors, move survivors
// on); weak references (3); finalizers (4); the resurrection check (5); count, clear and free (6).
enum class GcStep { Merge, Subtract, Mark, Partition, Weakrefs, Finalizers, Resurrection, Free };
inline constexpr int kNumGcSteps = 8;

// What one collection found unreachable, summarized before it was freed: the objects the
// collection counts (the tracked containers it broke apart, plus weak reference objects that died
// in their callback phase), not what their destruction released in turn. Bytes are block_request:
// what make passed to the allocator, as tracing counts them.
struct PYHEAP_API GarbageSummary {
  struct Row {
    std::string type;
    std::string site;  // "file:line" in by_site, empty in by_type
    std::size_t count = 0;
    std::size_t bytes = 0;
  };
  std::size_t objects = 0;  // == CollectionInfo::collected
  std::size_t bytes = 0;
  std::vector<Row> by_type;  // bytes, then count, largest first
  std::vector<Row> by_site;  // the traced objects among them (tracing.hpp), same order
  std::size_t untraced = 0;  // objects without a site: tracing off, or made before it started

  // "garbage: 3 objects, 96 bytes" then one indented line per type and per site, each line
  // starting with `prefix`.
  std::string format(std::string_view prefix = "") const;
};

struct CollectionInfo {
  int generation = 0;
  std::size_t collected = 0;      // valid in Stop
  std::size_t uncollectable = 0;  // valid in Stop (always 0: pyheap has no legacy finalizers)
  double seconds = 0;             // valid in Stop
  // Valid in Stop, for the duration of the callback: what the garbage was. Null in Start, and
  // when the summary could not be made (out of memory). Built only when a callback is registered.
  const GarbageSummary* garbage = nullptr;
};

// Watches the phases of every collection that runs (not the nested requests that return 0), in
// this order, each reported once per collection at the phase's end:
//
//   examined      generations 0..G merged: the objects the collection examines (its input set)
//   gc_refs       gc_refs[i] of examined[i] after the internal references were subtracted
//                 (what is left counts references from outside the set)
//   partitioned   the reachable survivors (gc_refs > 0 and what they reach, before they move on
//                 and before tuples/dicts are untracked) and the unreachable set
//   weakrefs      weak references cleared because their referent is unreachable: those that are
//                 garbage themselves (cleared, never called), those outside it (all cleared), and
//                 among the latter the ones whose callbacks are about to run
//   finalizing    the unreachable objects whose finalizers are about to run (PEP 442: not yet run)
//   resurrected   objects the finalizers made reachable again (with what they reach): they
//                 leave the unreachable set and survive
//   freeing       the garbage about to be broken apart (count = collected minus the weak
//                 reference objects that died in their own callback, reported as a number)
//   finished      collect's result
//
// Every phase is reported, with empty spans when there is nothing to say. The spans and the
// objects in them are valid during the call only (a callback or finalizer may free objects
// afterwards); the order inside a span is the collector's internal order and not promised.
// Observers read: they must not create, drop or store references, run collections, or throw
// (an exception is reported to the heap's unraisable hook and the collection goes on).
//
// Cost: one test of a pointer per phase when no observer is set. With an observer, the collector
// builds the phases' spans in extra passes over the working sets, so a collection's results and
// orders are the same with and without it. An implementation of the collector that frees in bulk
// or marks in parallel keeps the contract by reporting at the same phase boundaries.
class PYHEAP_API CollectionObserver {
 public:
  struct Weakrefs {
    std::span<Object* const> in_garbage;      // weak reference objects that are garbage
    std::span<Object* const> outside;         // live weak references to garbage, now cleared
    std::span<Object* const> callbacks;       // those of `outside` whose callbacks will run
  };

  virtual ~CollectionObserver() = default;
  virtual void examined(int /*generation*/, std::span<Object* const> /*objects*/) {}
  virtual void gc_refs(std::span<Object* const> /*objects*/, std::span<const std::int32_t> /*gc_refs*/) {}
  virtual void partitioned(std::span<Object* const> /*reachable*/, std::span<Object* const> /*unreachable*/) {}
  virtual void weakrefs(const Weakrefs& /*cleared*/) {}
  virtual void finalizing(std::span<Object* const> /*objects*/) {}
  virtual void resurrected(std::span<Object* const> /*objects*/) {}
  virtual void freeing(std::span<Object* const> /*garbage*/, std::size_t /*weakrefs_freed_by_callbacks*/) {}
  virtual void finished(std::size_t /*collected*/) {}
};

class PYHEAP_API Collector {
 public:
  using Callback = std::function<void(GcPhase, const CollectionInfo&)>;

  explicit Collector(Heap& heap);
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Collects generations 0..generation and returns the number of unreachable objects found.
  // Returns 0 without doing anything when called during a collection.
  std::size_t collect(int generation = kNumGenerations - 1);

  void enable() noexcept {
    enabled_ = true;
    update_young_limit();
  }
  void disable() noexcept {
    enabled_ = false;
    update_young_limit();
  }
  bool is_enabled() const noexcept { return enabled_; }
  bool is_collecting() const noexcept { return collecting_; }

  void set_threshold(int threshold0, int threshold1 = -1, int threshold2 = -1) noexcept;
  std::array<int, kNumGenerations> threshold() const noexcept { return threshold_; }
  std::array<std::size_t, kNumGenerations> count() const noexcept { return count_; }
  void set_schedule(GcSchedule schedule) noexcept {
    schedule_ = schedule;
    update_young_limit();
  }
  GcSchedule schedule() const noexcept { return schedule_; }
  // What count()[0] must exceed for the next allocation of a container to start an automatic
  // collection (the schedule's young rule); SIZE_MAX when automatic collection is off.
  std::size_t young_limit() const noexcept { return young_limit_; }

  // Moves every tracked object into the permanent generation, which collections ignore.
  void freeze();
  // Moves the permanent generation back into the oldest generation.
  void unfreeze();
  std::size_t freeze_count() const noexcept { return live_size(kPermanent); }

  int add_callback(Callback cb);
  void remove_callback(int id);

  std::array<GenerationStats, kNumGenerations> stats() const noexcept { return stats_; }

  // At most one observer; null removes it. The observer must outlive its registration.
  void set_observer(CollectionObserver* observer) noexcept { observer_ = observer; }
  CollectionObserver* observer() const noexcept { return observer_; }
  // Worker threads. A collection that examines at least parallel_threshold() objects runs its
  // subtract and mark steps on workers() threads: the heap's own thread plus workers() - 1 that
  // the collector starts the first time it needs them and keeps, blocked, until it is destroyed
  // or the count changes (with workers() == 1 it runs them the same way on its own thread; a
  // smaller set takes the two walks of CPython's algorithm on the heap's thread). Results and
  // orders do not depend on either setting (src/gc/recorded_partition.hpp).
  // set_workers(0) (the default) means std::thread::hardware_concurrency(); 1: never any thread.
  static constexpr std::size_t kDefaultParallelThreshold = std::size_t{1} << 16;
  void set_workers(unsigned n) noexcept;
  unsigned workers() const noexcept { return workers_; }
  // 0 sends every collection through the worker threads (tests do, to exercise that path).
  void set_parallel_threshold(std::size_t objects) noexcept { parallel_threshold_ = objects; }
  std::size_t parallel_threshold() const noexcept { return parallel_threshold_; }
  // What heaps made from now on start with (process-wide; defaults 0 and
  // kDefaultParallelThreshold): how a test run forces the workers on for every heap.
  static void set_default_workers(unsigned n) noexcept;
  static void set_default_parallel_threshold(std::size_t objects) noexcept;
  // How many times one of the worker threads (not the heap's own) took part in a parallel step
  // since the threads started: whether the machine really ran them (a thread that is not
  // scheduled in time is not waited for, and the heap's thread does the work).
  std::uint64_t worker_joins() const noexcept;

  // Wall time of each step (GcStep) of the last collection, recorded while step timing is on
  // (off by default; then a collection reads the clock only for its total).
  void set_step_timing(bool on) noexcept { step_timing_ = on; }
  const std::array<double, kNumGcSteps>& step_seconds() const noexcept { return step_seconds_; }

  // Introspection, as the gc module's functions of the same names. generation -1: all of 0..2.
  std::vector<Ref<Object>> get_objects(int generation = -1) const;
  std::vector<Ref<Object>> get_referrers(const Object* target) const;
  std::vector<Ref<Object>> get_referents(Object* o) const;
  bool is_tracked(const Object* o) const noexcept;
  // Which list holds a tracked object: 0..2, 3 for the permanent generation, -1 if untracked.
  int generation_of(const Object* o) const noexcept;
  std::size_t tracked_count() const noexcept;

  // DEBUG_SAVEALL: garbage is kept in garbage() instead of being cleared.
  void set_debug_saveall(bool on) noexcept { saveall_ = on; }
  std::vector<Ref<Object>>& garbage() noexcept { return garbage_; }

  // Walks every list and checks the invariants above; level 2 also checks each object's index.
  bool is_valid(int level) const;

 private:
  // --- used by Heap, and by the containers through detail::CollectorAccess ------------------
  friend class Heap;
  friend struct detail::CollectorAccess;
  // Inline, in pyheap/internal/gc_word.hpp (which every caller includes).
  inline void track(Object* o);            // into generation 0; o's type must have a trace hook
  inline void untrack(Object* o) noexcept; // from whatever list holds it
  void untrack_hole(int id, std::uint32_t i) noexcept;  // untrack's rarer half
  // Counts toward the young limit and may collect: one add and one compare inline, the
  // collection out of line.
  void on_container_allocated() {
    if (++count_[0] > young_limit_) [[unlikely]] collect_automatically();
  }
  void on_container_freed() noexcept { count_[0] -= count_[0] != 0; }
  void collect_automatically();
  // young_limit_ from the thresholds, the schedule, enabled_ and the long-lived objects.
  void update_young_limit() noexcept;
  void release_all_for_teardown();
  // While the garbage is being cleared (step 6), a garbage object that dies is not freed on its
  // own: Heap::destroy asks frees_in_bulk, then marks it untracked with leave_for_bulk_free
  // instead of untrack (its slot in the working list stays), runs ~T(), and hands the block to
  // free_in_bulk, which records it in the object's collector word; the collector frees the
  // recorded blocks together when the clearing is over.
  bool frees_in_bulk(const Object* o) const noexcept {
    return bulk_free_ && (o->ob_.gc_state & detail::kGcListMask) == kUnreachable;
  }
  void leave_for_bulk_free(Object* o) noexcept { o->ob_.gc_state = detail::kGcUntracked; }
  void free_in_bulk(Object* o, std::size_t bytes, std::size_t block_offset) noexcept;

  static constexpr int kPermanent = 3;
  static constexpr int kUnreachable = 4;
  static constexpr int kNumLists = 5;

  // requested: collect() was called (not an automatic collection); see the purge step inside.
  std::size_t collect_with_callbacks(int generation, bool requested);
  std::size_t collect_main(int generation);
  void collect_generations();
  void move_to(Object* o, int list);
  void invoke_callbacks(GcPhase phase, const CollectionInfo& info);
  void tally_garbage(const Object* o) noexcept;
  std::size_t handle_weakrefs(int old_list);
  void finalize_garbage();
  void handle_resurrected(int old_list);
  void delete_garbage(int old_list);
  void update_and_subtract_refs(const std::vector<Object*>& set, int list);
  std::size_t move_unreachable(const std::vector<Object*>& set, std::vector<Object*>& reachable,
                        std::vector<Object*>& unreachable);
  void compact(int list) noexcept;
  void append_list(int from, int to);
  void untrack_survivors(std::vector<Object*>& young, int generation) noexcept;
  struct Partition {
    std::size_t untrackable = 0;
    bool unchanged = false;    // the set is the survivors' list as it is
    bool all_garbage = false;  // the set is the garbage as it is
    bool traits_known = false;  // the worker path noted the garbage's traits
    std::uint8_t traits = 0;
  };
  bool frees_silently() const noexcept;
  void free_silently() noexcept;
  // report_refs: tell the observer, if any, the gc_refs between the two walks.
  Partition partition(const std::vector<Object*>& set, int list, std::vector<Object*>& reachable,
                      std::vector<Object*>& unreachable, bool report_refs = true);
  void index_garbage(const Partition& part) noexcept;
  void free_garbage_blocks() noexcept;
  std::size_t live_size(int list) const noexcept { return lists_[list].size() - holes_[list]; }
  template <class Report>
  void observe(const char* phase, Report&& report) noexcept;
  void observe_weakrefs();
  void observe_finalizing();
  void observe_freeing(std::size_t weakrefs_freed);

  Heap& heap_;
  std::array<std::vector<Object*>, kNumLists> lists_;
  // Null slots left in each list by untrack(): removal keeps the order of the others, because
  // CPython's linked lists do and that order decides which weak reference callbacks run.
  std::array<std::size_t, kNumLists> holes_{};
  // Reused by every collection, so that a collection of a large heap does not allocate (and
  // fault in) fresh lists each time: objects move_unreachable takes back, and its outputs.
  std::vector<Object*> taken_back_, reachable_, still_;
  std::array<int, kNumGenerations> threshold_{700, 10, 10};
  std::array<std::size_t, kNumGenerations> count_{};
  std::array<GenerationStats, kNumGenerations> stats_{};
  std::size_t long_lived_total_ = 0;
  std::size_t long_lived_pending_ = 0;  // promotions into generation 2 (the CPython311 schedule)
  std::size_t young_limit_ = 700;       // update_young_limit()
  GcSchedule schedule_ = GcSchedule::Scaled;
  bool enabled_ = true;
  bool collecting_ = false;
  bool saveall_ = false;
  std::vector<std::pair<int, Callback>> callbacks_;
  int next_callback_id_ = 1;
  std::vector<Ref<Object>> garbage_;
  // Set while a collection with callbacks runs: the garbage is tallied here before it is freed.
  detail::GarbageSummaryBuilder* summary_ = nullptr;
  CollectionObserver* observer_ = nullptr;
  // The observer's view of the weak references to garbage (observe_weakrefs).
  std::vector<Object*> observed_in_garbage_, observed_outside_;
  // What the garbage holds, noted while it is listed (index_garbage): steps 3-5 skip their
  // passes when it has nothing for them.
  bool garbage_has_weakrefs_ = false;    // weak reference objects, or objects weakly referenced
  bool garbage_has_finalizers_ = false;  // objects whose finalizer has not run
  bool garbage_silent_ = false;          // every object promises a silent destructor
  bool garbage_loud_ = false;            // some object refers to something that is not quiet
  bool garbage_outsiders_ = true;        // some object refers to something outside the set
  bool garbage_listed_ = true;           // the working list's objects have its list id and indices
  // Set when a weak reference callback or a finalizer ran in this collection: only then can the
  // garbage have changed since it was partitioned (resurrection, objects freed).
  bool user_code_ran_ = false;
  bool bulk_free_ = false;  // step 6 is clearing the garbage (frees_in_bulk)
  bool parallel_used_ = false;  // this collection's steps 1-2 ran on the worker threads
  bool recorded_used_ = false;  // ... or on this thread alone, the same way (workers() == 1)
  unsigned workers_ = 0;
  std::size_t parallel_threshold_ = kDefaultParallelThreshold;
  bool step_timing_ = false;
  std::array<double, kNumGcSteps> step_seconds_{};
  double step_clock_ = 0;  // when the step being timed began
  void end_step(GcStep step) noexcept;
  std::unique_ptr<gc::WorkerPool> pool_;
  std::unique_ptr<gc::RecordedPartition> recorded_;
};

}  // namespace pyheap
