#include "containers/cache.hpp"

namespace pyheap::detail {

ContainerCache& container_cache(Heap& heap) {
  if (!heap.containers_) {
    heap.containers_ = {new ContainerCache, [](ContainerCache* c) { delete c; }};
  }
  return *heap.containers_;
}

}  // namespace pyheap::detail
