// CPython 3.11's size rules: object layouts (Include/cpython/*.h, Objects/dictobject.c, ...), its
// growth policies, and pymalloc's blocks (16-byte classes up to 512 bytes; larger requests go to
// malloc and tracemalloc counts them as asked). The tests measure each rule with tracemalloc.
#include <algorithm>

#include "introspect/advise_sizes.hpp"
#include "pyheap/list.hpp"
#include "pyheap/small_object_allocator.hpp"

namespace pyheap::advise_detail {

namespace {
// pymalloc rounds exactly as pyheap's allocator does (16-byte classes, 512-byte limit).
std::uint64_t block(std::uint64_t n) noexcept { return n == 0 ? 0 : SmallObjectAllocator::block_size_for(n); }

constexpr std::uint64_t kGcHeader = 16;       // PyGC_Head
constexpr std::uint64_t kObjectHeader = 16;   // PyObject: refcount, type
constexpr std::uint64_t kList = 56;           // PyListObject + PyGC_Head
constexpr std::uint64_t kDict = 64;           // PyDictObject + PyGC_Head
constexpr std::uint64_t kArray = 80;          // arrayobject + PyGC_Head
constexpr std::uint64_t kSet = 216;           // PySetObject (with its 8-entry small table) + PyGC_Head
constexpr std::uint64_t kKeysHeader = 32;     // PyDictKeysObject before its indexes
constexpr unsigned kDictMinLog2 = 3;          // PyDict_LOG_MINSIZE

std::uint64_t round8(std::uint64_t n) noexcept { return (n + 7) & ~std::uint64_t{7}; }

// A split dict's values (new_values in 3.11): an insertion-order prefix rounded to a word, then
// one pointer per slot.
std::uint64_t values_bytes(std::uint64_t slots) noexcept { return round8(slots + 2) + 8 * slots; }

// estimate_log2_keysize: the table a dict of n entries is built with (a display, dict(d) after
// deletions, and n insertions from empty all end there).
unsigned log2_for_entries(std::size_t n) noexcept {
  const std::size_t min_slots = (n * 3 + 1) / 2;
  unsigned log2 = kDictMinLog2;
  while ((std::size_t{1} << log2) < min_slots) ++log2;
  return log2;
}

std::uint64_t dict_bytes_for(std::size_t n, bool str_keys) noexcept {
  if (n == 0) return block(kDict);  // the shared empty keys
  return block(kDict) + block(cpython311_dict_keys_bytes(log2_for_entries(n), str_keys ? 1 : 0));
}

class CPython311Rules final : public SizeRules {
 public:
  std::uint64_t record(std::size_t fields) const override {
    return block(kGcHeader + kObjectHeader + 8 * fields);  // no __dict__, no __weakref__
  }
  std::uint64_t columns_holder(std::size_t columns) const override { return dict_bytes_for(columns, true); }
  std::uint64_t number_column(std::size_t rows, std::size_t item_size) const override {
    return typed_array(rows, item_size);
  }
  std::uint64_t object_column(std::size_t rows) const override {
    return block(kList) + block(8 * list_capacity_after_appends(rows));
  }
  std::uint64_t typed_array(std::size_t n, std::size_t item_size) const override {
    return block(kArray) + block(n * item_size);
  }
  std::uint64_t list_exact(std::size_t n) const override { return block(kList) + block(8 * n); }
  std::uint64_t dict_rebuilt(std::size_t n, bool str_keys) const override { return dict_bytes_for(n, str_keys); }
  // sys.intern adds one entry per text to the interned dict (str keys: 16-byte entries, 2/3 of
  // the slots usable, indexes of 4 bytes at the sizes that dict has): its share of the table.
  std::uint64_t intern_table_growth(std::size_t distinct) const override {
    return distinct * (16 * 3 / 2 + 4 * 3 / 2);
  }
};
}  // namespace

std::uint64_t cpython311_dict_keys_bytes(unsigned log2, int kind) noexcept {
  const std::uint64_t slots = std::uint64_t{1} << log2;
  const std::uint64_t index = log2 < 8 ? 1 : log2 < 16 ? 2 : log2 < 32 ? 4 : 8;
  const std::uint64_t usable = slots * 2 / 3;
  return kKeysHeader + slots * index + usable * (kind == 0 ? 24 : 16);
}

std::uint64_t cpython311_object_bytes(Role role, std::uint64_t getsizeof, const ObjectGraph::Node& f) {
  switch (role) {
    case Role::List:
      return block(kList) + block(8 * f.capacity);
    case Role::Dict: {
      if (getsizeof <= kDict) return block(kDict);
      const std::uint64_t extra = getsizeof - kDict;
      if (f.aux == 2) {  // split: the values are this dict's, the keys the class's
        return block(kDict) + block(values_bytes(extra / 8));
      }
      if ((f.aux == 0 || f.aux == 1) && f.capacity < 64) {
        const std::uint64_t keys = cpython311_dict_keys_bytes(static_cast<unsigned>(f.capacity), static_cast<int>(f.aux));
        if (keys == extra) return block(kDict) + block(keys);
      }
      return block(kDict) + block(extra);  // layout not read: one table of what getsizeof says
    }
    case Role::Instance: {
      // A managed dict not made yet: the object (pre-header, GC header and all, as getsizeof
      // counts it), then its values array. `capacity` is the class's current slot count; aux the
      // size of the order prefix actually allocated, which wins when they disagree (an instance
      // made while the class's keys still had more room).
      std::uint64_t bytes = block(getsizeof);
      if (f.capacity > 0) {
        std::uint64_t slots = f.capacity;
        if (f.aux > 0 && round8(slots + 2) != static_cast<std::uint64_t>(f.aux)) slots = static_cast<std::uint64_t>(f.aux) - 2;
        bytes += block(values_bytes(slots));
      }
      return bytes;
    }
    case Role::Array: {
      const std::uint64_t buffer = f.capacity * static_cast<std::uint64_t>(std::max<std::int64_t>(f.aux2, 1));
      return block(getsizeof - std::min(getsizeof, buffer)) + block(buffer);
    }
    case Role::Set: {
      if (getsizeof <= kSet) return block(getsizeof);
      return block(kSet) + block(getsizeof - kSet);
    }
    default:
      return block(getsizeof);
  }
}

std::size_t list_capacity_after_appends(std::size_t n) noexcept {
  // list_resize grows a full list of c items to grown_capacity(c, c, c + 1); both runtimes share
  // the rule (pyheap's List implements 3.11's), so it is replayed from one place.
  std::size_t cap = 0;
  while (cap < n) cap = List::grown_capacity(cap, cap, cap + 1);
  return cap;
}

const SizeRules& cpython311_rules() {
  static const CPython311Rules rules;
  return rules;
}

}  // namespace pyheap::advise_detail
