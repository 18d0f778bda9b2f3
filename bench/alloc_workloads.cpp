// Allocator workloads. One source, compiled into one program per allocator (bench/CMakeLists.txt):
//   alloc_pyheap     pyheap's SmallObjectAllocator through its own API (sized free);
//   alloc_glibc      the C library's malloc/free;
//   alloc_mimalloc, alloc_jemalloc, alloc_tcmalloc
//                    the same malloc/free calls, with the peer linked so that it replaces malloc.
// Before measuring, a malloc-based program checks which shared object really provides `malloc`
// (dladdr on the symbol the dynamic linker resolved) and exits with status 3 if it is not the
// expected one, so a link-order accident cannot turn a peer into glibc unnoticed.
//
//   alloc_X speed [mixed|burst|fifo]
//                   prints ns per operation for (all three without a name; one, for profiling): mixed (sizes 16..512, a window of 100,000 live
//                   blocks, a random block replaced per step), burst (1M blocks of 48 bytes
//                   allocated then all freed, three times; then the resident memory above the start,
//                   right after the last free and once the program has been idle, see idle()),
//                   fifo (a producer-consumer queue: blocks of 16..256 bytes freed in the order they
//                   were made, 10,000 in flight)
//   alloc_X rss     resident MiB at start, after 1M blocks of 48 bytes, after freeing a random 90%,
//                   after freeing the rest, and once idle (bench/cpython_workloads.py does the same
//                   with objects)
// Every random choice (sizes, slots, the freeing order) is drawn from splitmix64 with fixed seeds
// and drawn before the clock starts, so every allocator serves exactly the same request sequence.
// Each block gets one 8-byte write, so no allocator can get away with handing out untouched memory.
#include <dlfcn.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.hpp"

#ifdef BENCH_PYHEAP
#include "pyheap/small_object_allocator.hpp"
#endif

#ifndef BENCH_ALLOCATOR
#error "BENCH_ALLOCATOR must name the allocator (see bench/CMakeLists.txt)"
#endif

namespace {

#ifdef BENCH_PYHEAP
pyheap::SmallObjectAllocator* g_alloc;
inline void* bench_alloc(std::size_t n) { return g_alloc->allocate(n); }
inline void bench_free(void* p, std::size_t n) { g_alloc->deallocate(p, n); }
void setup() { g_alloc = new pyheap::SmallObjectAllocator(); }
// The program goes idle after freeing, as an event loop would: it calls purge_expired() (what
// Heap::idle() calls) and sleeps as long as that says, until nothing waits. Returns what happened.
std::string idle() {
  const double t0 = bench::now_seconds();
  int calls = 1;
  for (auto wait = g_alloc->purge_expired(); wait != std::chrono::nanoseconds::max(); ++calls) {
    std::this_thread::sleep_for(wait);
    wait = g_alloc->purge_expired();
  }
  const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(g_alloc->purge_delay());
  char note[200];
  std::snprintf(note, sizeof note, "purge rule ran: idle, purge_expired() called %d times, done %.0f ms after the last free (delay %lld ms)",
                calls, (bench::now_seconds() - t0) * 1e3, static_cast<long long>(delay.count()));
  return note;
}
#else
inline void* bench_alloc(std::size_t n) {
  void* p = std::malloc(n);
  if (!p) std::abort();
  return p;
}
// The size is unused: malloc's free finds it itself. The caller keeps it either way, so both
// sides do the same bookkeeping.
inline void bench_free(void* p, std::size_t) { std::free(p); }

// The library the dynamic linker bound `malloc` to must be the one this program is named for.
void setup() {
  void* sym = dlsym(RTLD_DEFAULT, "malloc");
  Dl_info info{};
  if (!sym || !dladdr(sym, &info) || !info.dli_fname) {
    std::fprintf(stderr, "%s: cannot locate malloc\n", BENCH_ALLOCATOR);
    std::exit(3);
  }
  const std::string lib = info.dli_fname;
  const std::string want = std::string(BENCH_ALLOCATOR) == "glibc" ? "libc.so" : BENCH_ALLOCATOR;
  if (lib.find(want) == std::string::npos) {
    std::fprintf(stderr, "%s: malloc comes from %s, not %s: the replacement did not take\n",
                 BENCH_ALLOCATOR, lib.c_str(), want.c_str());
    std::exit(3);
  }
}
// A malloc peer, idle as long as pyheap's default purge delay, with nothing called: what its own
// rules (decay timers, none) give back meanwhile.
std::string idle() {
  std::this_thread::sleep_for(std::chrono::milliseconds(110));
  return "idle 110 ms, nothing called";
}
#endif

const char* const kSubject = BENCH_ALLOCATOR;

void touch(void* p) {
  std::uint64_t v = reinterpret_cast<std::uintptr_t>(p);
  std::memcpy(p, &v, sizeof v);
}

void mixed() {
  constexpr std::size_t kWindow = 100000, kSteps = 4000000;
  bench::SplitMix64 rng(42);
  std::vector<void*> slot(kWindow);
  std::vector<std::uint16_t> size(kWindow);
  std::vector<std::uint32_t> step_slot(kSteps);
  std::vector<std::uint16_t> step_size(kSteps);
  for (std::size_t i = 0; i < kWindow; ++i) size[i] = static_cast<std::uint16_t>(16 + rng.below(497));
  for (std::size_t i = 0; i < kSteps; ++i) {
    step_slot[i] = static_cast<std::uint32_t>(rng.below(kWindow));
    step_size[i] = static_cast<std::uint16_t>(16 + rng.below(497));
  }
  for (std::size_t i = 0; i < kWindow; ++i) touch(slot[i] = bench_alloc(size[i]));
  const double t0 = bench::now_seconds();
  for (std::size_t i = 0; i < kSteps; ++i) {
    const std::uint32_t j = step_slot[i];
    bench_free(slot[j], size[j]);
    size[j] = step_size[i];
    touch(slot[j] = bench_alloc(size[j]));
  }
  const double t = bench::now_seconds() - t0;
  bench::do_not_optimize(slot.data());
  for (std::size_t i = 0; i < kWindow; ++i) bench_free(slot[i], size[i]);
  bench::emit("alloc mixed 16..512, 100k live", kSubject, t * 1e9 / kSteps, "ns/free+alloc");
}

// Timed rounds, then the memory: RSS above the start right after the last free (pyheap keeps the
// emptied pools until its purge rule runs), and once the program has been idle (idle()).
void burst() {
  constexpr std::size_t kBlocks = 1000000, kRounds = 3;
  std::vector<void*> blocks(kBlocks);
  bench_free(bench_alloc(48), 48);  // the allocator's own bookkeeping goes into the start figure
  const double start = bench::rss_mib();
  const double t0 = bench::now_seconds();
  for (std::size_t r = 0; r < kRounds; ++r) {
    for (std::size_t i = 0; i < kBlocks; ++i) touch(blocks[i] = bench_alloc(48));
    bench::do_not_optimize(blocks.data());
    for (std::size_t i = 0; i < kBlocks; ++i) bench_free(blocks[i], 48);
  }
  const double t = bench::now_seconds() - t0;
  const double freed = bench::rss_mib();
  const std::string how = idle();
  const double after_idle = bench::rss_mib();
  bench::emit("alloc burst 1M x 48 B", kSubject, t * 1e9 / (kBlocks * kRounds), "ns/alloc+free");
  bench::emit("alloc burst: rss right after the last free (above start)", kSubject, freed - start, "MiB");
  bench::emit("alloc burst: rss once idle (above start)", kSubject, after_idle - start, "MiB", "", how);
}

void fifo() {
  constexpr std::size_t kInFlight = 10000, kSteps = 4000000;
  bench::SplitMix64 rng(7);
  std::vector<std::uint16_t> step_size(kSteps);
  for (auto& s : step_size) s = static_cast<std::uint16_t>(16 + rng.below(241));
  std::vector<void*> ring(kInFlight);
  std::vector<std::uint16_t> ring_size(kInFlight);
  const double t0 = bench::now_seconds();
  for (std::size_t i = 0; i < kSteps; ++i) {
    const std::size_t k = i % kInFlight;
    if (i >= kInFlight) bench_free(ring[k], ring_size[k]);  // the consumer: oldest first
    ring_size[k] = step_size[i];
    touch(ring[k] = bench_alloc(step_size[i]));  // the producer
  }
  const double t = bench::now_seconds() - t0;
  bench::do_not_optimize(ring.data());
  for (std::size_t k = 0; k < kInFlight; ++k) bench_free(ring[k], ring_size[k]);
  bench::emit("alloc fifo 16..256, 10k in flight", kSubject, t * 1e9 / kSteps, "ns/alloc+free");
}

void rss() {
  constexpr std::size_t kBlocks = 1000000;
  bench::SplitMix64 rng(1234);
  // The freeing order: a Fisher-Yates shuffle, as cpython_workloads.py draws it.
  std::vector<std::uint32_t> order(kBlocks);
  for (std::size_t i = 0; i < kBlocks; ++i) order[i] = static_cast<std::uint32_t>(i);
  for (std::size_t i = kBlocks - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
  std::vector<void*> blocks(kBlocks, nullptr);
  // Warm the allocator up with one block, so its own bookkeeping is in the start figure.
  bench_free(bench_alloc(48), 48);
  const double start = bench::rss_mib();
  for (std::size_t i = 0; i < kBlocks; ++i) touch(blocks[i] = bench_alloc(48));
  const double full = bench::rss_mib();
  const std::size_t ninety = kBlocks * 9 / 10;
  for (std::size_t i = 0; i < ninety; ++i) bench_free(blocks[order[i]], 48);
  const double tenth = bench::rss_mib();
  for (std::size_t i = ninety; i < kBlocks; ++i) bench_free(blocks[order[i]], 48);
  const double empty = bench::rss_mib();
  const std::string how = idle();
  const double after_idle = bench::rss_mib();
  bench::emit("rss 1M x 48 B allocated (above start)", kSubject, full - start, "MiB");
  bench::emit("rss after freeing random 90% (above start)", kSubject, tenth - start, "MiB");
  bench::emit("rss after freeing all (above start)", kSubject, empty - start, "MiB");
  bench::emit("rss after freeing all, once idle (above start)", kSubject, after_idle - start, "MiB", "", how);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const std::string only = argc > 2 ? argv[2] : "";
  setup();
  if (mode == "speed" && (only.empty() || only == "mixed" || only == "burst" || only == "fifo")) {
    if (only.empty() || only == "mixed") mixed();
    if (only.empty() || only == "burst") burst();
    if (only.empty() || only == "fifo") fifo();
  } else if (mode == "rss") {
    rss();
  } else {
    std::fprintf(stderr, "usage: %s speed [mixed|burst|fifo] | rss\n", argv[0]);
    return 2;
  }
  return 0;
}
