// CPython 3.11's size rules, in the bytes tracemalloc counts: what each allocation asked for
// (tracemalloc records the request, not pymalloc's 16-byte block), so that every figure the
// advisor prints is one a Python user can check with tracemalloc.get_traced_memory(). Object
// layouts come from Include/cpython/*.h, Objects/dictobject.c, ...; growth policies likewise. The
// tests measure each rule with tracemalloc.
#include <algorithm>

#include "introspect/advise_sizes.hpp"
#include "pyheap/list.hpp"

namespace pyheap::advise_detail {

namespace {
constexpr std::uint64_t kGcHeader = 16;       // PyGC_Head
constexpr std::uint64_t kObjectHeader = 16;   // PyObject: refcount, type
constexpr std::uint64_t kList = 56;           // PyListObject + PyGC_Head
constexpr std::uint64_t kDict = 64;           // PyDictObject + PyGC_Head
constexpr std::uint64_t kArray = 80;          // arrayobject + PyGC_Head
constexpr std::uint64_t kBytes = 33;          // PyBytesObject with its trailing NUL
constexpr std::uint64_t kByteArray = 56;      // PyByteArrayObject (not tracked: no GC header)
constexpr std::uint64_t kTuple = 40;          // PyTupleObject + PyGC_Head, before its items
constexpr std::uint64_t kWeakref = 80;        // PyWeakReference + PyGC_Head
constexpr std::uint64_t kKeysHeader = 32;     // PyDictKeysObject before its indexes
constexpr unsigned kDictMinLog2 = 3;          // PyDict_LOG_MINSIZE
constexpr std::uint64_t kOneDigitInt = 28;    // getsizeof of an int below 2^30
constexpr std::uint64_t sizeof_long_object = 32;  // sizeof(PyLongObject): header, size, one digit, padding

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

// A dict filled by n insertions from empty: 8 slots first, and whenever its usable entries
// (2/3 of the slots) run out, insertion_resize's table for used * 3 (GROWTH_RATE).
unsigned log2_after_inserts(std::size_t n) noexcept {
  unsigned log2 = kDictMinLog2;
  for (;;) {
    const std::size_t usable = (std::size_t{1} << log2) * 2 / 3;
    if (n <= usable) return log2;
    while ((std::size_t{1} << log2) < usable * 3) ++log2;
  }
}

std::uint64_t dict_bytes_for(std::size_t n, bool str_keys) noexcept {
  if (n == 0) return kDict;  // the shared empty keys
  return kDict + cpython311_dict_keys_bytes(log2_for_entries(n), str_keys ? 1 : 0);
}

std::uint64_t list_bytes(std::size_t slots) noexcept { return kList + 8 * slots; }

class CPython311Rules final : public SizeRules {
 public:
  std::uint64_t record(std::size_t fields) const override {
    return kGcHeader + kObjectHeader + 8 * fields;  // no __dict__, no __weakref__
  }
  std::uint64_t columns_holder(std::size_t columns) const override { return dict_bytes_for(columns, true); }
  std::uint64_t number_column(std::size_t rows, std::size_t item_size) const override {
    return typed_array(rows, item_size);
  }
  std::uint64_t object_column(std::size_t rows) const override { return list_bytes(list_capacity_after_appends(rows)); }
  std::uint64_t typed_array(std::size_t n, std::size_t item_size) const override { return kArray + n * item_size; }
  std::uint64_t byte_string(std::size_t n) const override { return kBytes + n; }
  std::uint64_t byte_array(std::size_t n) const override { return kByteArray + n + 1; }  // bytearray(list): n + NUL
  std::uint64_t tuple(std::size_t n) const override { return n == 0 ? 0 : kTuple + 8 * n; }  // () is shared
  std::uint64_t list_exact(std::size_t n) const override { return list_bytes(n); }
  std::uint64_t dict_rebuilt(std::size_t n, bool str_keys) const override { return dict_bytes_for(n, str_keys); }
  std::uint64_t shared_texts(std::size_t distinct) const override {
    return distinct == 0 ? 0 : kDict + cpython311_dict_keys_bytes(log2_after_inserts(distinct), 1);
  }
  std::uint64_t weak_reference() const override { return kWeakref; }
  // weakref.ref(x) without a callback returns x's existing plain reference when there is one.
  bool weak_references_shared() const override { return true; }
};
}  // namespace

std::uint64_t cpython311_dict_keys_bytes(unsigned log2, int kind) noexcept {
  const std::uint64_t slots = std::uint64_t{1} << log2;
  const std::uint64_t index = log2 < 8 ? 1 : log2 < 16 ? 2 : log2 < 32 ? 4 : 8;
  const std::uint64_t usable = slots * 2 / 3;
  return kKeysHeader + slots * index + usable * (kind == 0 ? 24 : 16);
}

std::uint64_t cpython311_object_bytes(Role role, std::uint64_t getsizeof, const ObjectGraph::Node& f) {
  // sys.getsizeof adds up what an object's allocations asked for (its GC header and pre-header,
  // a list's item array, a dict's own keys table, a set's table, an array's buffer), except
  // the values array of a 3.11 instance or split dict, which it leaves out or counts without
  // its order prefix, and a one-digit int's padding.
  switch (role) {
    case Role::Int:
      // An int of one 30-bit digit is made by _PyLong_FromMedium, which asks for
      // sizeof(PyLongObject): 32 bytes, its digit padded, where getsizeof says 28.
      return getsizeof == kOneDigitInt ? sizeof_long_object : getsizeof;
    case Role::Dict:
      if (f.aux == 2 && getsizeof > kDict) return kDict + values_bytes((getsizeof - kDict) / 8);  // split
      return getsizeof;
    case Role::Instance: {
      // A managed dict not made yet: the object (pre-header, GC header and all, as getsizeof
      // counts it), then its values array. `capacity` is the class's current slot count; aux the
      // size of the order prefix actually allocated, which wins when they disagree (an instance
      // made while the class's keys still had more room).
      std::uint64_t bytes = getsizeof;
      if (f.capacity > 0) {
        std::uint64_t slots = f.capacity;
        if (f.aux > 0 && round8(slots + 2) != static_cast<std::uint64_t>(f.aux)) slots = static_cast<std::uint64_t>(f.aux) - 2;
        bytes += values_bytes(slots);
      }
      return bytes;
    }
    default:
      return getsizeof;
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
