// PoolAllocator<T>: a standard allocator (usable with std::vector, std::list, std::map,
// ...) that takes its memory from a SmallObjectAllocator.
//
// It stores a pointer to the SmallObjectAllocator; two PoolAllocators compare equal iff
// they use the same one, and the allocator propagates with the container on copy/move
// assignment and swap. A default-constructed PoolAllocator uses default_allocator(), the
// calling thread's own SmallObjectAllocator: memory obtained through it must be freed on
// the thread that allocated it (SmallObjectAllocator is not thread-safe).
// Types aligned to more than 16 bytes are not supported (static_assert).
#pragma once

#include <cstddef>
#include <limits>
#include <new>
#include <type_traits>

#include "pyheap/internal/export.hpp"
#include "pyheap/small_object_allocator.hpp"

namespace pyheap {

/// The calling thread's allocator, created on first use. At thread exit it is destroyed
/// if no block is live; otherwise it is deliberately leaked, so that late deallocations
/// (say from a static container's destructor) still find it.
PYHEAP_API SmallObjectAllocator& default_allocator();

template <class T>
class PoolAllocator {
 public:
  using value_type = T;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using propagate_on_container_copy_assignment = std::true_type;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  using is_always_equal = std::false_type;
  template <class U>
  struct rebind {
    using other = PoolAllocator<U>;
  };

  PoolAllocator() : resource_(&default_allocator()) {}
  explicit PoolAllocator(SmallObjectAllocator& resource) noexcept : resource_(&resource) {}
  template <class U>
  PoolAllocator(const PoolAllocator<U>& other) noexcept : resource_(&other.resource()) {}

  [[nodiscard]] T* allocate(std::size_t n) {
    static_assert(alignof(T) <= SmallObjectAllocator::kAlignment,
                  "PoolAllocator: over-aligned types are not supported");
    if (n > max_size()) throw std::bad_array_new_length();
    return static_cast<T*>(resource_->allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { resource_->deallocate(p, n * sizeof(T)); }

  std::size_t max_size() const noexcept {
    return (std::numeric_limits<std::size_t>::max() - 64) / sizeof(T);
  }
  SmallObjectAllocator& resource() const noexcept { return *resource_; }

  template <class U>
  friend bool operator==(const PoolAllocator& a, const PoolAllocator<U>& b) noexcept {
    return &a.resource() == &b.resource();
  }

 private:
  SmallObjectAllocator* resource_;
};

}  // namespace pyheap
