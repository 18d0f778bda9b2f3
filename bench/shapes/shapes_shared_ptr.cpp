// The real-shape programs (bench/shapes/) with std::shared_ptr and weak_ptr (mem_shared_ptr.hpp).
//
//   shapes_shared_ptr NAME [--scale K] | --list
#include "mem_shared_ptr.hpp"
#include "programs.hpp"

int main(int argc, char** argv) {
  return shapes::main_of<shapes::SharedPtrMem>(argc, argv, shapes::NoHooks{}, [](const std::string&, int) { return false; });
}
