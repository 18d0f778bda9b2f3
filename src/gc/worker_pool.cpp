#include "gc/worker_pool.hpp"

namespace pyheap::gc {

namespace {
// How long a thread polls before it blocks (and the caller, before it waits to be told the run
// is over): about 50..100 us, long enough to catch the next pass of the same collection.
constexpr int kSpins = 4096;

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}
}  // namespace

WorkerPool::~WorkerPool() {
  if (threads_.empty()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool WorkerPool::start() noexcept {
  if (!threads_.empty()) return true;
  if (start_failed_ || size_ == 1) return false;
  try {
    threads_.reserve(size_ - 1);
    for (unsigned w = 1; w < size_; ++w) threads_.emplace_back([this, w] { thread_main(w); });
  } catch (...) {
    // No threads (or not all of them): stop those that did start and run jobs on the caller.
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    stop_ = false;
    start_failed_ = true;
    return false;
  }
  return true;
}

void WorkerPool::run_erased(Fn fn, void* ctx) noexcept {
  if (!start()) {
    for (unsigned w = 0; w < size_; ++w) fn(ctx, w);
    return;
  }
  {
    std::lock_guard lock(mu_);
    fn_ = fn;
    ctx_ = ctx;
    pending_.store(size_ - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  fn(ctx, 0);
  for (int i = 0; i < kSpins; ++i) {
    if (pending_.load(std::memory_order_acquire) == 0) return;
    cpu_relax();
  }
  std::unique_lock lock(mu_);
  done_.wait(lock, [this] { return pending_.load(std::memory_order_acquire) == 0; });
}

void WorkerPool::thread_main(unsigned w) noexcept {
  std::uint64_t seen = 0;
  for (;;) {
    std::uint64_t g = generation_.load(std::memory_order_acquire);
    for (int i = 0; g == seen && i < kSpins; ++i) {
      cpu_relax();
      g = generation_.load(std::memory_order_acquire);
    }
    Fn fn;
    void* ctx;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
      seen = generation_.load(std::memory_order_relaxed);
      if (stop_) return;
      fn = fn_;
      ctx = ctx_;
    }
    fn(ctx, w);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard lock(mu_);  // the caller checks pending_ under the lock: no lost wake-up
      done_.notify_one();
    }
  }
}

}  // namespace pyheap::gc
