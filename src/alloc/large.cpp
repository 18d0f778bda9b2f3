// Requests above kMaxSmallSize: std::malloc with a 16-byte LargeHeader in front, so the
// user pointer keeps malloc's 16-byte alignment and owner_of() can read the owner back.
//
//   raw (malloc)           raw + 16 == user pointer
//   | owner | size |       | size bytes ...                |
#include <cstdlib>
#include <limits>
#include <new>

#include "alloc/allocator_state.hpp"
#include "common/assert.hpp"

namespace pyheap::detail {

namespace {
struct alignas(16) LargeHeader {
  SmallObjectAllocator* owner;
  std::size_t size;
};
static_assert(sizeof(LargeHeader) == 16);

LargeHeader* header_of(const void* p) noexcept {
  return reinterpret_cast<LargeHeader*>(const_cast<char*>(static_cast<const char*>(p)) -
                                        sizeof(LargeHeader));
}
}  // namespace

void* AllocatorState::allocate_large(std::size_t size) {
  if (size > std::numeric_limits<std::size_t>::max() - sizeof(LargeHeader)) throw std::bad_alloc();
  void* raw = std::malloc(sizeof(LargeHeader) + size);
  if (raw == nullptr) throw std::bad_alloc();
  auto* h = static_cast<LargeHeader*>(raw);
  h->owner = self;
  h->size = size;
  ++large_count;
  large_bytes += size;
  ++large_count_total;
  large_bytes_total += size;
  return h + 1;
}

void AllocatorState::deallocate_large(void* p, std::size_t size) noexcept {
  LargeHeader* h = header_of(p);
  PYHEAP_ASSERT(h->owner == self);
  PYHEAP_ASSERT(h->size == size);  // wrong size passed to deallocate
  PYHEAP_ASSERT(large_count > 0 && large_bytes >= size);
  --large_count;
  large_bytes -= size;
  std::free(h);
}

SmallObjectAllocator* AllocatorState::large_owner(const void* p) noexcept {
  return header_of(p)->owner;
}

}  // namespace pyheap::detail
