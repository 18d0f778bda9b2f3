// MemoryRecorder: samples of the allocator's statistics, collections through a collector callback,
// and the by-type and pool views at the peak (memory_page.cpp draws them).
#include <algorithm>
#include <map>

#include "memory_report/recording.hpp"
#include "pyheap/collector.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/heap_graph.hpp"
#include "pyheap/memory_report.hpp"
#include "pyheap/size.hpp"

namespace pyheap {

std::uint64_t MemorySample::total() const noexcept {
  std::uint64_t t = large_bytes;
  for (auto b : class_bytes) t += b;
  return t;
}

namespace {

std::uint64_t bytes_held(const Heap& heap) {
  const AllocatorStats s = heap.allocator().stats();
  return s.bytes_held + s.large_bytes;
}

// Live bytes by type (TypeInfo::name, as every output names them),
// largest first: every live object, tracked or not. Summed by type id during the walk, so each
// object costs an array index, and each type is named once.
std::vector<TypeBytes> bytes_by_type(const Heap& heap) {
  struct ById {
    const Object* sample = nullptr;
    std::size_t count = 0;
    std::uint64_t bytes = 0;
  };
  std::vector<ById> by_id;
  heap.for_each_object([&](Object& o) {
    if (o.type_id() >= by_id.size()) by_id.resize(std::size_t{o.type_id()} + 1);
    ById& t = by_id[o.type_id()];
    t.sample = &o;
    ++t.count;
    t.bytes += getsizeof(&o);
  });
  std::map<std::string, TypeBytes> by_name;
  for (const ById& t : by_id) {
    if (t.count == 0) continue;
    TypeBytes& named = by_name[type_of(*t.sample).name];
    named.count += t.count;
    named.bytes += t.bytes;
  }
  std::vector<TypeBytes> out;
  for (auto& [name, t] : by_name) {
    t.name = name;
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end(), [](const TypeBytes& a, const TypeBytes& b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.name < b.name;
  });
  return out;
}

// Whether a new peak is worth walking the heap for. Small heaps: always, so the views are of
// the peak itself. Larger ones: only when the peak grew by a sixteenth since the views were
// taken; otherwise a heap growing statement by statement would be walked after every one
// (quadratic: 20,000 `new` statements took 6.7 s instead of 0.15 s). With the sixteenth, the
// walks of a growing heap add up to about 17 times its final size.
bool worth_new_details(const MemorySample& now, const MemorySample& last_details) {
  if (now.live_objects <= MemoryRecorder::kExactDetailObjects) return true;
  return now.total() >= last_details.total() + last_details.total() / 16;
}

}  // namespace

MemoryRecorder::MemoryRecorder(Heap& heap) : heap_(heap), state_(std::make_unique<detail::RecorderState>()) {
  detail::RecorderState* st = state_.get();
  MemoryRecording* rec = &st->rec;
  Heap* h = &heap_;
  callback_id_ = heap_.gc().add_callback([st, rec, h](GcPhase phase, const CollectionInfo& info) {
    // Stats only: a collector callback must not create or free objects of the heap.
    if (phase == GcPhase::Start) {
      st->pending_bytes_before = bytes_held(*h);
      st->pending_at_seconds = st->seconds_since_start();
      return;
    }
    CollectionRecord c;
    c.during_sample = rec->samples.size();
    c.generation = info.generation;
    c.collected = info.collected;
    c.seconds = info.seconds;
    c.at_seconds = st->pending_at_seconds;
    c.bytes_before = st->pending_bytes_before;
    c.bytes_after = bytes_held(*h);
    rec->collections.push_back(c);
  });
}

MemoryRecorder::~MemoryRecorder() { heap_.gc().remove_callback(callback_id_); }

const MemoryRecording& MemoryRecorder::recording() const noexcept { return state_->rec; }

void MemoryRecorder::sample(std::string label) {
  const AllocatorStats s = heap_.allocator().stats();
  MemorySample m;
  m.label = std::move(label);
  m.class_bytes.resize(s.size_classes.size());
  m.class_block_size.resize(s.size_classes.size());
  for (std::size_t i = 0; i < s.size_classes.size(); ++i) {
    m.class_bytes[i] = s.size_classes[i].bytes_held;
    m.class_block_size[i] = s.size_classes[i].block_size;
  }
  m.large_bytes = s.large_bytes;
  m.live_objects = heap_.live_objects();
  m.at_seconds = state_->seconds_since_start();
  const bool peak = state_->rec.samples.empty() || m.total() > state_->rec.samples[state_->rec.peak_sample].total();
  state_->rec.samples.push_back(std::move(m));
  if (!peak) return;
  state_->rec.peak_sample = state_->rec.samples.size() - 1;
  if (state_->rec.peak_sample == 0 || worth_new_details(state_->rec.samples.back(), state_->rec.samples[state_->rec.detail_sample])) {
    state_->rec.detail_sample = state_->rec.peak_sample;
    state_->rec.peak_types = bytes_by_type(heap_);
    state_->rec.peak_arenas = heap_.allocator().occupancy();
  }
}

std::size_t MemoryRecorder::sample_count() const noexcept { return state_->rec.samples.size(); }
std::size_t MemoryRecorder::collection_count() const noexcept { return state_->rec.collections.size(); }
std::uint64_t MemoryRecorder::peak_bytes() const noexcept {
  return state_->rec.samples.empty() ? 0 : state_->rec.samples[state_->rec.peak_sample].total();
}

}  // namespace pyheap
