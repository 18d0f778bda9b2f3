// The cycle collector. See include/pyheap/collector.hpp for the algorithm and its invariants and
// docs/design.md for why the generations are vectors rather than CPython's linked lists.
// pyheap/internal/gc_word.hpp: where a tracked object's collector word is, and the only way to get there.
#include "pyheap/collector.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <new>
#include <optional>

#include "pyheap/internal/check.hpp"
#include "gc/garbage_summary.hpp"
#include "pyheap/internal/gc_word.hpp"
#include "pyheap/heap.hpp"

namespace pyheap {

namespace {
using gc::list_of;
using gc::state;
using gc::word;

void set_list(Object* o, int list, std::size_t index) noexcept {
  state(o) = static_cast<std::uint8_t>(list);
  word(o).index = static_cast<std::uint32_t>(index);
}

void trace(Object* o, Tracer& t) { type_of(*o).trace(o, t); }

// Prefetching. On a large heap whose edges jump around memory (a random graph), every child
// visited by subtract_refs and move_unreachable is a cache miss, and the walk waits for each in
// turn. Tracing the object kPrefetchDistance slots ahead with a tracer that only prefetches its
// children's collector words overlaps those misses. The prefetch tracer reads nothing but the
// parent's fields and changes no state, so the walk's results and orders are unchanged. Below
// kPrefetchMinObjects (about 16 MiB of small containers) the set mostly fits in the last-level
// cache and the extra trace calls only cost time: measured with bench/gc_pyheap, the 10^5-node
// ring got 35% slower with prefetching, the 10^6-node random graph about 45% faster.
constexpr std::size_t kPrefetchDistance = 8;
constexpr std::size_t kPrefetchMinObjects = std::size_t{1} << 19;

void prefetch_child(Object* child, void*) { gc::prefetch_word(child); }

// Issues the prefetches for the children of set[i + kPrefetchDistance], if there is one.
inline void prefetch_ahead(const std::vector<Object*>& set, std::size_t i, Tracer& prefetcher) {
  if (i + kPrefetchDistance < set.size()) {
    if (Object* ahead = set[i + kPrefetchDistance]) trace(ahead, prefetcher);
  }
}

// Calls visit(o) for every object of `set` in order, skipping holes; on sets of
// kPrefetchMinObjects or more it first prefetches the children of the object kPrefetchDistance
// slots ahead. Both walks of a collection (subtract_refs, move_unreachable) go through here.
template <class Visit>
inline void walk_set(const std::vector<Object*>& set, Visit&& visit) {
  Tracer prefetcher(Tracer::Mode::Visit, prefetch_child, nullptr);
  const bool prefetch = set.size() >= kPrefetchMinObjects;
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (prefetch) prefetch_ahead(set, i, prefetcher);
    if (Object* o = set[i]) visit(o);
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
    trace(o, check);
  }
}

// Releases the collecting flag even when a callback throws std::bad_alloc through collect().
struct CollectingScope {
  bool& flag;
  explicit CollectingScope(bool& f) : flag(f) { flag = true; }
  ~CollectingScope() { flag = false; }
};
}  // namespace

Collector::Collector(Heap& heap) : heap_(heap) {}
Collector::~Collector() = default;

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
  Tracer subtract(
      Tracer::Mode::Visit,
      [](Object* child, void* list_id) {
        std::uint8_t& st = state(child);
        if ((st & detail::kGcListMask) != static_cast<std::uint8_t>(reinterpret_cast<std::uintptr_t>(list_id))) return;
        // Once per visit: a store through the word may alias the header's flags for the
        // compiler, which would otherwise recompute the word's address after each.
        gc::GcWord& w = word(child);
        if (!(st & detail::kGcCollecting)) {
          w.refs = static_cast<std::int32_t>(child->refcount());
          st |= detail::kGcCollecting;
        }
        --w.refs;
      },
      reinterpret_cast<void*>(static_cast<std::uintptr_t>(list)));
  walk_set(set, [&](Object* o) {
    PYHEAP_ASSERT(list_of(o) == list);
    std::uint8_t& st = state(o);
    if (!(st & detail::kGcCollecting)) {
      word(o).refs = static_cast<std::int32_t>(o->refcount());
      st |= detail::kGcCollecting;
    }
    trace(o, subtract);
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
  struct Ctx {
    std::vector<Object*>* taken_back;
    std::vector<Object*>* unreachable;
  } ctx{&taken_back_, &unreachable};
  Tracer visit_reachable(
      Tracer::Mode::Visit,
      [](Object* child, void* c) {
        std::uint8_t& st = state(child);
        // Not examined, or already scanned and confirmed reachable.
        if (!(st & detail::kGcCollecting)) return;
        gc::GcWord& w = word(child);
        if (st & detail::kGcTentative) {
          auto* x = static_cast<Ctx*>(c);
          (*x->unreachable)[w.index] = nullptr;
          st &= static_cast<std::uint8_t>(~detail::kGcTentative);
          x->taken_back->push_back(child);
          w.refs = 1;
        } else if (w.refs == 0) {
          w.refs = 1;
        }
      },
      &ctx);
  std::size_t untrackable = 0;
  auto scan = [&](Object* o) {
    gc::GcWord& w = word(o);
    if (w.refs > 0) {
      const TypeInfo& ti = type_of(*o);
      ti.trace(o, visit_reachable);  // may append to taken_back_
      untrackable += ti.can_untrack != nullptr;
      state(o) &= static_cast<std::uint8_t>(~detail::kGcCollecting);
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

std::size_t Collector::collect_main(int generation) {
  if (generation + 1 < kNumGenerations) ++count_[generation + 1];
  for (int i = 0; i <= generation; ++i) count_[i] = 0;

  // Merge the younger generations onto the end of the one being collected, as CPython does.
  auto& young = lists_[generation];
  compact(generation);
  for (int i = 0; i < generation; ++i) append_list(i, generation);
  const int old = generation + 1 < kNumGenerations ? generation + 1 : generation;

  if constexpr (kDebugLevel >= 1) check_heap_boundaries(heap_, young);
  if (observer_) [[unlikely]]
    observe("examined", [&] { observer_->examined(generation, young); });
  update_and_subtract_refs(young, generation);
  if (observer_) [[unlikely]] {
    observe("gc_refs", [&] {
      std::vector<std::int32_t> refs(young.size());
      for (std::size_t i = 0; i < young.size(); ++i) refs[i] = word(young[i]).refs;
      observer_->gc_refs(young, refs);
    });
  }
  auto& unreachable = lists_[kUnreachable];
  PYHEAP_ASSERT(unreachable.empty());
  reachable_.clear();
  const std::size_t untrackable = move_unreachable(young, reachable_, unreachable);
  young.swap(reachable_);  // reachable_ keeps the old buffer for the next collection
  reachable_.clear();
  // move_unreachable left each survivor indexed at its slot in `young`, under list id
  // `generation`: no pass over them here.
  if constexpr (kDebugLevel >= 1) {
    for (std::size_t i = 0; i < young.size(); ++i)
      PYHEAP_ASSERT(word(young[i]).index == i && ObjectAccess::header(young[i]).gc_state == generation);
  }
  for (std::size_t i = 0; i < unreachable.size(); ++i) set_list(unreachable[i], kUnreachable, i);
  if (observer_) [[unlikely]]
    observe("partitioned", [&] { observer_->partitioned(young, unreachable); });
  if (untrackable != 0) untrack_survivors(young, generation);

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

  const std::size_t weakrefs_freed = handle_weakrefs(old);
  if (observer_) [[unlikely]] observe_finalizing();
  finalize_garbage();
  handle_resurrected(old);
  std::size_t n = weakrefs_freed;
  for (Object* o : unreachable) {
    if (o == nullptr) continue;
    ++n;
    tally_garbage(o);  // before delete_garbage frees it
  }
  if (observer_) [[unlikely]] observe_freeing(weakrefs_freed);
  delete_garbage(old);
  if (observer_) [[unlikely]]
    observe("finished", [&] { observer_->finished(n); });
  return n;
}

// CPython's handle_weakrefs: weak references to garbage are cleared before any finalizer can see
// them; callbacks run only for weak reference objects outside the garbage.
std::size_t Collector::handle_weakrefs(int old) {
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
  auto& unreachable = lists_[kUnreachable];
  for (std::size_t i = 0; i < unreachable.size(); ++i) {
    Object* o = unreachable[i];
    if (!o) continue;
    const TypeInfo& ti = type_of(*o);
    if (!ti.finalize || o->is_finalized()) continue;
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

// After the finalizers: whatever they made reachable again survives and moves on.
void Collector::handle_resurrected(int old) {
  auto& unreachable = lists_[kUnreachable];
  update_and_subtract_refs(unreachable, kUnreachable);
  reachable_.clear();
  still_.clear();
  move_unreachable(unreachable, reachable_, still_);
  if (observer_) [[unlikely]]
    observe("resurrected", [&] { observer_->resurrected(reachable_); });
  unreachable.swap(still_);
  still_.clear();
  for (std::size_t i = 0; i < unreachable.size(); ++i) set_list(unreachable[i], kUnreachable, i);
  auto& dst = lists_[old];
  for (Object* o : reachable_) {
    dst.push_back(o);
    set_list(o, old, dst.size() - 1);
  }
  reachable_.clear();
}

void Collector::delete_garbage(int old) {
  auto& unreachable = lists_[kUnreachable];
  Tracer clear(Tracer::Mode::Clear, nullptr, nullptr);
  for (std::size_t i = 0; i < unreachable.size(); ++i) {
    Object* o = unreachable[i];
    if (!o) continue;
    if (saveall_) {
      garbage_.push_back(Ref<Object>::borrow(o));
    } else {
      o->incref();
      try {
        trace(o, clear);
      } catch (...) {
        heap_.report_unraisable(std::current_exception(), "clear of " + type_of(*o).name, o);
      }
      o->decref();
    }
    if (unreachable[i] == o) move_to(o, old);  // still alive: held by something else now
  }
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
      trace(o, finder);
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
      trace(r.get(), clear);
    } catch (...) {
    }
  }
}

}  // namespace pyheap
