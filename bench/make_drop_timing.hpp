// The two make+drop timings that object_model.cpp and tracing_overhead.cpp share, in this
// thread's CPU time (on a shared machine, time spent preempted by other processes would otherwise
// land on whichever variant happened to be running):
//   time_pairs: one object made and dropped at a time (its block is reused at once);
//   time_batch: 4,096 made, then all dropped (every make takes a fresh block, every drop frees
//               one that is no longer in the cache).
// make(heap, i) returns the Ref<T> to time; nanoseconds per make+drop.
#pragma once

#include <time.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bench_util.hpp"
#include "pyheap/heap.hpp"

namespace bench {

inline double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

template <class Make>
double time_pairs(pyheap::Heap& heap, std::size_t ops, Make make) {
  std::int64_t sink = 0;
  const double t0 = thread_cpu_ns();
  for (std::size_t i = 0; i < ops; ++i) {
    auto r = make(heap, static_cast<std::int64_t>(i));
    sink += static_cast<std::int64_t>(r->refcount());
  }
  const double t1 = thread_cpu_ns();
  do_not_optimize(sink);
  return (t1 - t0) / static_cast<double>(ops);
}

template <class Make>
double time_batch(pyheap::Heap& heap, std::size_t ops, Make make) {
  constexpr std::size_t kBatch = 4096;
  std::vector<decltype(make(heap, std::int64_t{0}))> held;
  held.reserve(kBatch);
  const std::size_t rounds = (ops + kBatch - 1) / kBatch;
  const double t0 = thread_cpu_ns();
  for (std::size_t r = 0; r < rounds; ++r) {
    for (std::size_t i = 0; i < kBatch; ++i) held.push_back(make(heap, static_cast<std::int64_t>(i)));
    held.clear();
  }
  const double t1 = thread_cpu_ns();
  return (t1 - t0) / static_cast<double>(rounds * kBatch);
}

}  // namespace bench
