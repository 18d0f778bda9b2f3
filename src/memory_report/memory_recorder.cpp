#include <algorithm>
#include <map>

#include "memory_report/recording.hpp"
#include "pyheap/collector.hpp"
#include "pyheap/heap.hpp"
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

// Live bytes by type name, largest first: every live object, tracked or not.
std::vector<TypeBytes> bytes_by_type(const Heap& heap) {
  std::map<std::string, TypeBytes> by_name;
  heap.for_each_object([&](Object& o) {
    TypeBytes& t = by_name[type_of(o).name];
    ++t.count;
    t.bytes += getsizeof(&o);
  });
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

}  // namespace

MemoryRecorder::MemoryRecorder(Heap& heap) : heap_(heap), rec_(std::make_unique<MemoryRecording>()) {
  MemoryRecording* rec = rec_.get();
  Heap* h = &heap_;
  callback_id_ = heap_.gc().add_callback([rec, h](GcPhase phase, const CollectionInfo& info) {
    // Stats only: a collector callback must not create or free objects of the heap.
    if (phase == GcPhase::Start) {
      rec->pending_bytes_before = bytes_held(*h);
      return;
    }
    CollectionRecord c;
    c.during_sample = rec->samples.size();
    c.generation = info.generation;
    c.collected = info.collected;
    c.seconds = info.seconds;
    c.bytes_before = rec->pending_bytes_before;
    c.bytes_after = bytes_held(*h);
    rec->collections.push_back(c);
  });
}

MemoryRecorder::~MemoryRecorder() { heap_.gc().remove_callback(callback_id_); }

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
  const bool peak = rec_->samples.empty() || m.total() > rec_->samples[rec_->peak_sample].total();
  rec_->samples.push_back(std::move(m));
  if (peak) {
    rec_->peak_sample = rec_->samples.size() - 1;
    rec_->peak_types = bytes_by_type(heap_);
    rec_->peak_arenas = heap_.allocator().occupancy();
  }
}

std::size_t MemoryRecorder::sample_count() const noexcept { return rec_->samples.size(); }
std::size_t MemoryRecorder::collection_count() const noexcept { return rec_->collections.size(); }
std::uint64_t MemoryRecorder::peak_bytes() const noexcept {
  return rec_->samples.empty() ? 0 : rec_->samples[rec_->peak_sample].total();
}

}  // namespace pyheap
