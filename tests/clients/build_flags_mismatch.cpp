// A program compiled with a PYHEAP_ASAN other than its library's (tests/clients/CMakeLists.txt
// flips it): its inline make would poison blocks the library does not, or the other way round.
// The first Heap refuses it, saying what to compile with (src/object/heap.cpp,
// check_build_flags); the test passes when that message is printed.
#include <pyheap/fatal_error.hpp>
#include <pyheap/heap.hpp>

#include <cstdio>
#include <cstdlib>

int main() {
  // The message, then exit status 2 instead of the default abort (a crash is not what the test
  // waits for).
  pyheap::set_fatal_error_handler([](const pyheap::FatalError& e) noexcept {
    std::fprintf(stderr, "refused: %s\n", e.message);
    std::_Exit(2);
  });
  pyheap::Heap heap;  // stops the program here
  std::printf("not refused\n");
  return 1;
}
