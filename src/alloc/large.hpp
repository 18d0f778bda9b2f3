// The header in front of a large block (a request above kMaxSmallSize, served by std::malloc).
//
//   raw (malloc)                              raw + 32 == user pointer (16-byte aligned)
//   | owner | size:48 tag:16 | prev | next |  | size bytes ...                |
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
  // 48 bits hold any size a process can map (x86-64 and AArch64 user space is at most 2^47-2^48
  // bytes); 16 bits hold any tag (SmallObjectAllocator::kMaxTags).
  std::uint64_t size : 48;
  std::uint64_t tag : 16;
  LargeHeader* prev;
  LargeHeader* next;

  static constexpr std::uint64_t kMaxSize = (std::uint64_t{1} << 48) - 1;

  void* user() noexcept { return this + 1; }
  static LargeHeader* of(const void* p) noexcept {
    return reinterpret_cast<LargeHeader*>(const_cast<char*>(static_cast<const char*>(p))) - 1;
  }
};
static_assert(sizeof(LargeHeader) == 32);

}  // namespace pyheap::alloc
