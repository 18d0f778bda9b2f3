#include "pyheap/array.hpp"

#include <cstring>
#include <limits>
#include <stdexcept>


namespace pyheap {

template <class T>
Ref<Array<T>> Array<T>::make(Heap& heap, std::span<const T> values, SourceLocation site) {
  Ref<Array> a = make(heap, site);
  if (!values.empty()) {
    a->reallocate(values.size());
    std::memcpy(a->data_, values.data(), values.size_bytes());
    a->size_ = static_cast<std::uint32_t>(values.size());
  }
  return a;
}

template <class T>
T Array<T>::at(std::size_t i) const {
  if (i >= size_) throw std::out_of_range("pyheap::Array::at");
  return data_[i];
}

template <class T>
void Array<T>::set(std::size_t i, T value) {
  if (i >= size_) throw std::out_of_range("pyheap::Array::set");
  data_[i] = value;
}


template <class T>
void Array<T>::append(T value) {
  if (size_ == capacity_) reallocate(grown_capacity(size_, std::size_t{size_} + 1));
  data_[size_++] = value;
}

template <class T>
void Array<T>::pop_back() {
  if (size_ == 0) throw std::out_of_range("pyheap::Array::pop_back: empty array");
  --size_;
}

template <class T>
void Array<T>::reserve(std::size_t n) {
  if (n > capacity_) reallocate(n);
}

template <class T>
void Array<T>::clear() noexcept {
  if (data_) Heap::of(this).allocator().deallocate(data_, std::size_t{capacity_} * sizeof(T));
  data_ = nullptr;
  size_ = capacity_ = 0;
}

template <class T>
void Array<T>::reallocate(std::size_t cap) {
  if (cap > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("pyheap::Array: too long");
  SmallObjectAllocator& alloc = Heap::of(this).allocator();
  T* fresh = static_cast<T*>(alloc.allocate(cap * sizeof(T)));  // may throw: nothing changed yet
  if (size_) std::memcpy(fresh, data_, std::size_t{size_} * sizeof(T));
  if (data_) alloc.deallocate(data_, std::size_t{capacity_} * sizeof(T));
  data_ = fresh;
  capacity_ = static_cast<std::uint32_t>(cap);
}

template <class T>
std::size_t Array<T>::owned_bytes() const noexcept {
  return capacity_ == 0 ? 0 : SmallObjectAllocator::block_size_for(std::size_t{capacity_} * sizeof(T));
}

#define PYHEAP_ARRAY_INSTANTIATE(T) template class Array<T>;
PYHEAP_ARRAY_TYPES(PYHEAP_ARRAY_INSTANTIATE)
#undef PYHEAP_ARRAY_INSTANTIATE

}  // namespace pyheap
