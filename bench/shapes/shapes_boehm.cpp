// The real-shape programs (bench/shapes/) with Boehm GC (mem_boehm.hpp): collections when Boehm
// decides, on this one thread (no GC_THREADS: no marker threads, as the tree workloads run it).
//
//   shapes_boehm NAME [--scale K] | --list
#include <gc.h>

#include <string>

#include "mem_boehm.hpp"
#include "programs.hpp"

namespace {
struct BoehmHooks : shapes::NoHooks {
  std::string note() const { return "collections: " + std::to_string(GC_get_gc_no()); }
};
}  // namespace

int main(int argc, char** argv) {
  GC_INIT();
  return shapes::main_of<shapes::BoehmMem>(argc, argv, BoehmHooks{}, [](const std::string&, int) { return false; });
}
