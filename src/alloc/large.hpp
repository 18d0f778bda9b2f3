// The header in front of a large block (a request above kMaxSmallSize, served by std::malloc).
//
//   raw (malloc)                              raw + 32 == user pointer (16-byte aligned)
//   | owner | size:56 tag:8 | prev | next |   | size bytes ...                |
//
// Every live large block is linked in its allocator's `large` list, so for_each_block can list
// them (CPython keeps no such list; pyheap needs one to enumerate large objects).
#pragma once

#include <cstddef>
#include <cstdint>

namespace pyheap {
class SmallObjectAllocator;
}

namespace pyheap::alloc {

struct alignas(16) LargeHeader {
  SmallObjectAllocator* owner;
  std::uint64_t size : 56;
  std::uint64_t tag : 8;
  LargeHeader* prev;
  LargeHeader* next;

  static constexpr std::uint64_t kMaxSize = (std::uint64_t{1} << 56) - 1;

  void* user() noexcept { return this + 1; }
  static LargeHeader* of(const void* p) noexcept {
    return reinterpret_cast<LargeHeader*>(const_cast<char*>(static_cast<const char*>(p))) - 1;
  }
};
static_assert(sizeof(LargeHeader) == 32);

}  // namespace pyheap::alloc
