// The driver side of the real-shape programs (bench/shapes/): one program per memory policy
// (shapes_pyheap, shapes_shared_ptr, shapes_by_hand, shapes_boehm, shapes_cppgc), each running
// any of the programs below by name, once, and printing for bench/run.py
//   FIGURE                 the program's time, process CPU seconds (user + system, every thread)
//   FIGURE: peak RSS       the process's peak resident memory (VmHWM), MiB
// with the program's checksum as the check every subject must agree on, and whatever the policy's
// hooks add (pyheap: the share of the time spent in automatic collections, the collections;
// Boehm: its collections).
//
//   shapes_X NAME [--scale K]   run NAME with K times its rounds (default 1)
//   shapes_X --list             the names this policy runs, one a line
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "../bench_util.hpp"

namespace shapes {

// Name, figure. The figure names what the program is; bench/run.py's targets (bench/issue20.py)
// find them by the "shape " prefix and the name, and their parts by the ": " after it.
struct ProgramInfo {
  const char* name;
  const char* figure;
};
inline constexpr ProgramInfo kPrograms[] = {
    {"deltablue", "shape deltablue (constraint solver, two-way links)"},
    {"havlak", "shape havlak (loop finder on a control-flow graph)"},
    {"richards", "shape richards (task scheduler, std::function callbacks)"},
    {"cd", "shape cd (collision detector on a red-black tree)"},
    {"list-recursion", "shape list recursion (Gabriel's TAKL, lists passed by value)"},
    {"array-tree", "shape array tree (tree of arrays built and dropped, no cycles)"},
    {"json", "shape json (JSON parser)"},
    {"dom-churn", "shape dom churn (three kids in a std::vector, parent back-references)"},
};

inline const char* figure_of(const std::string& name) {
  for (const ProgramInfo& p : kPrograms)
    if (name == p.name) return p.figure;
  return nullptr;
}

// What a subject's program adds around a run: a note for the time figure, figures of its own.
struct NoHooks {
  std::string note() const { return ""; }
  void after(const std::string& /*figure*/, const std::string& /*subject*/, double /*wall_seconds*/,
             const std::string& /*check*/) const {}
};

// Runs work() once and emits its figures. work returns the checksum.
template <class Work, class Hooks>
void measure(const std::string& figure, const std::string& subject, Work&& work, const Hooks& hooks) {
  const double cpu0 = bench::cpu_seconds();
  const double wall0 = bench::now_seconds();
  const std::uint64_t checksum = work();
  const double cpu = bench::cpu_seconds() - cpu0;
  const double wall = bench::now_seconds() - wall0;
  const std::string check = std::to_string(checksum) + "/-";
  bench::emit(figure, subject, cpu, "s (CPU)", check, hooks.note());
  bench::emit(figure + ": peak RSS", subject, bench::peak_rss_mib(), "MiB", check);
  hooks.after(figure, subject, wall, check);
}

inline int usage(const char* self) {
  std::fprintf(stderr, "usage: %s NAME [--scale K] | --list\n", self);
  return 2;
}

inline int scale_of(int argc, char** argv) { return std::atoi(bench::option(argc, argv, "scale", "1").c_str()); }

}  // namespace shapes
