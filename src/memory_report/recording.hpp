// memory_report/recording.hpp — a MemoryRecorder's state: the recording it hands out, and the
// scratch its collector callback keeps between a collection's Start and Stop.
#pragma once

#include <chrono>
#include <cstdint>

#include "pyheap/memory_recording.hpp"

namespace pyheap::detail {

struct RecorderState {
  MemoryRecording rec;
  std::uint64_t pending_bytes_before = 0;  // set at a collection's Start
  double pending_at_seconds = 0;           // likewise
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double seconds_since_start() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
};

}  // namespace pyheap::detail
