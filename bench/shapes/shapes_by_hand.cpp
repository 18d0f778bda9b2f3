// The real-shape programs (bench/shapes/) written by hand: raw pointers, new and delete
// (mem_by_hand.hpp).
//
//   shapes_by_hand NAME [--scale K] | --list
#include "mem_by_hand.hpp"
#include "programs.hpp"

int main(int argc, char** argv) {
  return shapes::main_of<shapes::ByHandMem>(argc, argv, shapes::NoHooks{}, [](const std::string&, int) { return false; });
}
