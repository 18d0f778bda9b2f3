// The cycle collector. See include/pyheap/collector.hpp for the algorithm and its invariants and
// docs/design.md for why the generations are vectors rather than CPython's linked lists. The
// collector's view of an object (its GcWord, list id and children) is in gc/gc_object.hpp; the
// parallel version of steps 1-2 in gc/recorded_partition.hpp.
#include "pyheap/collector.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <thread>

#include "gc/garbage_summary.hpp"
#include "gc/gc_object.hpp"
#include "gc/recorded_partition.hpp"
#include "gc/worker_pool.hpp"
#include "pyheap/internal/gc_word.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/internal/check.hpp"
#include "trace/trace_state.hpp"

namespace pyheap {

using gc::list_of;
using gc::set_list;
using gc::state;
using gc::word;

namespace gc {
void check_published_refs(Object* o, const TypeInfo& ti) noexcept {
  if (!ti.refs_published) return;
  // Walks the published references (the slots, then the array; empty ones skipped: trace reports
  // non-null references only) alongside what trace reports.
  struct Cursor {
    Object* o;
    const TypeInfo* ti;
    std::span<const Ref<Object>> array;
    std::size_t slot = 0, element = 0;
    bool same = true;
    Object* next() {
      for (; slot < ti->ref_offsets.size(); ++slot)
        if (Object* c = detail::ref_slot(o, ti->ref_offsets[slot])) return ++slot, c;
      for (; element < array.size(); ++element)
        if (Object* c = array[element].get()) return ++element, c;
      return nullptr;
    }
  } cur{o, &ti, ti.ref_array ? ti.ref_array(o) : std::span<const Ref<Object>>{}};
  Tracer compare(
      Tracer::Mode::Visit,
      [](Object* child, void* c) {
        auto& x = *static_cast<Cursor*>(c);
        if (x.next() != child) x.same = false;
      },
      &cur);
  ti.trace(o, compare);
  PYHEAP_CHECK(cur.same && cur.next() == nullptr,
               "%s: its ref_members / ref_array are not the references its trace() reports, in the same order",
               ti.qualified_name.c_str());
}
}  // namespace gc

namespace {
// Calls visit(o) for every object of `set` in order, skipping holes; on sets of
// kPrefetchMinObjects or more it first prefetches the children of the object kPrefetchDistance
// slots ahead, in the stretches where it pays (gc::children_far). Both walks of a
// collection (subtract_refs, move_unreachable) go through here.
template <class Visit>
inline void walk_set(const std::vector<Object*>& set, Visit&& visit) {
  const bool large = set.size() >= gc::kPrefetchMinObjects;
  for (std::size_t start = 0; start < set.size(); start += gc::kLocalityStretch) {
    const std::size_t end = std::min(set.size(), start + gc::kLocalityStretch);
    if (large && gc::children_far(set, start, end)) {
      for (std::size_t i = start; i < end; ++i) {
        if (i + gc::kPrefetchDistance < set.size()) {
          if (Object* ahead = set[i + gc::kPrefetchDistance]) gc::prefetch_children(ahead);
        }
        if (Object* o = set[i]) visit(o);
      }
    } else {
      for (std::size_t i = start; i < end; ++i)
        if (Object* o = set[i]) visit(o);
    }
  }
}

// Debug levels >= 1: objects of two heaps must not reference each other (README, "Rules a program
// must keep"). Such a reference would make this collection count, mark and perhaps clear an
// object of the other heap, whose lists and words it does not own. Checked over the set a
// collection examines, before the collection changes anything, naming both types; the cost is
// one more trace of each examined object and Heap::of per edge, in debug builds only.
void check_heap_boundaries(const Heap& heap, const std::vector<Object*>& set) {
  struct Ctx {
    const Heap* heap;
    const Object* parent;
  } ctx{&heap, nullptr};
  Tracer check(
      Tracer::Mode::Visit,
      [](Object* child, void* c) {
        const auto& x = *static_cast<const Ctx*>(c);
        const Heap& other = Heap::of(child);
        PYHEAP_CHECK(&other == x.heap,
                     "a %s of heap %p references a %s of heap %p: objects of two heaps must not "
                     "reference each other",
                     type_of(*x.parent).name.c_str(), static_cast<const void*>(x.heap),
                     type_of(*child).name.c_str(), static_cast<const void*>(&other));
      },
      &ctx);
  for (Object* o : set) {
    if (o == nullptr) continue;
    ctx.parent = o;
    gc::call_trace(o, check);
  }
}

// A dead object waiting for free_garbage_blocks: its collector word's index is kFreedIndex plus
// how far before the object its block starts (no list is that long), and its refs hold the size
// the block was allocated with.
constexpr std::uint32_t kFreedIndex = 0xffffff00u;
inline bool freed(const gc::GcWord& w) noexcept { return w.index >= kFreedIndex; }

// Releases the collecting flag even when a callback throws std::bad_alloc through collect().
struct CollectingScope {
  bool& flag;
  explicit CollectingScope(bool& f) : flag(f) { flag = true; }
  ~CollectingScope() { flag = false; }
};
}  // namespace

namespace {
std::atomic<unsigned> default_workers{0};
std::atomic<std::size_t> default_parallel_threshold{Collector::kDefaultParallelThreshold};
}  // namespace

void Collector::set_default_workers(unsigned n) noexcept { default_workers.store(n, std::memory_order_relaxed); }
void Collector::set_default_parallel_threshold(std::size_t objects) noexcept {
  default_parallel_threshold.store(objects, std::memory_order_relaxed);
}

Collector::Collector(Heap& heap)
    : heap_(heap), parallel_threshold_(default_parallel_threshold.load(std::memory_order_relaxed)) {
  set_workers(default_workers.load(std::memory_order_relaxed));
}
Collector::~Collector() = default;

std::uint64_t Collector::worker_joins() const noexcept { return pool_ ? pool_->joins() : 0; }

void Collector::set_workers(unsigned n) noexcept {
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  if (n == workers_) return;
  workers_ = n;
  pool_.reset();  // joins the old threads; a new pool starts on the next parallel collection
}

// ---- list membership ----------------------------------------------------------------------------

// track and untrack are inline (pyheap/internal/gc_word.hpp); this is untrack's rarer half: slot i
// of list id was just emptied, and it is not the last slot or holes come before it.
void Collector::untrack_hole(int id, std::uint32_t i) noexcept {
  auto& list = lists_[id];
  if (i + 1 == list.size()) {
    list.pop_back();
    while (!list.empty() && list.back() == nullptr) {
      list.pop_back();
      --holes_[id];
    }
  } else if (++holes_[id] > 32 && holes_[id] * 2 > list.size()) {
    compact(id);
  }
}

// Moves every object of list `from` to the end of list `to`, keeping their order (CPython's
// gc_list_merge), and leaves `from` empty without holes.
void Collector::append_list(int from, int to) {
  auto& src = lists_[from];
  auto& dst = lists_[to];
  dst.reserve(dst.size() + src.size() - holes_[from]);
  for (Object* o : src) {
    if (!o) continue;
    dst.push_back(o);
    set_list(o, to, dst.size() - 1);
  }
  src.clear();
  holes_[from] = 0;
}

void Collector::compact(int id) noexcept {
  // Without holes every index is already its position: skip a pass over every object (the
  // full collection of a large old generation would otherwise touch it once more for nothing).
  if (holes_[id] == 0) return;
  auto& list = lists_[id];
  std::size_t keep = 0;
  for (Object* o : list) {
    if (!o) continue;
    list[keep] = o;
    word(o).index = static_cast<std::uint32_t>(keep++);
  }
  list.resize(keep);
  holes_[id] = 0;
}

void Collector::move_to(Object* o, int list) {
  untrack(o);
  auto& dst = lists_[list];
  dst.push_back(o);
  set_list(o, list, dst.size() - 1);
}

// count_[0] passed young_limit_, which is finite only while automatic collection is on.
void Collector::collect_automatically() {
  if (collecting_ || !enabled_) return;  // a finalizer's allocation: the count waits for the next one
  CollectingScope scope(collecting_);
  collect_generations();
}

void Collector::update_young_limit() noexcept {
  if (!enabled_ || threshold_[0] <= 0) {
    young_limit_ = SIZE_MAX;
    return;
  }
  const auto t0 = static_cast<std::size_t>(threshold_[0]);
  const std::size_t scaled = long_lived_total_ / 4;
  young_limit_ = schedule_ == GcSchedule::Scaled && scaled > t0 ? scaled : t0;
}

void Collector::set_threshold(int t0, int t1, int t2) noexcept {
  threshold_[0] = t0;
  if (t1 >= 0) threshold_[1] = t1;
  if (t2 >= 0) threshold_[2] = t2;
  update_young_limit();
}

// ---- collection ---------------------------------------------------------------------------------

std::size_t Collector::collect(int generation) {
  if (generation < 0 || generation >= kNumGenerations)
    throw std::invalid_argument("pyheap: collect() generation must be 0, 1 or 2");
  if (collecting_) return 0;
  CollectingScope scope(collecting_);
  return collect_with_callbacks(generation, true);
}

void Collector::collect_generations() {
  for (int i = kNumGenerations - 1; i >= 0; --i) {
    if (count_[i] > static_cast<std::size_t>(threshold_[i])) {
      // A full collection is quadratic-prone on growing heaps; it waits until the objects
      // pending promotion exceed 25% of the long-lived ones (CPython, issue #4074). Scaled counts
      // what generation 2 really grew by: promotions that died since are not pending.
      if (i == kNumGenerations - 1) {
        const std::size_t old_now = live_size(kNumGenerations - 1);
        const std::size_t pending = schedule_ == GcSchedule::CPython311 ? long_lived_pending_
                                    : old_now > long_lived_total_       ? old_now - long_lived_total_
                                                                        : 0;
        if (pending < long_lived_total_ / 4) continue;
      }
      collect_with_callbacks(i, false);
      break;
    }
  }
}

std::size_t Collector::collect_with_callbacks(int generation, bool requested) {
  invoke_callbacks(GcPhase::Start, CollectionInfo{generation, 0, 0, 0});
  // The garbage is tallied only for someone to read it: with no callback, collections pay nothing.
  std::optional<detail::GarbageSummaryBuilder> builder;
  if (!callbacks_.empty()) builder.emplace(heap_.tracing());
  struct SummaryScope {  // a collection that throws must not leave a dangling builder behind
    detail::GarbageSummaryBuilder*& slot;
    ~SummaryScope() { slot = nullptr; }
  } scope{summary_};
  summary_ = builder ? &*builder : nullptr;
  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t n = collect_main(generation);
  // The allocator's purge step (docs/design.md section 1), inside the pause. A full collect() the
  // program asked for returns every emptied pool to the OS at once; an automatic collection returns
  // those that have waited the purge delay (an allocation-heavy program runs automatic full
  // collections every few milliseconds, and purging everything at each made binary-trees fault
  // its pools back in: 27,000 more page faults at depth 16).
  if (requested && generation == kNumGenerations - 1) heap_.allocator().purge(); else heap_.allocator().purge_expired();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  GenerationStats& s = stats_[generation];
  ++s.collections;
  s.collected += n;
  s.seconds += secs;
  if (secs > s.longest) s.longest = secs;
  std::optional<GarbageSummary> summary;
  if (builder && summary_ != nullptr) {
    try {
      summary = builder->finish();
    } catch (const std::bad_alloc&) {
    }
  }
  // Every counted object was tallied, unless tallying ran out of memory on the way.
  PYHEAP_ASSERT(!summary || summary->objects == n);
  invoke_callbacks(GcPhase::Stop, CollectionInfo{generation, n, 0, secs, summary ? &*summary : nullptr});
  return n;
}

void Collector::tally_garbage(const Object* o) noexcept {
  if (summary_ == nullptr) return;
  try {
    summary_->add(o);
  } catch (const std::bad_alloc&) {
    summary_ = nullptr;  // no summary for this collection rather than a wrong one
  }
}

// gc_refs := refcnt, minus the references from inside the set: what is left counts references
// from outside. Marks every member kGcCollecting.
//
// One pass, not CPython's two (update_refs, then subtract_refs): a member's gc_refs is set from
// its count the first time the walk meets it, as a parent or as a child, and kGcCollecting records
// that it was. Membership is the list id: every object whose list id is `list` is in `set` (the
// collector's lists invariant), and nothing carries kGcCollecting before the walk (no marks
// between collections; handle_resurrected's set was re-listed without flags). Every member is a
// parent once, so all are initialised and flagged when the walk ends. The result is the same as
// with two passes; a large live heap is walked one time less.
void Collector::update_and_subtract_refs(const std::vector<Object*>& set, int list) {
  const auto list_id = static_cast<std::uint8_t>(list);
  bool loud = false;  // the object being walked refers outside the set to something not quiet
  auto subtract = [list_id, &loud](Object* child) {
    std::uint8_t& st = state(child);
    if ((st & detail::kGcListMask) != list_id) {
      loud = loud || !gc::quiet_outsider(child);
      return;
    }
    // Once per visit: a store through the word may alias the header's flags for the compiler,
    // which would otherwise recompute the word's address after each.
    gc::GcWord& w = word(child);
    if (!(st & detail::kGcCollecting)) {
      w.refs = static_cast<std::int32_t>(child->refcount());
      st |= detail::kGcCollecting;
    }
    --w.refs;
  };
  walk_set(set, [&](Object* o) {
    PYHEAP_ASSERT(list_of(o) == list);
    std::uint8_t& st = state(o);
    if (!(st & detail::kGcCollecting)) {
      word(o).refs = static_cast<std::int32_t>(o->refcount());
      st |= detail::kGcCollecting;
    }
    const TypeInfo& ti = type_of(*o);
    if constexpr (kDebugLevel >= 1) gc::check_published_refs(o, ti);
    loud = false;
    gc::for_each_child(o, ti, subtract);
    if (loud) st |= detail::kGcLoud;
  });
  if constexpr (kDebugLevel >= 1) {
    for ([[maybe_unused]] Object* o : set) PYHEAP_ASSERT(!o || (state(o) & detail::kGcCollecting));
  }
}

// CPython's move_unreachable, on vectors, with the same resulting orders: `reachable` gets the
// objects referenced from outside the set and what they reach, in the order the scan confirmed
// them; `unreachable` the rest, in the order the scan set them aside. The orders matter: the
// collector later clears the garbage in list order, and whether a weak reference held only by
// the garbage dies before or after its referent decides whether its callback runs.
//
// The scan walks the set left to right. An object with gc_refs > 0 is reachable: its referents
// in the set get gc_refs 1 (still ahead of the scan) or, if already set aside, are taken back and
// scanned after the set, in the order taken back (CPython appends them to the list it walks).
// An object with gc_refs == 0 is set aside, for now. While this runs, GcWord.index of a
// set-aside object is its slot in `unreachable`; callers re-index the unreachable objects
// afterwards. A reachable object gets its final slot in `reachable` as its index at once (its list
// id is still the set's), so a caller that keeps `reachable` as the set's new list need not walk
// it again. Returns how many reachable objects have a type with a gc_can_untrack hook (0 lets the
// caller skip untrack_survivors' passes).
std::size_t Collector::move_unreachable(const std::vector<Object*>& set, std::vector<Object*>& reachable,
                                 std::vector<Object*>& unreachable) {
  std::vector<Object*>* set_aside = &unreachable;
  std::vector<Object*>* taken_back = &taken_back_;
  auto visit_reachable = [set_aside, taken_back](Object* child) {
    std::uint8_t& st = state(child);
    // Not examined, or already scanned and confirmed reachable.
    if (!(st & detail::kGcCollecting)) return;
    gc::GcWord& w = word(child);
    if (st & detail::kGcTentative) {
      (*set_aside)[w.index] = nullptr;
      st &= static_cast<std::uint8_t>(~detail::kGcTentative);
      taken_back->push_back(child);
      w.refs = 1;
    } else if (w.refs == 0) {
      w.refs = 1;
    }
  };
  std::size_t untrackable = 0;
  auto scan = [&](Object* o) {
    gc::GcWord& w = word(o);
    if (w.refs > 0) {
      const TypeInfo& ti = type_of(*o);
      gc::for_each_child(o, ti, visit_reachable);  // may append to taken_back_
      untrackable += ti.can_untrack != nullptr;
      state(o) &= static_cast<std::uint8_t>(~(detail::kGcCollecting | detail::kGcLoud));
      w.index = static_cast<std::uint32_t>(reachable.size());
      reachable.push_back(o);
    } else {
      w.index = static_cast<std::uint32_t>(unreachable.size());
      unreachable.push_back(o);
      state(o) |= detail::kGcTentative;
    }
  };
  taken_back_.clear();
  walk_set(set, [&](Object* o) {
    // A negative count means a trace hook reported a reference its object does not own.
    PYHEAP_ASSERT(word(o).refs >= 0);
    scan(o);
  });
  for (std::size_t i = 0; i < taken_back_.size(); ++i) scan(taken_back_[i]);
  if (!taken_back_.empty()) std::erase(unreachable, nullptr);
  taken_back_.clear();
  return untrackable;
}

// CPython's untrack_tuples and (full collections only) untrack_dicts: a survivor whose type says
// it can no longer be part of a cycle (a tuple or dict holding only atoms and untracked tuples)
// leaves the lists. Done here, on reachable objects only, and not at creation, so that garbage
// counts stay CPython's: a fresh tuple of ints inside cyclic garbage is still counted. Pass and
// list order matter (an inner tuple untracked first lets its outer tuple go in the same pass;
// dicts are judged after every tuple), as in CPython.
void Collector::untrack_survivors(std::vector<Object*>& young, int generation) noexcept {
  const int passes = generation == kNumGenerations - 1 ? 2 : 1;
  for (int pass = 0; pass < passes; ++pass) {
    std::size_t kept = 0;
    for (Object* o : young) {
      const TypeInfo& ti = type_of(*o);
      if (ti.can_untrack && ti.can_untrack(o, pass)) {
        state(o) = detail::kGcUntracked;
        continue;
      }
      young[kept] = o;
      set_list(o, generation, kept++);
    }
    young.resize(kept);
  }
}

namespace {
double clock_seconds() noexcept {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

void Collector::end_step(GcStep step) noexcept {
  if (!step_timing_) return;
  const double now = clock_seconds();
  step_seconds_[static_cast<int>(step)] += now - step_clock_;
  step_clock_ = now;
}

// Steps 1-2 on `set` (every object whose list id is `list`, indexed at its position, and maybe
// null slots): on the worker threads for large sets, else on this thread with the two walks
// above. Either way `reachable` gets the survivors in move_unreachable's order, each indexed at
// its slot in it (unless the result says the set is unchanged), and `unreachable` the rest, not
// yet indexed; no object keeps a mark.
Collector::Partition Collector::partition(const std::vector<Object*>& set, int list,
                                          std::vector<Object*>& reachable, std::vector<Object*>& unreachable,
                                          bool report_refs) {
  // An observer sees the classic walks (its gc_refs are read between them).
  if (set.size() >= parallel_threshold_ && observer_ == nullptr) {
    try {
      if (!recorded_) recorded_ = std::make_unique<gc::RecordedPartition>();
      if (!pool_ && workers_ > 1) pool_ = std::make_unique<gc::WorkerPool>(workers_);
    } catch (const std::bad_alloc&) {
    }
    if (recorded_ && (pool_ || workers_ == 1)) {
      const auto r = recorded_->run(set, list, pool_.get(), reachable, unreachable, [this] { end_step(GcStep::Subtract); });
      if (r.done) {
        parallel_used_ = workers_ > 1;
        recorded_used_ = true;
        end_step(GcStep::Mark);
        return Partition{r.untrackable, r.unchanged, r.all_garbage, true, r.garbage_traits};
      }
    }
  }
  update_and_subtract_refs(set, list);
  end_step(GcStep::Subtract);
  if (report_refs && observer_) [[unlikely]] {
    observe("gc_refs", [&] {
      std::vector<std::int32_t> refs(set.size());
      for (std::size_t i = 0; i < set.size(); ++i) refs[i] = set[i] ? word(set[i]).refs : 0;
      observer_->gc_refs(set, refs);
    });
  }
  Partition part;
  part.untrackable = move_unreachable(set, reachable, unreachable);
  end_step(GcStep::Mark);
  return part;
}

// Lists the garbage in the working list (list id and indices) and, after the single-threaded
// walks, notes what steps 3-6 will find in it (the worker path noted it while counting).
void Collector::index_garbage(const Partition& part) noexcept {
  auto& unreachable = lists_[kUnreachable];
  if (part.traits_known) {
    using gc::RecordedPartition;
    garbage_has_weakrefs_ = (part.traits & RecordedPartition::kTraitWeak) != 0;
    garbage_has_finalizers_ = (part.traits & RecordedPartition::kTraitFinalizer) != 0;
    garbage_silent_ = (part.traits & RecordedPartition::kTraitNoisy) == 0;
    garbage_loud_ = (part.traits & RecordedPartition::kTraitLoud) != 0;
    garbage_outsiders_ = (part.traits & RecordedPartition::kTraitOutsider) != 0;
    // Garbage freed silently without a look at anything outside it needs neither list ids nor
    // indices: when the worker path found nothing reachable, the set (now the working list) keeps
    // its members as they are (free_silently).
    garbage_listed_ = !(part.all_garbage && frees_silently() && !garbage_outsiders_);
    if (!garbage_listed_) return;
    for (std::size_t i = 0; i < unreachable.size(); ++i) set_list(unreachable[i], kUnreachable, i);
    return;
  }
  bool weak = false, fin = false, silent = true, loud = false;
  for (std::size_t i = 0; i < unreachable.size(); ++i) {
    Object* o = unreachable[i];
    loud |= (state(o) & detail::kGcLoud) != 0;  // before set_list clears it
    set_list(o, kUnreachable, i);
    const TypeInfo& ti = type_of(*o);
    weak |= ti.is_weakref || o->has_weakrefs();
    fin |= ti.finalize != nullptr && !o->is_finalized();
    silent &= ti.silent_destructor;
  }
  garbage_has_weakrefs_ = weak;
  garbage_has_finalizers_ = fin;
  garbage_silent_ = silent;
  garbage_loud_ = loud;
  garbage_outsiders_ = true;  // not known: free_silently looks at every reference
  garbage_listed_ = true;
}

// Whether delete_garbage may free the garbage without the cascade (free_silently).
bool Collector::frees_silently() const noexcept {
  return garbage_silent_ && !garbage_loud_ && !garbage_has_weakrefs_ && !garbage_has_finalizers_ && !user_code_ran_ &&
         !saveall_;
}

std::size_t Collector::collect_main(int generation) {
  if (generation + 1 < kNumGenerations) ++count_[generation + 1];
  for (int i = 0; i <= generation; ++i) count_[i] = 0;
  user_code_ran_ = false;
  parallel_used_ = false;
  recorded_used_ = false;
  if (step_timing_) {
    step_seconds_.fill(0);
    step_clock_ = clock_seconds();
  }

  // Merge the younger generations onto the end of the one being collected, as CPython does.
  auto& young = lists_[generation];
  compact(generation);
  for (int i = 0; i < generation; ++i) append_list(i, generation);
  const int old = generation + 1 < kNumGenerations ? generation + 1 : generation;
  end_step(GcStep::Merge);

  // Subtract, mark, partition.
  if constexpr (kDebugLevel >= 1) check_heap_boundaries(heap_, young);
  if (observer_) [[unlikely]]
    observe("examined", [&] { observer_->examined(generation, young); });
  auto& unreachable = lists_[kUnreachable];
  PYHEAP_ASSERT(unreachable.empty());
  reachable_.clear();
  const Partition part = partition(young, generation, reachable_, unreachable);
  if (part.all_garbage) young.swap(unreachable);  // the set is the garbage, in order
  else if (!part.unchanged) young.swap(reachable_);  // reachable_ keeps the old buffer for the next collection
  reachable_.clear();
  if (parallel_used_) ++stats_[generation].parallel;
  if (!recorded_used_ && recorded_ && generation == kNumGenerations - 1) recorded_->release_memory();  // kept while large sets come
  // Each survivor is indexed at its slot in `young`, under list id `generation`: no pass over
  // them here.
  if constexpr (kDebugLevel >= 1) {
    for (std::size_t i = 0; i < young.size(); ++i)
      PYHEAP_ASSERT(word(young[i]).index == i && ObjectAccess::header(young[i]).gc_state == generation);
  }
  index_garbage(part);
  if (observer_) [[unlikely]]
    observe("partitioned", [&] { observer_->partitioned(young, unreachable); });
  if (part.untrackable != 0 && !young.empty()) untrack_survivors(young, generation);

  // Survivors move on to the next generation.
  if (old != generation) {
    if (generation == kNumGenerations - 2) long_lived_pending_ += young.size();
    auto& dst = lists_[old];
    dst.reserve(dst.size() + young.size());
    for (Object* o : young) {
      dst.push_back(o);
      set_list(o, old, dst.size() - 1);
    }
    young.clear();
  } else {
    long_lived_pending_ = 0;
    long_lived_total_ = young.size();
    update_young_limit();
  }
  end_step(GcStep::Partition);

  // Weak references, finalizers, resurrection.
  const std::size_t weakrefs_freed = handle_weakrefs(old);
  std::size_t n = weakrefs_freed;
  end_step(GcStep::Weakrefs);
  if (observer_) [[unlikely]] observe_finalizing();
  finalize_garbage();
  end_step(GcStep::Finalizers);
  handle_resurrected(old);
  end_step(GcStep::Resurrection);

  // Free: count, clear, free the blocks.
  if (summary_ == nullptr && !user_code_ran_) {
    n += unreachable.size();  // no holes: nothing has freed a garbage object yet
  } else {
    for (Object* o : unreachable) {
      if (o == nullptr) continue;
      ++n;
      tally_garbage(o);  // before delete_garbage frees it
    }
  }
  if (observer_) [[unlikely]] observe_freeing(weakrefs_freed);
  delete_garbage(old);
  end_step(GcStep::Free);
  if (observer_) [[unlikely]]
    observe("finished", [&] { observer_->finished(n); });
  return n;
}

// CPython's handle_weakrefs: weak references to garbage are cleared before any finalizer can see
// them; callbacks run only for weak reference objects outside the garbage.
std::size_t Collector::handle_weakrefs(int old) {
  if (!garbage_has_weakrefs_ && observer_ == nullptr) return 0;  // an observer sees the phase, empty
  auto& unreachable = lists_[kUnreachable];
  if (observer_) [[unlikely]] observe_weakrefs();  // before they are cleared
  for (Object* o : unreachable) {
    if (o && type_of(*o).is_weakref) {
      auto* wr = static_cast<WeakReference*>(o);
      if (wr->referent_) heap_.unlink_weakref(wr);
    }
  }
  std::vector<WeakReference*> to_call;
  for (std::size_t i = 0; i < unreachable.size(); ++i) {
    Object* o = unreachable[i];
    if (o && o->has_weakrefs()) {
      heap_.clear_weakrefs(o, &to_call, [](const WeakReference* wr) {
        return list_of(wr) == kUnreachable;
      });
    }
  }
  if (observer_) [[unlikely]] {
    observe("weakrefs", [&] {
      std::vector<Object*> callbacks(to_call.begin(), to_call.end());
      observer_->weakrefs({observed_in_garbage_, observed_outside_, callbacks});
    });
    observed_in_garbage_.clear();
    observed_outside_.clear();
  }
  std::size_t freed = 0;
  if (!to_call.empty()) user_code_ran_ = true;
  for (WeakReference* wr : to_call) {
    try {
      wr->callback_(*wr);
    } catch (...) {
      heap_.report_unraisable(std::current_exception(), "weakref callback", wr);
    }
    if (wr->refcount() == 1) {
      // The callback dropped the last other reference: the weak reference object dies now, and
      // (as in CPython) it is counted among what the collection freed.
      ++freed;
      tally_garbage(wr);
      wr->decref();
    } else {
      wr->decref();
      // CPython moved it through its callback list into the next generation.
      if (list_of(wr) != detail::kGcUntracked && list_of(wr) != kUnreachable) move_to(wr, old);
    }
  }
  return freed;
}

void Collector::finalize_garbage() {
  if (!garbage_has_finalizers_) return;
  auto& unreachable = lists_[kUnreachable];
  for (std::size_t i = 0; i < unreachable.size(); ++i) {
    Object* o = unreachable[i];
    if (!o) continue;
    const TypeInfo& ti = type_of(*o);
    if (!ti.finalize || o->is_finalized()) continue;
    user_code_ran_ = true;
    ObjectAccess::header(o).flags |= detail::kFlagFinalized;
    o->incref();
    try {
      ti.finalize(o);
    } catch (...) {
      heap_.report_unraisable(std::current_exception(), "finalizer of " + ti.name, o);
    }
    o->decref();  // may free it, leaving a hole in the working list
  }
}

// After the finalizers: whatever they made reachable again survives and moves on. Skipped when
// no user code has run since the partition: then the garbage is exactly as partitioned (no count
// changed, nothing was freed), every gc_refs in it is still 0 (nothing outside it points in), and
// steps 1-2 on it would find nothing reachable and keep its order.
void Collector::handle_resurrected(int old) {
  if (!user_code_ran_ && observer_ == nullptr) return;  // an observer sees the phase, empty
  auto& unreachable = lists_[kUnreachable];
  reachable_.clear();
  still_.clear();
  const bool timing = step_timing_;
  step_timing_ = false;  // the whole check is the resurrection step
  const Partition part = partition(unreachable, kUnreachable, reachable_, still_, false);
  step_timing_ = timing;
  if (observer_) [[unlikely]]
    observe("resurrected", [&] {
      std::vector<Object*> back;
      if (part.unchanged) {
        for (Object* o : unreachable)
          if (o) back.push_back(o);
      } else if (!part.all_garbage) {
        back = reachable_;
      }
      observer_->resurrected(back);
    });
  if (part.unchanged) {
    reachable_.swap(unreachable);  // everything was resurrected, in place
    unreachable.clear();
    std::erase(reachable_, nullptr);
  } else if (part.all_garbage) {
    std::erase(unreachable, nullptr);  // nothing was resurrected
  } else {
    unreachable.swap(still_);
  }
  still_.clear();
  for (std::size_t i = 0; i < unreachable.size(); ++i) set_list(unreachable[i], kUnreachable, i);
  auto& dst = lists_[old];
  for (Object* o : reachable_) {
    dst.push_back(o);
    set_list(o, old, dst.size() - 1);
  }
  reachable_.clear();
}

// CPython's delete_garbage: each garbage object still alive is broken apart by its trace hook in
// Clear mode, in list order; what that releases dies by reference counting at once, cascading
// (and deferred through the trashcan) exactly as in CPython, with the destructors, weak reference
// callbacks and finalizers of whatever dies running at the same points. Only the freeing of the
// garbage's own blocks is changed: while this runs, a garbage object that dies is destroyed but
// not freed (Heap::destroy, frees_in_bulk), its collector word marked freed, and its slot
// here stays; after the loop free_garbage_blocks frees them all in list order, which is
// allocation order, so consecutive blocks share a pool. Objects outside the garbage are freed as
// usual. Bulk freeing is used only from a collection that does not run inside a release cascade
// (the usual case): then every cascade the loop starts, trashcan included, has finished when
// control comes back to the loop, so a slot whose word is not marked freed holds a live object.
void Collector::delete_garbage(int old) {
  auto& unreachable = lists_[kUnreachable];
  if (frees_silently()) {
    free_silently();
    return;
  }
  if (!garbage_listed_) {  // (cannot happen: index_garbage lists it unless it frees silently)
    for (std::size_t i = 0; i < unreachable.size(); ++i) set_list(unreachable[i], kUnreachable, i);
    garbage_listed_ = true;
  }
  Tracer clear(Tracer::Mode::Clear, nullptr, nullptr);
  const bool bulk = !saveall_ && heap_.dealloc_depth_ == 0;
  bulk_free_ = bulk;
  const std::size_t n = unreachable.size();
  for (std::size_t i = 0; i < n; ++i) {
    Object* o = unreachable[i];
    if (!o) continue;
    if (bulk) {
      if (freed(word(o))) continue;  // died in an earlier object's cascade
      // What this clear and its cascade will touch first, a few objects ahead: the clears of a
      // large random graph wait for a miss on each reference they drop.
      if (i + gc::kPrefetchDistance < n) {
        Object* ahead = unreachable[i + gc::kPrefetchDistance];
        if (ahead && !freed(word(ahead))) detail::prefetch_referents(ahead, type_of(*ahead));
      }
    }
    if (saveall_) {
      garbage_.push_back(Ref<Object>::borrow(o));
    } else {
      o->incref();
      try {
        gc::call_trace(o, clear);
      } catch (...) {
        heap_.report_unraisable(std::current_exception(), "clear of " + type_of(*o).name, o);
      }
      o->decref();
    }
    // Still alive: held by something else now.
    // (In bulk mode an object whose block could not be recorded, Heap::destroy, dies as usual:
    // its slot is emptied.)
    const bool alive = unreachable[i] == o && !(bulk && freed(word(o)));
    if (alive) move_to(o, old);
  }
  bulk_free_ = false;
  PYHEAP_ASSERT(!bulk || heap_.deferred_.empty());
  if (bulk) free_garbage_blocks();
  unreachable.clear();
}

// ---- the observer --------------------------------------------------------------------------------
// Everything here runs only when an observer is set, in passes of its own over the working sets,
// so that the phases themselves stay as they are (and cost one pointer test each without one).

template <class Report>
void Collector::observe(const char* phase, Report&& report) noexcept {
  try {
    report();
  } catch (...) {
    heap_.report_unraisable(std::current_exception(), std::string("collection observer (") + phase + ")", nullptr);
  }
}

// Which weak references handle_weakrefs is about to clear: the weak reference objects in the
// garbage that still point somewhere, and the live ones (outside the garbage) pointing into it.
void Collector::observe_weakrefs() {
  observed_in_garbage_.clear();
  observed_outside_.clear();
  observe("weakrefs", [&] {
    for (Object* o : lists_[kUnreachable]) {
      if (!o) continue;
      if (type_of(*o).is_weakref && static_cast<WeakReference*>(o)->referent_) observed_in_garbage_.push_back(o);
      if (!o->has_weakrefs()) continue;
      const auto head = heap_.weak_heads_.find(o);
      for (WeakReference* wr = head == heap_.weak_heads_.end() ? nullptr : head->second; wr; wr = wr->next_)
        if (list_of(wr) != kUnreachable) observed_outside_.push_back(wr);
    }
  });
}

void Collector::observe_finalizing() {
  observe("finalizing", [&] {
    std::vector<Object*> to_finalize;
    for (Object* o : lists_[kUnreachable])
      if (o && type_of(*o).finalize && !o->is_finalized()) to_finalize.push_back(o);
    observer_->finalizing(to_finalize);
  });
}

void Collector::observe_freeing(std::size_t weakrefs_freed) {
  observe("freeing", [&] {
    std::vector<Object*> garbage;
    for (Object* o : lists_[kUnreachable])
      if (o) garbage.push_back(o);
    observer_->freeing(garbage, weakrefs_freed);
  });
}

// The garbage as a whole, without the cascade, when nobody could tell the difference: every
// object promises a silent destructor (its ~T() does nothing observable but release the
// references it publishes), has no finalizer left to run and no weak reference, and refers only
// to other garbage, to survivors of this collection (which cannot die: they are reachable) or to
// quiet objects outside the set (gc::quiet_outsider, which may die here in any order: nothing
// can observe it); and no user code has run since the partition (so that all of this, noted
// during steps 1-2 and index_garbage, still holds). Then the order of the deaths is unobservable,
// and each object is taken in list order: its references to non-garbage objects are dropped, its
// slots emptied without a decrement (their targets die with it), ~T() runs and releases nothing,
// and its block is freed. Garbage objects are never decremented.
// When some garbage object refers outside the set, a reference must be told apart as pointing
// into the garbage or not, by the list id of its target: the garbage was then listed (index_garbage)
// and its blocks are freed after the loop (a later object may still look at an earlier one's
// header). Otherwise nothing outside an object is read at all, and blocks are freed as the loop
// goes, a batch at a time.
void Collector::free_silently() noexcept {
  auto& unreachable = lists_[kUnreachable];
  const std::size_t n = unreachable.size();
  const bool look_outside = garbage_outsiders_;
  PYHEAP_ASSERT(!look_outside || garbage_listed_);
  auto release = [](const Object* child) {
    if (child != nullptr && list_of(child) != kUnreachable) const_cast<Object*>(child)->decref();
  };
  constexpr std::size_t kBatch = 256;
  void* blocks[kBatch];
  std::size_t sizes[kBatch];
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Object* o = unreachable[i];
    PYHEAP_ASSERT(o != nullptr);
    const TypeInfo& ti = type_of(*o);
    PYHEAP_ASSERT(ti.silent_destructor && ti.refs_published);
    if (look_outside) {
      if (i + gc::kPrefetchDistance < n) {
        Object* ahead = unreachable[i + gc::kPrefetchDistance];
        detail::prefetch_referents(ahead, type_of(*ahead));
      }
      for (std::uint32_t off : ti.ref_offsets) release(detail::ref_slot(o, off));
      if (ti.ref_array)
        for (const Ref<Object>& r : ti.ref_array(o)) release(r.get());
    }
    for (std::uint32_t off : ti.ref_offsets) std::memset(reinterpret_cast<char*>(o) + off, 0, sizeof(Object*));
    if (ti.ref_array)
      for (const Ref<Object>& r : ti.ref_array(o)) (void)const_cast<Ref<Object>&>(r).release();  // no decrement
    const std::size_t bytes = detail::block_request(o);
    if (ObjectAccess::header(o).flags & detail::kFlagTraced) [[unlikely]] heap_.tracing_.forget(o, bytes);
    ti.destroy(o);
    --heap_.live_;
    if (count_[0] > 0) --count_[0];  // on_container_freed
    if (look_outside) {
      free_in_bulk(o, bytes, static_cast<std::size_t>(reinterpret_cast<char*>(o) - detail::block_of(o, ti)));
      continue;
    }
    blocks[k] = detail::block_of(o, ti);
    sizes[k] = bytes;
    if (++k == kBatch) {
      heap_.alloc_.deallocate_batch(blocks, sizes, k);
      k = 0;
    }
  }
  if (look_outside) free_garbage_blocks();
  else heap_.alloc_.deallocate_batch(blocks, sizes, k);
  unreachable.clear();
}

void Collector::free_in_bulk(Object* o, std::size_t bytes, std::size_t block_offset) noexcept {
  PYHEAP_CHECK(bytes <= 0xffffffffu && block_offset < 0x100, "object of %zu bytes at %zu in its block", bytes,
               block_offset);
  word(o) = gc::GcWord{kFreedIndex + static_cast<std::uint32_t>(block_offset),
                       static_cast<std::int32_t>(static_cast<std::uint32_t>(bytes))};
}

// Frees the blocks delete_garbage's loop left behind, in list order, a batch at a time.
void Collector::free_garbage_blocks() noexcept {
  constexpr std::size_t kBatch = 256;
  void* blocks[kBatch];
  std::size_t sizes[kBatch];
  std::size_t k = 0;
  for (Object* o : lists_[kUnreachable]) {
    if (o == nullptr) continue;  // freed before the loop, or moved on
    const gc::GcWord w = word(o);
    PYHEAP_ASSERT(freed(w));
    blocks[k] = reinterpret_cast<char*>(o) - (w.index - kFreedIndex);
    sizes[k] = static_cast<std::uint32_t>(w.refs);
    if (++k == kBatch) {
      heap_.alloc_.deallocate_batch(blocks, sizes, k);
      k = 0;
    }
  }
  heap_.alloc_.deallocate_batch(blocks, sizes, k);
}

// ---- generations, callbacks, introspection ------------------------------------------------------

void Collector::freeze() {
  for (int g = 0; g < kNumGenerations; ++g) append_list(g, kPermanent);
  count_[0] = 0;
}

void Collector::unfreeze() {
  append_list(kPermanent, kNumGenerations - 1);
}

int Collector::add_callback(Callback cb) {
  callbacks_.emplace_back(next_callback_id_, std::move(cb));
  return next_callback_id_++;
}

void Collector::remove_callback(int id) {
  std::erase_if(callbacks_, [id](const auto& p) { return p.first == id; });
}

void Collector::invoke_callbacks(GcPhase phase, const CollectionInfo& info) {
  if (callbacks_.empty()) return;
  auto snapshot = callbacks_;  // a callback may add or remove callbacks
  for (auto& [id, cb] : snapshot) {
    try {
      cb(phase, info);
    } catch (...) {
      heap_.report_unraisable(std::current_exception(), "gc callback", nullptr);
    }
  }
}

std::vector<Ref<Object>> Collector::get_objects(int generation) const {
  std::vector<Ref<Object>> out;
  const int lo = generation < 0 ? 0 : generation;
  const int hi = generation < 0 ? kNumGenerations - 1 : generation;
  if (generation >= kNumGenerations) throw std::invalid_argument("pyheap: generation must be 0, 1 or 2");
  for (int g = lo; g <= hi; ++g)
    for (Object* o : lists_[g])
      if (o) out.push_back(Ref<Object>::borrow(o));
  return out;
}

std::vector<Ref<Object>> Collector::get_referrers(const Object* target) const {
  struct Ctx {
    const Object* target;
    bool found;
  } ctx{target, false};
  Tracer finder(
      Tracer::Mode::Visit,
      [](Object* child, void* c) {
        auto* x = static_cast<Ctx*>(c);
        if (child == x->target) x->found = true;
      },
      &ctx);
  std::vector<Ref<Object>> out;
  for (int g = 0; g < kNumGenerations; ++g) {
    for (Object* o : lists_[g]) {
      if (!o) continue;
      ctx.found = false;
      gc::call_trace(o, finder);
      if (ctx.found) out.push_back(Ref<Object>::borrow(o));
    }
  }
  return out;
}

std::vector<Ref<Object>> Collector::get_referents(Object* o) const {
  std::vector<Ref<Object>> out;
  const TypeInfo& ti = type_of(*o);
  if (!ti.trace) return out;
  Tracer collect_children(
      Tracer::Mode::Visit,
      [](Object* child, void* c) { static_cast<std::vector<Ref<Object>>*>(c)->push_back(Ref<Object>::borrow(child)); },
      &out);
  ti.trace(o, collect_children);
  return out;
}

bool Collector::is_tracked(const Object* o) const noexcept { return list_of(o) != detail::kGcUntracked; }

int Collector::generation_of(const Object* o) const noexcept {
  const int id = list_of(o);
  return id <= kPermanent ? id : -1;
}

std::size_t Collector::tracked_count() const noexcept {
  std::size_t n = 0;
  for (int l = 0; l <= kPermanent; ++l) n += live_size(l);
  return n;
}

bool Collector::is_valid(int level) const {
  if (!collecting_ && !lists_[kUnreachable].empty()) return false;
  for (int l = 0; l <= kPermanent; ++l) {
    std::size_t holes = 0;
    for (std::size_t i = 0; i < lists_[l].size(); ++i) {
      Object* o = lists_[l][i];
      if (!o) {
        ++holes;
        continue;
      }
      if (ObjectAccess::header(o).gc_state != l) return false;
      if (level >= 2 && (word(o).index != i || !type_of(*o).tracked || o->refcount() == 0)) return false;
    }
    if (holes != holes_[l] || (!lists_[l].empty() && lists_[l].back() == nullptr)) return false;
  }
  return true;
}

void Collector::release_all_for_teardown() {
  disable();
  saveall_ = false;
  garbage_.clear();
  unfreeze();
  for (int round = 0; round < 100; ++round) {
    if (collect(kNumGenerations - 1) == 0) break;
  }
  // What is left is held from outside the heap (a leak in the program): break its references so
  // that at least what it holds is freed.
  std::vector<Ref<Object>> rest = get_objects(-1);
  Tracer clear(Tracer::Mode::Clear, nullptr, nullptr);
  for (auto& r : rest) {
    try {
      gc::call_trace(r.get(), clear);
    } catch (...) {
    }
  }
}

}  // namespace pyheap
