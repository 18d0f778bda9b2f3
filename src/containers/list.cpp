#include "pyheap/list.hpp"

#include <algorithm>
#include <limits>
#include <new>
#include <stdexcept>
#include <utility>
#include <vector>

namespace pyheap {

namespace {
constexpr std::size_t kItem = sizeof(Ref<Object>);
}

Ref<List> List::make(Heap& heap, std::span<const Ref<Object>> items, SourceLocation site) {
  for (const Ref<Object>& item : items) {
    if (!item) throw std::invalid_argument("pyheap::List: null item");
  }
  Ref<List> list = heap.make_at<List>(site, Private{});
  if (!items.empty()) {
    if (items.size() > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("pyheap::List: too long");
    void* mem = heap.allocator().allocate(items.size() * kItem);
    list->items_ = static_cast<Ref<Object>*>(mem);
    list->capacity_ = static_cast<std::uint32_t>(items.size());
    for (const Ref<Object>& item : items) ::new (static_cast<void*>(list->items_ + list->size_++)) Ref<Object>(item);
  }
  return list;
}

List::~List() { clear(); }

Ref<Object> List::checked(Ref<Object> item) {
  if (!item) throw std::invalid_argument("pyheap::List: null item");
  return item;
}

const Ref<Object>& List::at(std::size_t i) const {
  if (i >= size_) throw std::out_of_range("pyheap::List::at");
  return items_[i];
}

std::size_t List::grown_capacity(std::size_t size, std::size_t capacity, std::size_t n) noexcept {
  if (n <= capacity && n >= capacity / 2) return capacity;
  if (n == 0) return 0;
  std::size_t cap = (n + (n >> 3) + 6) & ~std::size_t{3};
  // A big jump (extend by many items) gets no headroom beyond alignment: the next append is
  // not more likely than after a single step.
  if (n > size && n - size > cap - n) cap = (n + 3) & ~std::size_t{3};
  return cap;
}

void List::resize(std::size_t n) {
  const std::size_t cap = grown_capacity(size_, capacity_, n);
  if (cap == capacity_) {
    size_ = static_cast<std::uint32_t>(n);
    return;
  }
  if (cap > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("pyheap::List: too long");
  SmallObjectAllocator& alloc = Heap::of(this).allocator();
  Ref<Object>* fresh = nullptr;
  if (cap != 0) {
    try {
      fresh = static_cast<Ref<Object>*>(alloc.allocate(cap * kItem));
    } catch (...) {
      if (n > capacity_) throw;  // growing: the list is unchanged
      size_ = static_cast<std::uint32_t>(n);  // shrinking can keep the larger array
      return;
    }
  }
  // Moving a Ref changes no count and runs no user code.
  const std::size_t live = std::min<std::size_t>(size_, n);
  for (std::size_t i = 0; i < live; ++i) {
    ::new (static_cast<void*>(fresh + i)) Ref<Object>(std::move(items_[i]));
    items_[i].~Ref<Object>();
  }
  if (items_) alloc.deallocate(items_, std::size_t{capacity_} * kItem);
  items_ = fresh;
  capacity_ = static_cast<std::uint32_t>(cap);
  size_ = static_cast<std::uint32_t>(n);
}

void List::append(Ref<Object> item) {
  item = checked(std::move(item));
  const std::size_t n = size_;
  resize(n + 1);
  ::new (static_cast<void*>(items_ + n)) Ref<Object>(std::move(item));
}

void List::extend(std::span<const Ref<Object>> items) {
  for (const Ref<Object>& item : items) {
    if (!item) throw std::invalid_argument("pyheap::List: null item");
  }
  if (items.empty()) return;
  // The resize may move our own array away from under a span into it: take the counts first.
  std::vector<Ref<Object>> copy(items.begin(), items.end());
  const std::size_t n = size_;
  resize(n + copy.size());
  for (std::size_t i = 0; i < copy.size(); ++i) ::new (static_cast<void*>(items_ + n + i)) Ref<Object>(std::move(copy[i]));
}

void List::insert(std::size_t i, Ref<Object> item) {
  if (i > size_) throw std::out_of_range("pyheap::List::insert");
  item = checked(std::move(item));
  const std::size_t n = size_;
  resize(n + 1);
  ::new (static_cast<void*>(items_ + n)) Ref<Object>();
  std::move_backward(items_ + i, items_ + n, items_ + n + 1);
  items_[i] = std::move(item);  // slot i was moved from: nothing is released
}

void List::set(std::size_t i, Ref<Object> item) {
  if (i >= size_) throw std::out_of_range("pyheap::List::set");
  item = checked(std::move(item));
  // The new item is in place before the old one is released (see the header).
  Ref<Object> old = std::exchange(items_[i], std::move(item));
}

Ref<Object> List::pop() {
  if (size_ == 0) throw std::out_of_range("pyheap::List::pop: empty list");
  return pop(size_ - 1);
}

Ref<Object> List::pop(std::size_t i) {
  if (i >= size_) throw std::out_of_range("pyheap::List::pop");
  Ref<Object> out = std::move(items_[i]);
  std::move(items_ + i + 1, items_ + size_, items_ + i);
  items_[size_ - 1].~Ref<Object>();
  resize(size_ - 1);  // shrinking never throws
  return out;
}

void List::clear() noexcept {
  Ref<Object>* doomed = std::exchange(items_, nullptr);
  const std::size_t n = std::exchange(size_, 0);
  const std::size_t cap = std::exchange(capacity_, 0);
  if (!doomed) return;
  for (std::size_t i = n; i-- > 0;) doomed[i].~Ref<Object>();
  Heap::of(this).allocator().deallocate(doomed, cap * kItem);
}

void List::trace(Tracer& t) {
  if (t.mode() == Tracer::Mode::Clear) {
    clear();
    return;
  }
  for (std::size_t i = 0; i < size_; ++i) t.trace_one(items_[i]);
}

std::size_t List::owned_bytes() const noexcept {
  return capacity_ == 0 ? 0 : SmallObjectAllocator::block_size_for(std::size_t{capacity_} * kItem);
}

}  // namespace pyheap
