#include "pyheap/instance.hpp"

#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#include "pyheap/edge_namer.hpp"
#include "pyheap/str.hpp"

namespace pyheap {

namespace {
// A scan rather than a lookup: a lookup needs a Str key, and making one (or interning) in a
// read would allocate. Fallback dicts are instance dicts, a handful of entries.
const Dict::Entry* find_in_dict(const Dict& d, std::string_view name) noexcept {
  for (const Dict::Entry& e : d) {
    if (static_cast<const Str*>(e.key.get())->equals(name)) return &e;
  }
  return nullptr;
}
}  // namespace

std::ptrdiff_t Class::find(std::string_view key) const noexcept {
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

Ref<Instance> Instance::make(Heap& heap, Ref<Class> cls, SourceLocation site) {
  if (!cls) throw std::invalid_argument("pyheap::Instance: null class");
  // A Ref across heaps would outlive or race the other heap's counts.
  if (&Heap::of(cls.get()) != &heap) throw std::invalid_argument("pyheap::Instance: class of another heap");
  Ref<Instance> inst = heap.make_at<Instance>(site, Private{}, std::move(cls));
  // As CPython 3.11 sizes a new instance's values by the keys its class has seen, so that the
  // usual instance is filled without growing.
  if (const std::size_t k = inst->cls_->key_count(); k) inst->grow_values(k);
  return inst;
}

Instance::~Instance() {
  free_values();
}

void Instance::free_values() noexcept {
  if (!values_) return;
  // Detach first: a release may run code that looks at this instance.
  Ref<Object>* v = std::exchange(values_, nullptr);
  const std::size_t n = std::exchange(count_, 0);
  const std::size_t cap = std::exchange(capacity_, 0);
  for (std::size_t i = n; i-- > 0;) v[i].~Ref<Object>();
  Heap::of(this).allocator().deallocate(v, cap * sizeof(Ref<Object>));
}

void Instance::grow_values(std::size_t cap) {
  SmallObjectAllocator& alloc = Heap::of(this).allocator();
  auto* fresh = static_cast<Ref<Object>*>(alloc.allocate(cap * sizeof(Ref<Object>)));
  for (std::size_t i = 0; i < count_; ++i) {
    ::new (static_cast<void*>(fresh + i)) Ref<Object>(std::move(values_[i]));
    values_[i].~Ref<Object>();
  }
  if (values_) alloc.deallocate(values_, std::size_t{capacity_} * sizeof(Ref<Object>));
  values_ = fresh;
  capacity_ = static_cast<std::uint32_t>(cap);
}

Ref<Object> Instance::get(std::string_view name) const {
  if (dict_) {
    if (const Dict::Entry* e = find_in_dict(*dict_, name)) return e->value;
  } else if (const std::ptrdiff_t i = cls_->find(name); i >= 0 && static_cast<std::size_t>(i) < count_ && values_[i]) {
    return values_[i];
  }
  throw std::out_of_range("pyheap::Instance: no attribute " + std::string(name));
}

bool Instance::has(std::string_view name) const noexcept {
  if (dict_) return find_in_dict(*dict_, name) != nullptr;
  const std::ptrdiff_t i = cls_->find(name);
  return i >= 0 && static_cast<std::size_t>(i) < count_ && values_[i];
}

std::size_t Instance::size() const noexcept {
  if (dict_) return dict_->size();
  std::size_t n = 0;
  for (std::size_t i = 0; i < count_; ++i) n += values_[i] ? 1 : 0;
  return n;
}

void Instance::set(std::string_view name, Ref<Object> value) {
  if (!value) throw std::invalid_argument("pyheap::Instance: null value");
  Heap& heap = Heap::of(this);
  if (dict_) {
    dict_->set(Str::intern(heap, name), std::move(value));
    return;
  }
  std::ptrdiff_t i = cls_->find(name);
  if (i >= 0 && static_cast<std::size_t>(i) < count_) {
    Ref<Object> old = std::exchange(values_[i], std::move(value));
    return;
  }
  const bool next_known = i >= 0 && static_cast<std::size_t>(i) == count_;
  const bool next_new = i < 0 && count_ == cls_->key_count();
  if (!next_known && !next_new) {
    to_dict(Str::intern(heap, name), std::move(value));
    return;
  }
  if (count_ == capacity_) grow_values(capacity_ ? std::size_t{capacity_} * 2 : 1);
  if (next_new) cls_->keys_.emplace_back(name);  // after the growth: a throw leaves both unchanged
  ::new (static_cast<void*>(values_ + count_)) Ref<Object>(std::move(value));
  ++count_;
}

void Instance::to_dict(Ref<Object> key, Ref<Object> value) {
  Heap& heap = Heap::of(this);
  // Built completely before anything changes, so a bad_alloc leaves the split layout intact.
  Ref<Dict> d = Dict::make(heap);
  for (std::size_t i = 0; i < count_; ++i) {
    if (values_[i]) d->set(Str::intern(heap, cls_->keys_[i]), values_[i]);
  }
  d->set(std::move(key), std::move(value));
  dict_ = std::move(d);
  free_values();
}

void Instance::trace(Tracer& t) {
  // The class is visited, never cleared: it holds no references (no cycle runs through it),
  // and get()/set() from a finalizer of the same garbage still need it.
  if (t.mode() == Tracer::Mode::Visit) t(cls_);
  for (std::size_t i = 0; i < count_; ++i) t.trace_one(values_[i]);
  t(dict_);
}

void Instance::name_edges(EdgeNamer& n) const {
  n.internal("(class)", cls_);
  for (std::size_t i = 0; i < count_; ++i) n.property(cls_->key(i), values_[i]);
  n.internal("(dict)", dict_);
}

std::size_t Instance::owned_bytes() const noexcept {
  return capacity_ == 0 ? 0 : SmallObjectAllocator::block_size_for(std::size_t{capacity_} * sizeof(Ref<Object>));
}

}  // namespace pyheap
