// pyheap/memory_recording.hpp — what a MemoryRecorder (memory_report.hpp) recorded: a sample of
// the allocator per sample() call, one record per collection, and the by-type and pool views
// near the peak. Plain data, for tests and for renderings other than the recorder's own page.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pyheap/internal/export.hpp"
#include "pyheap/allocator_stats.hpp"

namespace pyheap {

struct PYHEAP_API MemorySample {
  std::string label;
  std::vector<std::uint64_t> class_bytes;  // bytes_held per size class (index = size class)
  std::vector<std::uint64_t> class_block_size;
  std::uint64_t large_bytes = 0;
  std::uint64_t total() const noexcept;
  std::size_t live_objects = 0;
  double at_seconds = 0;  // when it was taken, since the recorder was made (steady clock)
};

struct CollectionRecord {
  std::size_t during_sample = 0;  // the collection ran after this many samples had been taken
  int generation = 0;
  std::size_t collected = 0;
  std::uint64_t bytes_before = 0, bytes_after = 0;  // small + large, at Start and at Stop
  double seconds = 0;     // the pause
  double at_seconds = 0;  // when it started, since the recorder was made (steady clock)
};

struct TypeBytes {
  std::string name;
  std::size_t count = 0;
  std::uint64_t bytes = 0;  // getsizeof summed over the live objects of the type
};

struct MemoryRecording {
  std::vector<MemorySample> samples;
  std::vector<CollectionRecord> collections;
  std::size_t peak_sample = 0;         // index into samples (valid when samples is not empty)
  // The by-type and pool views, taken at sample detail_sample: the peak itself while the heap is
  // small, else the last sample that raised the peak by a sixteenth (memory_recorder.cpp: a
  // growing heap is not walked after every sample). detail_sample <= peak_sample.
  std::size_t detail_sample = 0;
  std::vector<TypeBytes> peak_types;   // largest first
  std::vector<ArenaOccupancy> peak_arenas;
};

}  // namespace pyheap
