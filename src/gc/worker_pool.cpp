#include "gc/worker_pool.hpp"

namespace pyheap::gc {

namespace {
// How long a thread polls before it blocks (and the caller, before it waits for the threads
// inside a job): about 50..100 us, long enough to catch the next pass of the same collection.
constexpr int kSpins = 4096;

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

constexpr std::uint64_t run_number(std::uint64_t state) noexcept { return state >> 32; }
}  // namespace

WorkerPool::~WorkerPool() { stop_threads(); }

void WorkerPool::stop_threads() noexcept {
  if (threads_.empty()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    // A new (closed) run number wakes the threads that poll or wait; they then see stop_.
    state_.store(((run_number(state_.load(std::memory_order_relaxed)) + 1) << 32) | kClosed,
                 std::memory_order_release);
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

bool WorkerPool::start() noexcept {
  if (!threads_.empty()) return true;
  if (start_failed_ || size_ == 1) return false;
  try {
    threads_.reserve(size_ - 1);
    for (unsigned w = 1; w < size_; ++w) threads_.emplace_back([this, w] { thread_main(w); });
  } catch (...) {
    // Not all threads started: stop those that did; jobs run on the caller alone from now on.
    stop_threads();
    stop_ = false;
    start_failed_ = true;
    return false;
  }
  return true;
}

void WorkerPool::run_erased(Fn fn, void* ctx) noexcept {
  if (!start()) {
    fn(ctx, 0);
    return;
  }
  // The previous run is closed and empty: no thread reads fn_ or ctx_ until this run opens.
  fn_ = fn;
  ctx_ = ctx;
  {
    std::lock_guard lock(mu_);
    state_.store((run_number(state_.load(std::memory_order_relaxed)) + 1) << 32, std::memory_order_release);
  }
  wake_.notify_all();
  fn(ctx, 0);
  // Close the run once nobody is inside it: a thread that joined finishes its job first, one
  // that has not joined yet will find the run closed.
  std::uint64_t s = state_.load(std::memory_order_acquire);
  for (int spins = 0;;) {
    if ((s & kActive) == 0) {
      if (state_.compare_exchange_weak(s, s | kClosed, std::memory_order_acq_rel, std::memory_order_acquire)) return;
      continue;
    }
    if (spins < kSpins) {
      ++spins;
      cpu_relax();
      s = state_.load(std::memory_order_acquire);
      continue;
    }
    std::unique_lock lock(mu_);
    done_.wait(lock, [this] { return (state_.load(std::memory_order_acquire) & kActive) == 0; });
    s = state_.load(std::memory_order_acquire);
  }
}

void WorkerPool::thread_main(unsigned w) noexcept {
  std::uint64_t seen = run_number(state_.load(std::memory_order_acquire));
  for (;;) {
    std::uint64_t s = state_.load(std::memory_order_acquire);
    for (int i = 0; run_number(s) == seen && i < kSpins; ++i) {
      cpu_relax();
      s = state_.load(std::memory_order_acquire);
    }
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stop_ || run_number(state_.load(std::memory_order_relaxed)) != seen; });
      if (stop_) return;
      s = state_.load(std::memory_order_acquire);
    }
    seen = run_number(s);
    // Join the run if it is still open.
    while ((s & kClosed) == 0 && run_number(s) == seen) {
      if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        joins_.fetch_add(1, std::memory_order_relaxed);
        fn_(ctx_, w);
        if (((state_.fetch_sub(1, std::memory_order_acq_rel) - 1) & kActive) == 0) {
          std::lock_guard lock(mu_);  // the caller checks under the lock: no lost wake-up
          done_.notify_one();
        }
        break;
      }
    }
  }
}

}  // namespace pyheap::gc
