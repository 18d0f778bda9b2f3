// pyheap/memory_report.hpp — a heap's memory over a run, recorded as it happens and written as
// one self-contained HTML page.
//
// Concept. A MemoryRecorder watches one Heap: every collection (through a collector callback:
// generation, objects collected, bytes freed, pause, when), and, each time sample() is called, the
// bytes the allocator holds per size class and for large blocks. At the sample with the most
// bytes held (the peak) it also keeps the live bytes by type (every live object, by Heap::
// for_each_object) and the allocator's arenas and pools with their occupancy; once the heap has
// more than kExactDetailObjects objects, only at a peak a sixteenth above the last one so kept,
// and the page then says which sample they are of. write_html() draws it all: memory over time
// (stacked by size class, collections marked), the collections with their pauses and yields, the
// largest types at the peak and the pool map at the peak.
//
// `pyheap run --report FILE` samples after every statement of the script; a C++ program samples
// where it likes:
//
//   pyheap::MemoryRecorder rec(heap);
//   for (auto& phase : phases) { phase.run(heap); rec.sample(phase.name); }
//   rec.write_html("memory.html", "my program");
//
// Invariants: the recorder must not outlive its heap (its destructor removes the callback);
// sample() and write_html() must not be called from inside a collection. Samples cost a stats()
// call, plus a walk of every live object when a new peak is reached (amortised: the walks of a
// growing heap add up to a few times its final size).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "pyheap/internal/export.hpp"
#include "pyheap/memory_recording.hpp"

namespace pyheap {

class Heap;
namespace detail {
struct RecorderState;  // the recording and the callback's scratch (src/memory_report/)
}

class PYHEAP_API MemoryRecorder {
 public:
  explicit MemoryRecorder(Heap& heap);
  ~MemoryRecorder();
  MemoryRecorder(const MemoryRecorder&) = delete;
  MemoryRecorder& operator=(const MemoryRecorder&) = delete;

  // Up to this many live objects, the by-type and pool views are taken at every new peak.
  static constexpr std::size_t kExactDetailObjects = 4096;

  void sample(std::string label);
  std::size_t sample_count() const noexcept;
  std::size_t collection_count() const noexcept;
  // The largest bytes held (small blocks + large) at any sample so far.
  std::uint64_t peak_bytes() const noexcept;

  // The page. Throws std::runtime_error if the file cannot be written.
  std::string html(const std::string& title) const;
  void write_html(const std::string& path, const std::string& title) const;

  // Everything recorded, for tests and other renderings.
  const MemoryRecording& recording() const noexcept;

 private:
  Heap& heap_;
  std::unique_ptr<detail::RecorderState> state_;
  int callback_id_ = 0;
};

}  // namespace pyheap
