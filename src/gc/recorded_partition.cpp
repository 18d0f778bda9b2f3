#include "gc/recorded_partition.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <span>

#include "gc/gc_object.hpp"
#include "gc/worker_pool.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap::gc {

namespace {
// Step 4's state of a position (move_unreachable's marks): not reached yet; known reachable and
// still to be scanned (gc_refs bumped to 1, or taken back); scanned; set aside for now
// (NEXT_MASK_UNREACHABLE).
enum : std::uint8_t { kUnseen = 0, kToScan = 1, kScanned = 2, kSetAside = 3 };
}  // namespace

RecordedPartition::RecordedPartition() = default;
RecordedPartition::~RecordedPartition() = default;

RecordedPartition::Edges::~Edges() { release(); }

void RecordedPartition::Edges::release() noexcept {
  std::free(data);
  data = nullptr;
  size = capacity = 0;
}

void RecordedPartition::Edges::reserve_more(std::size_t n) {
  if (capacity - size >= n) return;
  const std::size_t want = std::max(size + n, capacity + capacity / 2 + 1024);
  auto* grown = static_cast<std::uint32_t*>(std::realloc(data, want * sizeof(std::uint32_t)));
  if (grown == nullptr) throw std::bad_alloc();
  data = grown;
  capacity = want;
}

std::size_t RecordedPartition::memory() const noexcept {
  std::size_t bytes = chunks_.capacity() * sizeof(Chunk) + rc_.capacity() * sizeof(std::int32_t) +
                      traits_.capacity() + ends_.capacity() * sizeof(std::uint32_t) +
                      mark_.capacity() +
                      (reach_.capacity() + tentative_.capacity() + taken_back_.capacity()) * sizeof(std::uint32_t);
  for (std::size_t w = 0; w < worker_count_; ++w)
    bytes += (worker_[w].in.capacity() + worker_[w].edges.capacity) * sizeof(std::uint32_t);
  return bytes;
}

void RecordedPartition::release_memory() noexcept {
  worker_.reset();  // the tallies and the edge lists
  worker_count_ = 0;
  chunks_ = {};
  rc_ = {};
  traits_ = {};
  ends_ = {};
  mark_ = {};
  reach_ = {};
  tentative_ = {};
  taken_back_ = {};
}

// Steps 1 and 2. done and unchanged: nothing more to do; done alone: partition next.
RecordedPartition::Result RecordedPartition::subtract(const std::vector<Object*>& set, int list,
                                                      WorkerPool* pool) noexcept {
  Result result;
  n_ = set.size();
  if (n_ > std::numeric_limits<std::uint32_t>::max()) return result;  // indices are 32-bit
  set_ = &set;
  list_ = list;
  workers_ = pool ? pool->size() : 1;
  try {
    if (worker_count_ != workers_) {
      worker_ = std::make_unique<Worker[]>(workers_);
      worker_count_ = workers_;
    }
    // Grown with zeroes; between runs every tally is zero (sum zeroes what it read).
    for (std::size_t w = 0; w < workers_; ++w)
      if (worker_[w].in.size() < n_) worker_[w].in.resize(n_);
    if (rc_.size() < n_) {
      rc_.resize(n_);
      traits_.resize(n_);
    }
    chunks_.resize((n_ + kChunk - 1) / kChunk);
    ranges_.assign(workers_, RangeResult{true, false});
  } catch (const std::bad_alloc&) {
    return result;
  }

  // 1. count
  for (std::size_t w = 0; w < workers_; ++w) {
    worker_[w].untrackable = 0;
    worker_[w].failed = false;
  }
  next_chunk_.store(0, std::memory_order_relaxed);
  auto count_job = [this](unsigned w) noexcept { count(w); };
  if (pool) pool->run(count_job); else count_job(0);
  bool failed = false;
  for (std::size_t w = 0; w < workers_; ++w) {
    failed = failed || worker_[w].failed;
    result.untrackable += worker_[w].untrackable;
  }
  if (failed) {
    // A trace hook threw: give up, leaving the tallies zero for the next run.
    for (std::size_t w = 0; w < workers_; ++w) std::memset(worker_[w].in.data(), 0, n_ * sizeof(std::uint32_t));
    return result;
  }

  // 2. sum
  next_range_.store(0, std::memory_order_relaxed);
  auto sum_job = [this](unsigned) noexcept { sum(); };
  if (pool) pool->run(sum_job); else sum_job(0);
  bool in_place = true;
  has_root_ = false;
  for (const RangeResult& r : ranges_) {
    in_place = in_place && r.in_place;
    has_root_ = has_root_ || r.has_root;
  }
  result.done = true;
  result.unchanged = in_place;
  return result;
}

namespace {
// Step 1 for one child of member i: its tally (2 per reference, the low bit for "a parent below")
// if it is a member (the membership test of the single-threaded walk: the child's list is the
// set's), else what it says of i.
inline void count_child(const Object* child, std::size_t i, std::uint8_t list, std::uint32_t* in,
                        std::uint8_t& traits) noexcept {
  if ((ObjectAccess::header(child).gc_state & detail::kGcListMask) != list) {
    traits |= quiet_outsider(child) ? RecordedPartition::kTraitOutsider
                                    : RecordedPartition::kTraitOutsider | RecordedPartition::kTraitLoud;
    return;
  }
  const std::uint32_t j = word(const_cast<Object*>(child)).index;
  in[j] = (in[j] + 2) | static_cast<std::uint32_t>(j > i);
}
}  // namespace

void RecordedPartition::count(std::size_t w) noexcept {
  Worker& me = worker_[w];
  const std::vector<Object*>& set = *set_;
  const std::uint8_t list = static_cast<std::uint8_t>(list_);
  const bool prefetch = n_ >= kPrefetchMinObjects;
  const std::size_t nchunks = chunks_.size();
  std::uint32_t* in = me.in.data();
  std::int32_t* rc = rc_.data();
  std::uint8_t* traits_out = traits_.data();
  // The membership test of the single-threaded walk: the child's list is the set's.
  auto member = [list](const Object* child) { return (ObjectAccess::header(child).gc_state & detail::kGcListMask) == list; };
  for (;;) {
    const std::size_t c = next_chunk_.fetch_add(1, std::memory_order_relaxed);
    if (c >= nchunks) break;
    if (me.failed) continue;  // let the others take the remaining chunks; the run is abandoned
    const std::size_t end = std::min(n_, (c + 1) * kChunk);
    const bool prefetch_here = prefetch && children_far(set, c * kChunk, end);
    try {
      for (std::size_t i = c * kChunk; i < end; ++i) {
        if (prefetch_here) {
          // Two stages: the children's headers 8 objects ahead, then, 4 ahead, the tallies of
          // the children whose headers (and so positions) should have arrived by now.
          if (i + kPrefetchDistance < n_) {
            if (Object* ahead = set[i + kPrefetchDistance]) prefetch_children(ahead);
          }
          if (i + kPrefetchDistance / 2 < n_) {
            if (Object* ahead = set[i + kPrefetchDistance / 2]; ahead && type_of(*ahead).refs_published) {
              for (std::uint32_t off : type_of(*ahead).ref_offsets)
                if (Object* child = detail::ref_slot(ahead, off); child && member(child))
                  __builtin_prefetch(in + word(child).index, 1);
            }
          }
        }
        Object* o = set[i];
        if (o == nullptr) {
          rc[i] = 0;
          traits_out[i] = 0;
          continue;
        }
        PYHEAP_ASSERT(list_of(o) == list_ && word(o).index == i);
        rc[i] = static_cast<std::int32_t>(o->refcount());
        const TypeInfo& ti = type_of(*o);
        me.untrackable += ti.can_untrack != nullptr;
        if constexpr (kDebugLevel >= 1) check_published_refs(o, ti);
        std::uint8_t traits = 0;
        if (ti.is_weakref || o->has_weakrefs()) traits |= kTraitWeak;
        if (ti.finalize != nullptr && !o->is_finalized()) traits |= kTraitFinalizer;
        if (!ti.silent_destructor) traits |= kTraitNoisy;
        if (ti.refs_published) {
          // Straight loops on locals (for_each_child's trace-hook path takes its visitor's
          // address, which would keep everything the visitor refers to in memory).
          for (std::uint32_t off : ti.ref_offsets)
            if (Object* child = detail::ref_slot(o, off)) count_child(child, i, list, in, traits);
          if (ti.ref_array) {
            for (const Ref<Object>& r : ti.ref_array(o))
              if (Object* child = r.get()) count_child(child, i, list, in, traits);
          }
        } else {
          struct Ctx {
            std::size_t i;
            std::uint8_t list;
            std::uint32_t* in;
            std::uint8_t traits;
          } ctx{i, list, in, traits};
          auto visit = [&ctx](Object* child) { count_child(child, ctx.i, ctx.list, ctx.in, ctx.traits); };
          for_each_child(o, ti, visit);
          traits = ctx.traits;
        }
        traits_out[i] = traits;
      }
    } catch (...) {
      // A trace hook threw: the caller falls back to the single-threaded passes, which report it
      // on the heap's thread.
      me.failed = true;
    }
  }
}

void RecordedPartition::sum() noexcept {
  for (;;) {
    const std::size_t r = next_range_.fetch_add(1, std::memory_order_relaxed);
    if (r >= workers_) return;
    ranges_[r] = sum_range(n_ * r / workers_, n_ * (r + 1) / workers_);
  }
}

// gc_refs for [lo, hi) (only the caller writes there), zeroing the tallies it reads. A null slot
// (a hole in the working list) has count 0 and no parent: it makes the range look "not in place",
// which only sends the collection through steps 3-5 (which skip holes); it never looks like a
// root. So the set itself is not read here.
RecordedPartition::RangeResult RecordedPartition::sum_range(std::size_t lo, std::size_t hi) noexcept {
  std::int32_t* rc = rc_.data();
  std::uint32_t has_root = 0, in_place = 1;
  if (workers_ == 2) {  // the common case, branch-free (the compiler vectorizes it)
    std::uint32_t* in0 = worker_[0].in.data();
    std::uint32_t* in1 = worker_[1].in.data();
    for (std::size_t j = lo; j < hi; ++j) {
      const std::uint32_t t0 = in0[j], t1 = in1[j];
      in0[j] = 0;
      in1[j] = 0;
      const std::int32_t r = rc[j] - static_cast<std::int32_t>((t0 >> 1) + (t1 >> 1));
      rc[j] = r;
      has_root |= static_cast<std::uint32_t>(r > 0);
      in_place &= static_cast<std::uint32_t>(r > 0) | ((t0 | t1) & 1u);
    }
  } else {
    for (std::size_t j = lo; j < hi; ++j) {
      std::uint32_t parents = 0, below = 0;
      for (std::size_t w = 0; w < workers_; ++w) {
        std::uint32_t& t = worker_[w].in[j];
        parents += t >> 1;
        below |= t;
        t = 0;
      }
      const std::int32_t r = rc[j] - static_cast<std::int32_t>(parents);
      rc[j] = r;
      has_root |= static_cast<std::uint32_t>(r > 0);
      in_place &= static_cast<std::uint32_t>(r > 0) | (below & 1u);
    }
  }
  if constexpr (kDebugLevel >= 1) {
    // A negative count means a trace hook reported a reference its object does not own.
    for (std::size_t j = lo; j < hi; ++j) PYHEAP_ASSERT(rc[j] >= 0);
  }
  return RangeResult{in_place != 0, has_root != 0};
}

// Steps 3-5, or the shortcut when nothing is reachable. false (nothing changed): out of memory,
// or a trace hook threw.
bool RecordedPartition::partition(WorkerPool* pool, std::vector<Object*>& reachable,
                                  std::vector<Object*>& unreachable, Result& result) noexcept {
  try {
    if (!has_root_) {
      result.all_garbage = true;
      for (std::size_t i = 0; i < n_; ++i) result.garbage_traits |= traits_[i];
      return true;
    }
    if (ends_.size() < n_) {
      ends_.resize(n_);
      mark_.resize(n_);
    }
    for (std::size_t w = 0; w < workers_; ++w) worker_[w].failed = false;
    next_chunk_.store(0, std::memory_order_relaxed);
    auto record_job = [this](unsigned w) noexcept { record(w); };
    if (pool) pool->run(record_job); else record_job(0);
    for (std::size_t w = 0; w < workers_; ++w)
      if (worker_[w].failed) return false;
    order();
    apply(reachable, unreachable, result.garbage_traits);
  } catch (const std::bad_alloc&) {
    reachable.clear();
    unreachable.clear();
    return false;  // apply writes the objects only once its lists are allocated
  }
  return true;
}

void RecordedPartition::record(std::size_t w) noexcept {
  Worker& me = worker_[w];
  Edges& edges = me.edges;
  edges.size = 0;
  const std::vector<Object*>& set = *set_;
  const std::uint8_t list = static_cast<std::uint8_t>(list_);
  const bool prefetch = n_ >= kPrefetchMinObjects;
  const std::size_t nchunks = chunks_.size();
  auto member = [list](const Object* child) { return (ObjectAccess::header(child).gc_state & detail::kGcListMask) == list; };
  for (;;) {
    const std::size_t c = next_chunk_.fetch_add(1, std::memory_order_relaxed);
    if (c >= nchunks) break;
    if (me.failed) continue;
    chunks_[c] = Chunk{static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(edges.size)};
    const std::size_t end = std::min(n_, (c + 1) * kChunk);
    const bool prefetch_here = prefetch && children_far(set, c * kChunk, end);
    try {
      for (std::size_t i = c * kChunk; i < end; ++i) {
        if (prefetch_here && i + kPrefetchDistance < n_) {
          if (Object* ahead = set[i + kPrefetchDistance]) prefetch_children(ahead);
        }
        Object* o = set[i];
        if (o != nullptr) {
          const TypeInfo& ti = type_of(*o);
          if (ti.refs_published) {
            // Room for every published reference first, then a plain store per member child.
            const std::span<const Ref<Object>> array = ti.ref_array ? ti.ref_array(o) : std::span<const Ref<Object>>{};
            edges.reserve_more(ti.ref_offsets.size() + array.size());
            std::uint32_t* out = edges.data + edges.size;
            for (std::uint32_t off : ti.ref_offsets) {
              Object* child = detail::ref_slot(o, off);
              if (child && member(child)) *out++ = word(child).index;
            }
            for (const Ref<Object>& r : array) {
              Object* child = r.get();
              if (child && member(child)) *out++ = word(child).index;
            }
            edges.size = static_cast<std::size_t>(out - edges.data);
          } else {
            auto visit = [&](Object* child) {
              if (!member(child)) return;
              edges.reserve_more(1);
              edges.data[edges.size++] = word(child).index;
            };
            for_each_child(o, ti, visit);
          }
        }
        ends_[i] = static_cast<std::uint32_t>(edges.size);
      }
      if (edges.size > std::numeric_limits<std::uint32_t>::max()) me.failed = true;
    } catch (...) {
      me.failed = true;  // out of memory for the edges, or a trace hook threw
    }
  }
}

const std::uint32_t* RecordedPartition::edges_begin(std::size_t i) const noexcept {
  const Chunk& c = chunks_[i / kChunk];
  const std::uint32_t* e = worker_[c.worker].edges.data;
  return e + (i % kChunk == 0 ? c.begin : ends_[i - 1]);
}

const std::uint32_t* RecordedPartition::edges_end(std::size_t i) const noexcept {
  return worker_[chunks_[i / kChunk].worker].edges.data + ends_[i];
}

// move_unreachable (collector.cpp), on positions: the same walk, the same decisions.
void RecordedPartition::order() {
  const std::vector<Object*>& set = *set_;
  std::uint8_t* mark = mark_.data();
  std::memset(mark, kUnseen, n_);
  reach_.clear();
  tentative_.clear();
  taken_back_.clear();
  // visit_reachable for every recorded child of i, then i is scanned.
  auto scan = [&](std::size_t i) {
    for (const std::uint32_t *e = edges_begin(i), *stop = edges_end(i); e < stop; ++e) {
      std::uint8_t& m = mark[*e];
      if (m == kSetAside) {
        m = kToScan;  // taken back: scanned after the set, in the order taken back
        taken_back_.push_back(*e);
      } else if (m == kUnseen) {
        m = kToScan;  // ahead of the walk: gc_refs := 1
      }
    }
    mark[i] = kScanned;
  };
  for (std::size_t i = 0; i < n_; ++i) {
    if (set[i] == nullptr) continue;
    if (rc_[i] > 0 || mark[i] == kToScan) {
      scan(i);
      reach_.push_back(static_cast<std::uint32_t>(i));
    } else {
      mark[i] = kSetAside;
      tentative_.push_back(static_cast<std::uint32_t>(i));
    }
  }
  for (std::size_t q = 0; q < taken_back_.size(); ++q) scan(taken_back_[q]);
}

void RecordedPartition::apply(std::vector<Object*>& reachable, std::vector<Object*>& unreachable,
                              std::uint8_t& traits) {
  const std::vector<Object*>& set = *set_;
  reachable.reserve(reach_.size() + taken_back_.size());
  unreachable.reserve(tentative_.size());
  // Nothing below allocates: the objects are written only once both lists have room.
  auto survive = [&](std::uint32_t i) {
    Object* o = set[i];
    word(o).index = static_cast<std::uint32_t>(reachable.size());
    reachable.push_back(o);
  };
  for (std::uint32_t i : reach_) survive(i);
  for (std::uint32_t i : taken_back_) survive(i);
  for (std::uint32_t i : tentative_) {
    if (mark_[i] != kSetAside) continue;
    unreachable.push_back(set[i]);
    traits |= traits_[i];
  }
}

}  // namespace pyheap::gc
