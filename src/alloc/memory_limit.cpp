// MemoryLimitExceeded: its message is formatted once, into the exception, without allocating.
#include "pyheap/memory_limit.hpp"

#include <cstdio>

namespace pyheap {

MemoryLimitExceeded::MemoryLimitExceeded(std::size_t limit, std::size_t held, std::size_t requested) noexcept
    : limit_(limit), held_(held), requested_(requested) {
  std::snprintf(what_, sizeof what_, "memory limit of %zu bytes exceeded: %zu bytes held, %zu more requested",
                limit, held, requested);
}

const char* MemoryLimitExceeded::what() const noexcept { return what_; }

}  // namespace pyheap
