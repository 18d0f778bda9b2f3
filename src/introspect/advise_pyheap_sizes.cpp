// pyheap's size rules, from the containers themselves: an object's block is its collector word,
// the object and its inline data rounded to the allocator's classes (the TypeInfo the heap
// allocates with), and growth policies are the containers' own static functions.
#include "introspect/advise_sizes.hpp"
#include "pyheap/array.hpp"
#include "pyheap/dict.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/list.hpp"
#include "pyheap/record.hpp"
#include "pyheap/table.hpp"
#include "pyheap/tuple.hpp"
#include "pyheap/weakref.hpp"

namespace pyheap::advise_detail {

namespace {
std::uint64_t block(std::uint64_t n) noexcept { return n == 0 ? 0 : SmallObjectAllocator::block_size_for(n); }

// The block Heap::make_var<T>(trailing) allocates (detail::block_request, before there is an object).
template <class T>
std::uint64_t object_block(std::size_t trailing) {
  const TypeInfo& ti = detail::type_info(detail::type_id_of<T>());
  return block(ti.prefix + ti.size + trailing);
}

// Array<T>'s growth does not depend on T, nor does its object (header, pointer, two counts).
std::size_t array_capacity_after_appends(std::size_t n) noexcept {
  std::size_t cap = 0;
  while (cap < n) cap = Array<double>::grown_capacity(cap, cap + 1);
  return cap;
}

class PyheapRules final : public SizeRules {
 public:
  std::uint64_t record(std::size_t fields) const override { return object_block<Record>(fields * sizeof(Ref<Object>)); }
  std::uint64_t columns_holder(std::size_t columns) const override {
    return object_block<Table>(columns * sizeof(Ref<Object>));
  }
  std::uint64_t number_column(std::size_t rows, std::size_t item_size) const override {
    return object_block<Array<double>>(0) + block(array_capacity_after_appends(rows) * item_size);
  }
  std::uint64_t object_column(std::size_t rows) const override {
    return object_block<List>(0) + block(list_capacity_after_appends(rows) * sizeof(Ref<Object>));
  }
  std::uint64_t typed_array(std::size_t n, std::size_t item_size) const override {
    return object_block<Array<double>>(0) + block(n * item_size);
  }
  std::uint64_t byte_string(std::size_t n) const override { return typed_array(n, 1); }
  std::uint64_t byte_array(std::size_t n) const override { return typed_array(n, 1); }
  std::uint64_t tuple(std::size_t n) const override { return object_block<Tuple>(n * sizeof(Ref<Object>)); }
  std::uint64_t list_exact(std::size_t n) const override { return object_block<List>(0) + block(n * sizeof(Ref<Object>)); }
  std::uint64_t dict_rebuilt(std::size_t n, bool) const override {
    return object_block<Dict>(0) + Dict::owned_bytes_after_inserts(n);
  }
  // The intern table is a std:: container beside the heap, not allocator memory.
  std::uint64_t shared_texts(std::size_t) const override { return 0; }
  std::uint64_t weak_reference() const override { return object_block<WeakReference>(0); }
  bool weak_references_shared() const override { return false; }  // each WeakRef makes its own
};
}  // namespace

const SizeRules& rules_for(Runtime runtime) {
  static const PyheapRules pyheap;
  return runtime == Runtime::Pyheap ? static_cast<const SizeRules&>(pyheap) : cpython311_rules();
}

}  // namespace pyheap::advise_detail
