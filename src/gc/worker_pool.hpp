// The threads a collector runs its parallel passes on (collector.hpp, set_workers).
//
// A pool of N workers is the calling thread (worker 0) plus N-1 threads, started on the first
// run() and blocked between runs. run(job) calls job(0) on the caller and offers the job to the
// threads; each thread that wakes up while the run is still open joins it and calls job(w) once.
// run returns when the caller's job(0) has returned and every thread that joined has returned
// from its job(w); then the run is closed, and a thread that wakes up later does not join it.
// So a run never waits for a thread that has not started (on a loaded machine a woken thread can
// wait milliseconds for a core): jobs share their work out dynamically (a counter of chunks), so
// that whoever participates does all of it, and must give the same results whichever workers
// take part, in whatever order. Everything a participant wrote is visible to the caller when run
// returns, and everything the caller wrote before is visible to the participants. If the threads
// cannot be started, run() calls job(0) alone. Jobs must not throw.
//
// Threads poll briefly after a job before they block, because a collection runs its passes back
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
  // How many times a thread joined a run (the caller's own job(0) not counted).
  std::uint64_t joins() const noexcept { return joins_.load(std::memory_order_relaxed); }

  template <class Job>
  void run(Job& job) noexcept {
    run_erased([](void* j, unsigned w) noexcept { (*static_cast<Job*>(j))(w); }, &job);
  }

 private:
  using Fn = void (*)(void*, unsigned) noexcept;
  void run_erased(Fn fn, void* ctx) noexcept;
  bool start() noexcept;
  void stop_threads() noexcept;  // wakes, stops and joins every thread started
  void thread_main(unsigned w) noexcept;

  // state_: the run's number (high 32 bits), whether it is closed (bit 31), and how many threads
  // are inside its job (low bits). A thread joins by incrementing the count of an open run.
  static constexpr std::uint64_t kClosed = std::uint64_t{1} << 31;
  static constexpr std::uint64_t kActive = kClosed - 1;

  const unsigned size_;
  std::vector<std::thread> threads_;
  bool start_failed_ = false;
  std::mutex mu_;
  std::condition_variable wake_;  // a new run, or stop
  std::condition_variable done_;  // the last participant left the job
  std::atomic<std::uint64_t> state_{kClosed};
  std::atomic<std::uint64_t> joins_{0};
  bool stop_ = false;  // under mu_
  Fn fn_ = nullptr;    // the open run's job, written before state_ opens it
  void* ctx_ = nullptr;
};

}  // namespace pyheap::gc
