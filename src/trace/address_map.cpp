// AddressMap's levels come straight from mmap: zero-filled, and committed page by page only
// where objects are, which malloc (recycling a freed chunk, then memset) would not guarantee.
#include "trace/address_map.hpp"

#include <sys/mman.h>

namespace pyheap::trace {

namespace {
void* map_zeroed(std::size_t bytes) noexcept {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}
}  // namespace

std::uint32_t* AddressMap::walk(detail::TraceLeafCache& cache, std::uintptr_t key, bool create) noexcept {
  const std::uintptr_t r = key >> (kLeafBits + kMidBits);
  if (r >= kRootSize) [[unlikely]] return nullptr;
  if (root_ == nullptr) [[unlikely]] {
    if (!create || !grow_root()) return nullptr;
  }
  Mid* mid = root_[r];
  if (mid == nullptr) [[unlikely]] {
    if (!create || (mid = grow_mid(r)) == nullptr) return nullptr;
  }
  const std::uintptr_t m = (key >> kLeafBits) & (kMidSize - 1);
  std::uint32_t* leaf = mid->leaves[m];
  if (leaf == nullptr) [[unlikely]] {
    if (!create || (leaf = grow_leaf(mid, m)) == nullptr) return nullptr;
  }
  // A leaf, once mapped, stays until the map dies, so the cache never dangles.
  cache.region = key >> kLeafBits;
  cache.leaf = leaf;
  return &leaf[key & (kLeafSize - 1)];
}

bool AddressMap::grow_root() noexcept {
  root_ = static_cast<Mid**>(map_zeroed(kRootSize * sizeof(Mid*)));
  return root_ != nullptr;
}

AddressMap::Mid* AddressMap::grow_mid(std::uintptr_t r) noexcept {
  auto* mid = static_cast<Mid*>(map_zeroed(sizeof(Mid)));
  root_[r] = mid;
  return mid;
}

std::uint32_t* AddressMap::grow_leaf(Mid* mid, std::uintptr_t m) noexcept {
  auto* leaf = static_cast<std::uint32_t*>(map_zeroed(kLeafSize * sizeof(std::uint32_t)));
  mid->leaves[m] = leaf;
  return leaf;
}

AddressMap::~AddressMap() {
  if (root_ == nullptr) return;
  for (std::size_t r = 0; r < kRootSize; ++r) {
    Mid* mid = root_[r];
    if (mid == nullptr) continue;
    for (std::size_t m = 0; m < kMidSize; ++m) {
      if (mid->leaves[m] != nullptr) ::munmap(mid->leaves[m], kLeafSize * sizeof(std::uint32_t));
    }
    ::munmap(mid, sizeof(Mid));
  }
  ::munmap(root_, kRootSize * sizeof(Mid*));
}

}  // namespace pyheap::trace
