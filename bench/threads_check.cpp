// How much W threads get done on this machine, compared with one, on three kinds of work: an
// integer loop (no memory), streaming reads and prefetched random reads (a collector's walks are
// the latter two). bench/run.py prints it above the table: a parallel collector can only be as
// much faster than a sequential one as the machine lets W threads be (shared or overcommitted
// virtual CPUs, a shared memory system).
//
//   threads_check [W]      (default: the number of hardware threads)
//
// Prints one JSON object: {"threads": W, "integer": S, "stream": S, "random": S}, each S the
// speedup (time of the work done by one thread W times over, divided by the time W threads take
// for it, one share each): W means perfect scaling, 1 none.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#include "bench_util.hpp"

namespace {

__attribute__((noinline)) std::uint64_t integer_work(std::uint64_t n) {
  std::uint64_t x = 1;
  for (std::uint64_t i = 0; i < n; ++i) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return x;
}

// Sums one word per cache line of its own buffer.
__attribute__((noinline)) std::uint64_t stream_work(const std::vector<std::uint64_t>& v) {
  std::uint64_t s = 0;
  for (std::size_t i = 0; i < v.size(); i += 8) s += v[i];
  return s;
}

// Reads random words of a shared 256 MiB buffer, prefetching 32 ahead as the collector does.
__attribute__((noinline)) std::uint64_t random_work(const std::vector<std::uint64_t>& v,
                                                    const std::vector<std::uint32_t>& idx) {
  std::uint64_t s = 0;
  for (std::size_t i = 0; i < idx.size(); ++i) {
    if (i + 32 < idx.size()) __builtin_prefetch(&v[idx[i + 32]]);
    s += v[idx[i]];
  }
  return s;
}

// Best of three: (time of w shares on one thread) / (time of w shares on w threads).
double speedup(unsigned w, const std::function<std::uint64_t(unsigned)>& share) {
  double best = 0;
  for (int r = 0; r < 3; ++r) {
    std::vector<std::uint64_t> out(w);
    const double t0 = bench::now_seconds();
    for (unsigned k = 0; k < w; ++k) out[k] = share(k);
    const double t1 = bench::now_seconds();
    std::vector<std::thread> threads;
    for (unsigned k = 1; k < w; ++k) threads.emplace_back([&, k] { out[k] = share(k); });
    out[0] = share(0);
    for (auto& t : threads) t.join();
    const double t2 = bench::now_seconds();
    bench::do_not_optimize(out);
    best = std::max(best, (t1 - t0) / (t2 - t1));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned w = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : std::thread::hardware_concurrency();
  if (w == 0) w = 1;
  const double integer = speedup(w, [](unsigned) { return integer_work(100'000'000); });
  std::vector<std::vector<std::uint64_t>> buffers(w, std::vector<std::uint64_t>(std::size_t{16} << 20, 1));
  const double stream = speedup(w, [&](unsigned k) { return stream_work(buffers[k]); });
  std::vector<std::uint64_t> shared(std::size_t{32} << 20, 1);
  std::vector<std::vector<std::uint32_t>> idx(w, std::vector<std::uint32_t>(std::size_t{1} << 22));
  bench::SplitMix64 rng(7);
  for (auto& list : idx)
    for (auto& x : list) x = static_cast<std::uint32_t>(rng.below(shared.size()));
  const double random = speedup(w, [&](unsigned k) { return random_work(shared, idx[k]); });
  std::printf("{\"threads\": %u, \"integer\": %.2f, \"stream\": %.2f, \"random\": %.2f}\n", w, integer, stream, random);
  return 0;
}
