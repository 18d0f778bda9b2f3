// The real-shape programs written for cppgc's field/local split (the DOM churn) with V8's cppgc
// (shapes/mem_cppgc.hpp, bench/cppgc_heap.hpp).
//
//   shapes_cppgc dom-churn [--scale K] | --list
#include "../cppgc_heap.hpp"
#include "mem_cppgc.hpp"
#include "programs.hpp"

int main(int argc, char** argv) {
  bench::CppgcHeap heap;
  shapes::CppgcMem::bind(heap.allocation_handle());
  return shapes::main_of<shapes::CppgcMem>(argc, argv, shapes::NoHooks{}, [](const std::string&, int) { return false; });
}
