// The threads a collector runs its parallel passes on (collector.hpp, set_workers).
//
// A pool of N workers is the calling thread (worker 0) plus N-1 threads, started on the first
// run() and blocked between runs. run(job) is a fork and a join: job(w) runs once for every
// worker w, and run returns when all of them have returned, so everything a job wrote is visible
// to the caller afterwards (and everything the caller wrote before is visible to the jobs).
// If the threads cannot be started, run() calls every job on the calling thread, one after
// another: jobs must give the same results whichever thread runs them and in whatever order
// (they do not wait for each other). Jobs must not throw.
//
// Threads spin briefly after a job before they block, because a collection runs its passes back
// to back; a blocked thread costs nothing.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace pyheap::gc {

class WorkerPool {
 public:
  explicit WorkerPool(unsigned workers) noexcept : size_(workers == 0 ? 1 : workers) {}
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  unsigned size() const noexcept { return size_; }

  template <class Job>
  void run(Job& job) noexcept {
    run_erased([](void* j, unsigned w) noexcept { (*static_cast<Job*>(j))(w); }, &job);
  }

 private:
  using Fn = void (*)(void*, unsigned) noexcept;
  void run_erased(Fn fn, void* ctx) noexcept;
  bool start() noexcept;
  void thread_main(unsigned w) noexcept;

  const unsigned size_;
  std::vector<std::thread> threads_;
  bool start_failed_ = false;
  std::mutex mu_;
  std::condition_variable wake_;  // a new run, or stop
  std::condition_variable done_;  // the last thread finished its job
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<unsigned> pending_{0};
  bool stop_ = false;
  Fn fn_ = nullptr;
  void* ctx_ = nullptr;
};

}  // namespace pyheap::gc
