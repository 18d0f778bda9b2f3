#include "gc/recorded_partition.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <span>
#include <limits>
#include <new>

#include "gc/gc_object.hpp"
#include "gc/worker_pool.hpp"
#include "pyheap/internal/check.hpp"

namespace pyheap::gc {

namespace {
// Step 3's state of a position (move_unreachable's marks): not reached yet; known reachable and
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
                      ends_.capacity() * sizeof(std::uint32_t) + mark_.capacity() + loud_.capacity() +
                      (reach_.capacity() + tentative_.capacity() + taken_back_.capacity()) * sizeof(std::uint32_t);
  for (std::size_t w = 0; w < worker_capacity_; ++w) bytes += worker_[w].edges.capacity * sizeof(std::uint32_t);
  return bytes;
}

void RecordedPartition::release_memory() noexcept {
  worker_.reset();  // frees the edge lists
  worker_capacity_ = 0;
  chunks_ = {};
  rc_ = {};
  ends_ = {};
  mark_ = {};
  loud_ = {};
  reach_ = {};
  tentative_ = {};
  taken_back_ = {};
}

// Steps 1 and 2. done with unchanged: nothing more to do; done alone: order_and_apply next.
RecordedPartition::Result RecordedPartition::subtract(const std::vector<Object*>& set, int list,
                                                      WorkerPool* pool) noexcept {
  Result result;
  n_ = set.size();
  if (n_ > std::numeric_limits<std::uint32_t>::max()) return result;  // indices are 32-bit
  set_ = &set;
  list_ = list;
  workers_ = pool ? pool->size() : 1;
  const std::size_t nchunks = (n_ + kChunk - 1) / kChunk;
  try {
    if (worker_capacity_ < workers_) {
      worker_ = std::make_unique<Worker[]>(workers_);
      worker_capacity_ = workers_;
    }
    chunks_.resize(nchunks);
    range_in_place_.assign(workers_, 0);
    if (rc_.size() < n_) {
      rc_.resize(n_);
      ends_.resize(n_);
      mark_.resize(n_);
      loud_.resize(n_);
    }
  } catch (const std::bad_alloc&) {
    return result;
  }

  // 1. record. Workers that do not take part in a run keep stale lists no chunk refers to.
  for (std::size_t w = 0; w < workers_; ++w) {
    worker_[w].untrackable = 0;
    worker_[w].failed = false;
  }
  next_chunk_.store(0, std::memory_order_relaxed);
  auto record_job = [this](unsigned w) noexcept { record(w); };
  if (pool) pool->run(record_job); else record_job(0);
  for (std::size_t w = 0; w < workers_; ++w) {
    if (worker_[w].failed) return result;
    result.untrackable += worker_[w].untrackable;
  }

  // 2. count
  next_range_.store(0, std::memory_order_relaxed);
  auto count_job = [this](unsigned) noexcept { count(); };
  if (pool) pool->run(count_job); else count_job(0);
  bool in_place = true;
  for (std::size_t r = 0; r < workers_; ++r) in_place = in_place && range_in_place_[r] != 0;
  result.done = true;
  result.unchanged = in_place;
  return result;
}

// Steps 3 and 4; false (nothing changed) when out of memory.
bool RecordedPartition::order_and_apply(std::vector<Object*>& reachable, std::vector<Object*>& unreachable,
                                        bool& loud) noexcept {
  try {
    order();
    apply(reachable, unreachable, loud);
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
  // The membership test of the single-threaded walk: the child's list is the set's.
  auto member = [list](Object* child) { return (state(child) & detail::kGcListMask) == list; };
  for (;;) {
    const std::size_t c = next_chunk_.fetch_add(1, std::memory_order_relaxed);
    if (c >= nchunks) break;
    if (me.failed) continue;  // let the others take the remaining chunks; the run is abandoned
    chunks_[c] = Chunk{static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(edges.size)};
    const std::size_t end = std::min(n_, (c + 1) * kChunk);
    try {
      for (std::size_t i = c * kChunk; i < end; ++i) {
        if (prefetch && i + kPrefetchDistance < n_) {
          if (Object* ahead = set[i + kPrefetchDistance]) prefetch_children(ahead);
        }
        Object* o = set[i];
        if (o == nullptr) {
          rc_[i] = 0;
          loud_[i] = 0;
          ends_[i] = static_cast<std::uint32_t>(edges.size);
          continue;
        }
        bool loud = false;  // refers outside the set to something not quiet
        PYHEAP_ASSERT(list_of(o) == list_ && word(o).index == i);
        rc_[i] = static_cast<std::int32_t>(o->refcount());
        const TypeInfo& ti = type_of(*o);
        me.untrackable += ti.can_untrack != nullptr;
        if constexpr (kDebugLevel >= 1) check_published_refs(o, ti);
        if (ti.refs_published) {
          // Room for every published reference first, then a plain store per member child.
          const std::span<const Ref<Object>> array = ti.ref_array ? ti.ref_array(o) : std::span<const Ref<Object>>{};
          edges.reserve_more(ti.ref_offsets.size() + array.size());
          std::uint32_t* out = edges.data + edges.size;
          auto add = [&](Object* child) {
            if (child == nullptr) return;
            if (member(child)) *out++ = word(child).index;
            else loud = loud || !quiet_outsider(child);
          };
          for (std::uint32_t off : ti.ref_offsets) add(detail::ref_slot(o, off));
          for (const Ref<Object>& r : array) add(r.get());
          edges.size = static_cast<std::size_t>(out - edges.data);
        } else {
          auto visit = [&](Object* child) {
            if (!member(child)) {
              loud = loud || !quiet_outsider(child);
              return;
            }
            edges.reserve_more(1);
            edges.data[edges.size++] = word(child).index;
          };
          for_each_child(o, ti, visit);
        }
        loud_[i] = loud;
        ends_[i] = static_cast<std::uint32_t>(edges.size);
      }
      if (edges.size > std::numeric_limits<std::uint32_t>::max()) me.failed = true;
    } catch (...) {
      // Out of memory for the record, or a trace hook threw: the caller falls back to the
      // single-threaded passes, which report whatever it was on the heap's thread.
      me.failed = true;
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

namespace {
// Step 2's inner loop over one chunk's edges (parents first..end, their edges from `e` on).
template <bool kPrefetch>
inline void count_chunk(std::size_t first, std::size_t end, const std::uint32_t* e, const std::uint32_t* base,
                        const std::uint32_t* ends, std::size_t lo, std::size_t span, std::int32_t* rc,
                        std::uint8_t* below) noexcept {
  const std::uint32_t* chunk_end = base + ends[end - 1];
  for (std::size_t i = first; i < end; ++i) {
    for (const std::uint32_t* stop = base + ends[i]; e < stop; ++e) {
      if constexpr (kPrefetch) {
        if (e + 16 < chunk_end) __builtin_prefetch(rc + e[16], 1);
      }
      const std::uint32_t j = *e;
      if (j - lo < span) {
        --rc[j];
        below[j] |= static_cast<std::uint8_t>(j > i);
      }
    }
  }
}
}  // namespace

void RecordedPartition::count() noexcept {
  for (;;) {
    const std::size_t r = next_range_.fetch_add(1, std::memory_order_relaxed);
    if (r >= workers_) return;
    range_in_place_[r] = count_range(n_ * r / workers_, n_ * (r + 1) / workers_);
  }
}

// Counts the edges into [lo, hi), which only the caller writes in rc_ and mark_; returns whether
// every member there has gc_refs > 0 or a member parent below it.
bool RecordedPartition::count_range(std::size_t lo, std::size_t hi) noexcept {
  const std::size_t span = hi - lo;
  if (span == 0) return true;
  std::memset(mark_.data() + lo, 0, span);
  std::int32_t* rc = rc_.data();
  std::uint8_t* below = mark_.data();
  const bool prefetch = n_ >= kPrefetchMinObjects;
  const std::size_t nchunks = chunks_.size();
  for (std::size_t c = 0; c < nchunks; ++c) {
    const std::size_t first = c * kChunk;
    const std::size_t end = std::min(n_, first + kChunk);
    const std::uint32_t* base = worker_[chunks_[c].worker].edges.data;
    const std::uint32_t* e = base + chunks_[c].begin;
    if (prefetch) count_chunk<true>(first, end, e, base, ends_.data(), lo, span, rc, below);
    else count_chunk<false>(first, end, e, base, ends_.data(), lo, span, rc, below);
  }
  // Step 3 can be skipped if every member of every range has gc_refs > 0 or a parent below it.
  bool all = true;
  const std::vector<Object*>& set = *set_;
  for (std::size_t j = lo; j < hi; ++j) {
    // A negative count means a trace hook reported a reference its object does not own.
    PYHEAP_ASSERT(rc[j] >= 0);
    if (set[j] != nullptr && rc[j] <= 0 && below[j] == 0) {
      all = false;
      if constexpr (kDebugLevel < 1) break;
    }
  }
  return all;
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

void RecordedPartition::apply(std::vector<Object*>& reachable, std::vector<Object*>& unreachable, bool& loud) {
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
    loud = loud || loud_[i] != 0;
  }
}

}  // namespace pyheap::gc
