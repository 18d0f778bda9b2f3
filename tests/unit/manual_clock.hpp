// A clock the tests move by hand, for SmallObjectAllocator::set_clock: the purge rule's waits are
// then exact and no test depends on how fast the machine runs or how long a sleep lasts.
#pragma once

#include <chrono>

namespace pyheap::testing {

struct ManualClock {
  // One process-wide reading (set_clock takes a plain function); each test sets it first.
  static inline std::chrono::nanoseconds now = std::chrono::hours(1);
  static std::chrono::nanoseconds read() noexcept { return now; }
  static void advance(std::chrono::nanoseconds by) noexcept { now += by; }
};

}  // namespace pyheap::testing
