// The real-shape programs (bench/shapes/) with pyheap: one Heap with its defaults (automatic
// collection on, the default schedule, collector workers one per core), types written the
// README's way (mem_pyheap.hpp). Besides the harness's figures, every run reports the share of
// its wall time spent in automatic collections (the collector's own per-generation totals,
// Collector::stats, over the run's elapsed time), how many ran and what they found.
//
//   shapes_pyheap NAME [--scale K] | --list
//   shapes_pyheap list-recursion-borrowed [--scale K]   (when the library has a borrowed reference:
//                                                          list_recursion_borrowed.hpp)
#include <cstdio>
#include <string>

#include "list_recursion_borrowed.hpp"
#include "mem_pyheap.hpp"
#include "programs.hpp"

namespace {

struct PyheapHooks {
  pyheap::Heap& heap;

  double collecting_seconds() const {
    double s = 0;
    for (const pyheap::GenerationStats& g : heap.gc().stats()) s += g.seconds;
    return s;
  }
  std::string note() const {
    const auto s = heap.gc().stats();
    double longest = 0;
    for (const auto& g : s) longest = g.longest > longest ? g.longest : longest;
    unsigned long long found = 0;
    for (const auto& g : s) found += g.collected;
    char buf[240];
    std::snprintf(buf, sizeof buf,
                  "automatic collections: %llu / %llu / %llu (generations 0/1/2), %.1f ms in all, longest %.2f ms, "
                  "%llu objects found unreachable",
                  static_cast<unsigned long long>(s[0].collections), static_cast<unsigned long long>(s[1].collections),
                  static_cast<unsigned long long>(s[2].collections), collecting_seconds() * 1e3, longest * 1e3, found);
    return buf;
  }
  void after(const std::string& figure, const std::string& subject, double wall_seconds,
             const std::string& check) const {
    bench::emit(figure + ": time in automatic collections", subject, 100 * collecting_seconds() / wall_seconds,
                "% of wall time", check, note());
  }
};

}  // namespace

int main(int argc, char** argv) {
  pyheap::Heap heap;
  shapes::PyheapMem::bind(heap);
  const PyheapHooks hooks{heap};
  return shapes::main_of<shapes::PyheapMem>(argc, argv, hooks, [&](const std::string& name, int scale) {
#if SHAPES_HAVE_BORROWED
    if (name == "--list") std::printf("list-recursion-borrowed\n");
    if (name == "list-recursion-borrowed") {
      shapes::measure(shapes::figure_of("list-recursion"), "pyheap, borrowed walks",
                      [&] { return shapes::ListRecursion<shapes::PyheapMem>::run<shapes::BorrowedCell>(scale); }, hooks);
      return true;
    }
#else
    (void)name;
    (void)scale;
#endif
    return false;
  });
}
