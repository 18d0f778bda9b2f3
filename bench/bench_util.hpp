// Helpers shared by the benchmark programs: the seeded PRNG (the same splitmix64 as
// bench/cpython_workloads.py, so both sides draw the same numbers), a clock, a barrier that keeps
// the compiler from deleting measured work, resident memory, and the one output format the
// driver (bench/run.py) reads: one JSON object per line.
#pragma once

#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace bench {

// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and trivial to reproduce in Python.
struct SplitMix64 {
  std::uint64_t state;
  explicit SplitMix64(std::uint64_t seed) : state(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform enough for benchmarks; the modulo bias is the same on both sides.
  std::uint64_t below(std::uint64_t n) { return next() % n; }
};

inline double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU time of the whole process (every thread, user and system: page faults count), which a
// machine shared with other work does not inflate the way it inflates elapsed time.
inline double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The value is treated as read and memory as clobbered: the work producing it must happen.
template <class T>
inline void do_not_optimize(T const& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}

// Resident set size of this process, from /proc/self/statm (second field, in pages).
inline double rss_mib() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return -1;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  if (n != 2) return -1;
  return static_cast<double>(resident) * 4096.0 / (1024.0 * 1024.0);
}

// Peak resident memory of this process so far, in MiB: VmHWM from /proc/self/status. (Not
// getrusage's ru_maxrss: Linux keeps that across execve, so a program started by bench/run.py
// reported the Python driver's own 11 MiB as its peak.)
inline double peak_rss_mib() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  double kib = -1;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "VmHWM: %lf kB", &kib) == 1) break;
  std::fclose(f);
  return kib / 1024.0;
}

// One measurement. `check` is what the driver requires to be equal between the subjects of one
// figure ("CHECKSUM/COUNT": a graph checksum and an object count, "-" for a part a subject cannot
// report); `note` is shown, not compared.
// `threads`: how many threads did the measured work (0: not said; the collectors say).
inline void emit(const std::string& figure, const std::string& subject, double value,
                 const char* unit, const std::string& check = "", const std::string& note = "",
                 unsigned threads = 0) {
  std::printf("{\"figure\": \"%s\", \"subject\": \"%s\", \"value\": %.6g, \"unit\": \"%s\", "
              "\"check\": \"%s\", \"note\": \"%s\", \"threads\": %u}\n",
              figure.c_str(), subject.c_str(), value, unit, check.c_str(), note.c_str(), threads);
  std::fflush(stdout);
}

// The value after `--name` on a command line, or `fallback`.
inline std::string option(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == "--" + name) return argv[i + 1];
  return fallback;
}
inline bool flag(int argc, char** argv, const std::string& name) {
  for (int i = 1; i < argc; ++i)
    if (argv[i] == "--" + name) return true;
  return false;
}

// "100000,1000000" -> {"100000", "1000000"}: the size and shape lists run.py passes.
inline std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

}  // namespace bench
