// Dict: the compact table, Python's numeric hash, tracking.
#include "pyheap/dict.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>

#include "pyheap/internal/access.hpp"
#include "pyheap/edge_namer.hpp"
#include "containers/cache.hpp"
#include "pyheap/float.hpp"
#include "pyheap/int.hpp"
#include "pyheap/str.hpp"

namespace pyheap {

namespace {
constexpr std::int64_t kEmpty = -1;
constexpr std::int64_t kDeleted = -2;
constexpr unsigned kMinLog2 = 3;  // 8 slots, 5 entries
constexpr std::uint64_t kModulus = (std::uint64_t{1} << 61) - 1;  // Python's numeric hash modulus

std::int64_t no_minus_one(std::int64_t h) noexcept { return h == -1 ? -2 : h; }

std::int64_t hash_pointer(const void* p) noexcept {
  // Objects are 16-byte aligned: rotate the always-zero low bits out of the way.
  const auto y = reinterpret_cast<std::uintptr_t>(p);
  return no_minus_one(static_cast<std::int64_t>((y >> 4) | (y << (8 * sizeof(y) - 4))));
}

std::int64_t hash_int(std::int64_t v) noexcept {
  const std::uint64_t magnitude = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  const auto h = static_cast<std::int64_t>(magnitude % kModulus);
  return no_minus_one(v < 0 ? -h : h);
}

// Python's hash of a finite double: the value of the exact rational |x| = M * 2^E modulo
// 2^61 - 1, with the sign of x. Since 2^61 is 1 modulo 2^61 - 1, multiplying by 2^E is a
// rotation of the 61-bit residue by E mod 61 places.
std::int64_t hash_double(double x, const Object* self) noexcept {
  if (std::isnan(x)) return hash_pointer(self);
  if (std::isinf(x)) return x > 0 ? 314159 : -314159;
  int e = 0;
  const double m = std::frexp(std::fabs(x), &e);
  if (m == 0) return 0;
  const auto mantissa = static_cast<std::uint64_t>(std::ldexp(m, 53));  // exact: 53 bits
  const int shift = (((e - 53) % 61) + 61) % 61;
  std::uint64_t r = mantissa % kModulus;
  if (shift != 0) r = ((r << shift) & kModulus) | (r >> (61 - shift));
  const auto h = static_cast<std::int64_t>(r);
  return no_minus_one(x < 0 ? -h : h);
}

bool int_equals_double(std::int64_t v, double d) noexcept {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return false;  // NaN too
  if (d != std::trunc(d)) return false;
  return static_cast<std::int64_t>(d) == v;
}
}  // namespace

// The block a Dict owns: this header, the index slots, then the entries.
struct Dict::Table {
  std::uint32_t nentries;  // entries written, live or deleted: the next one goes here
  std::uint8_t log2;

  std::size_t slots() const noexcept { return std::size_t{1} << log2; }
  static std::size_t width_for(unsigned log2) noexcept {
    // An index must hold every entry position, and usable(2^k) < 2^(8w-1).
    return log2 <= 7 ? 1 : log2 <= 15 ? 2 : log2 <= 31 ? 4 : 8;
  }
  static std::size_t usable_for(unsigned log2) noexcept { return ((std::size_t{1} << log2) * 2) / 3; }
  static std::size_t bytes_for(unsigned log2) noexcept {
    return sizeof(Table) + (std::size_t{1} << log2) * width_for(log2) + usable_for(log2) * sizeof(Entry);
  }
  std::size_t usable() const noexcept { return usable_for(log2); }
  unsigned char* indices() noexcept { return reinterpret_cast<unsigned char*>(this + 1); }
  const unsigned char* indices() const noexcept { return reinterpret_cast<const unsigned char*>(this + 1); }
  Entry* entries() noexcept { return reinterpret_cast<Entry*>(indices() + slots() * width_for(log2)); }
  const Entry* entries() const noexcept {
    return reinterpret_cast<const Entry*>(indices() + slots() * width_for(log2));
  }

  std::int64_t index(std::size_t i) const noexcept {
    const unsigned char* p = indices();
    switch (width_for(log2)) {
      case 1: return static_cast<std::int8_t>(p[i]);
      case 2: { std::int16_t v; std::memcpy(&v, p + 2 * i, 2); return v; }
      case 4: { std::int32_t v; std::memcpy(&v, p + 4 * i, 4); return v; }
      default: { std::int64_t v; std::memcpy(&v, p + 8 * i, 8); return v; }
    }
  }
  void set_index(std::size_t i, std::int64_t ix) noexcept {
    unsigned char* p = indices();
    switch (width_for(log2)) {
      case 1: p[i] = static_cast<unsigned char>(static_cast<std::int8_t>(ix)); break;
      case 2: { auto v = static_cast<std::int16_t>(ix); std::memcpy(p + 2 * i, &v, 2); break; }
      case 4: { auto v = static_cast<std::int32_t>(ix); std::memcpy(p + 4 * i, &v, 4); break; }
      default: std::memcpy(p + 8 * i, &ix, 8); break;
    }
  }

  // Walks the probe sequence of hash, calling f(slot, index) until it returns true.
  template <class F>
  void probe(std::int64_t hash, F&& f) const noexcept {
    const std::size_t mask = slots() - 1;
    auto perturb = static_cast<std::uint64_t>(hash);
    std::size_t i = static_cast<std::size_t>(perturb) & mask;
    while (!f(i, index(i))) {
      // Higher hash bits join in five at a time; once they are used up, i -> 5i + 1 (mod 2^k)
      // visits every slot, so a free one is always found.
      perturb >>= 5;
      i = (i * 5 + static_cast<std::size_t>(perturb) + 1) & mask;
    }
  }
  std::size_t empty_slot(std::int64_t hash) const noexcept {
    std::size_t found = 0;
    probe(hash, [&](std::size_t slot, std::int64_t ix) {
      found = slot;
      return ix == kEmpty;
    });
    return found;
  }
};
static_assert(sizeof(Dict::Entry) == 24);

Ref<Dict> Dict::make(Heap& heap, SourceLocation site) {
  Ref<Dict> d = heap.make_at<Dict>(site, Private{});
  detail::CollectorAccess::untrack(heap.gc(), d.get());  // tracked only once it holds something that may be (see header)
  return d;
}

Dict::~Dict() { clear(); }

std::int64_t Dict::hash_of(const Object* key) noexcept {
  if (Heap::is_a<Str>(key)) return static_cast<std::int64_t>(static_cast<const Str*>(key)->hash());
  if (Heap::is_a<Int>(key)) return hash_int(static_cast<const Int*>(key)->value());
  if (Heap::is_a<Float>(key)) return hash_double(static_cast<const Float*>(key)->value(), key);
  return hash_pointer(key);
}

bool Dict::keys_equal(const Object* a, const Object* b) noexcept {
  if (a == b) return true;
  const bool a_int = Heap::is_a<Int>(a);
  const bool a_float = !a_int && Heap::is_a<Float>(a);
  const bool b_int = Heap::is_a<Int>(b);
  const bool b_float = !b_int && Heap::is_a<Float>(b);
  if (a_int && b_int) return static_cast<const Int*>(a)->value() == static_cast<const Int*>(b)->value();
  if (a_float && b_float) return static_cast<const Float*>(a)->value() == static_cast<const Float*>(b)->value();
  if (a_int && b_float) return int_equals_double(static_cast<const Int*>(a)->value(), static_cast<const Float*>(b)->value());
  if (a_float && b_int) return int_equals_double(static_cast<const Int*>(b)->value(), static_cast<const Float*>(a)->value());
  if (Heap::is_a<Str>(a) && Heap::is_a<Str>(b)) return *static_cast<const Str*>(a) == *static_cast<const Str*>(b);
  return false;
}

std::int64_t Dict::find(const Object* key, std::int64_t hash) const noexcept {
  if (!table_ || !key) return -1;
  std::int64_t pos = -1;
  const Entry* entries = table_->entries();
  table_->probe(hash, [&](std::size_t, std::int64_t ix) {
    if (ix == kEmpty) return true;
    if (ix >= 0) {
      const Entry& e = entries[ix];
      if (e.key.get() == key || (e.hash == hash && keys_equal(e.key.get(), key))) {
        pos = ix;
        return true;
      }
    }
    return false;
  });
  return pos;
}

Ref<Object> Dict::get(const Object* key) const noexcept {
  const std::int64_t pos = find(key, key ? hash_of(key) : 0);
  return pos < 0 ? Ref<Object>() : table_->entries()[pos].value;
}

void Dict::rebuild(std::size_t min_slots) {
  unsigned log2 = kMinLog2;
  while ((std::size_t{1} << log2) < min_slots) ++log2;
  SmallObjectAllocator& alloc = Heap::of(this).allocator();
  auto* fresh = static_cast<Table*>(alloc.allocate(Table::bytes_for(log2)));
  fresh->nentries = 0;
  fresh->log2 = static_cast<std::uint8_t>(log2);
  std::memset(fresh->indices(), 0xFF, fresh->slots() * Table::width_for(log2));  // all kEmpty
  if (Table* old = table_) {
    // Live entries move in order, deleted ones are dropped; moving a Ref runs no user code.
    Entry* from = old->entries();
    Entry* to = fresh->entries();
    for (std::uint32_t i = 0; i < old->nentries; ++i) {
      if (from[i].key) {
        const std::uint32_t pos = fresh->nentries++;
        ::new (static_cast<void*>(to + pos)) Entry(std::move(from[i]));
        fresh->set_index(fresh->empty_slot(to[pos].hash), pos);
      }
      from[i].~Entry();
    }
    alloc.deallocate(old, Table::bytes_for(old->log2));
  }
  table_ = fresh;
}

void Dict::set(Ref<Object> key, Ref<Object> value) {
  if (!key || !value) throw std::invalid_argument("pyheap::Dict: null key or value");
  const std::int64_t hash = hash_of(key.get());
  // Replacing a value can make a cycle as well as inserting can: track first in both cases.
  Heap& heap = Heap::of(this);
  if (!heap.gc().is_tracked(this) &&
      (detail::may_be_tracked(heap.gc(), key.get()) || detail::may_be_tracked(heap.gc(), value.get()))) {
    detail::CollectorAccess::track(heap.gc(), this);
  }
  if (const std::int64_t pos = find(key.get(), hash); pos >= 0) {
    // The new value is in place before the old one is released.
    Ref<Object> old = std::exchange(table_->entries()[pos].value, std::move(value));
    return;
  }
  if (!table_ || table_->nentries == table_->usable()) rebuild(std::max<std::size_t>(std::size_t{used_} * 3, 8));
  const std::uint32_t pos = table_->nentries++;
  ::new (static_cast<void*>(table_->entries() + pos)) Entry{hash, std::move(key), std::move(value)};
  table_->set_index(table_->empty_slot(hash), pos);
  ++used_;
}

bool Dict::erase(const Object* key) noexcept {
  if (!table_ || !key) return false;
  const std::int64_t hash = hash_of(key);
  std::int64_t pos = -1;
  std::size_t slot = 0;
  const Entry* entries = table_->entries();
  table_->probe(hash, [&](std::size_t s, std::int64_t ix) {
    if (ix == kEmpty) return true;
    if (ix >= 0 && (entries[ix].key.get() == key || (entries[ix].hash == hash && keys_equal(entries[ix].key.get(), key)))) {
      pos = ix;
      slot = s;
      return true;
    }
    return false;
  });
  if (pos < 0) return false;
  table_->set_index(slot, kDeleted);
  Entry& e = table_->entries()[pos];
  --used_;
  // Unlinked first; released after (key first, as CPython), when the dict is consistent.
  Ref<Object> value = std::move(e.value);
  Ref<Object> old_key = std::move(e.key);
  return true;
}

void Dict::clear() noexcept {
  Table* t = std::exchange(table_, nullptr);
  used_ = 0;
  if (!t) return;
  Entry* entries = t->entries();
  for (std::uint32_t i = 0; i < t->nentries; ++i) {
    entries[i].key.reset();
    entries[i].value.reset();
    entries[i].~Entry();
  }
  Heap::of(this).allocator().deallocate(t, Table::bytes_for(t->log2));
}

Dict::const_iterator Dict::begin() const noexcept {
  if (!table_) return {nullptr, nullptr};
  const Entry* e = table_->entries();
  return {e, e + table_->nentries};
}

Dict::const_iterator Dict::end() const noexcept {
  if (!table_) return {nullptr, nullptr};
  const Entry* e = table_->entries() + table_->nentries;
  return {e, e};
}

std::size_t Dict::table_slots() const noexcept { return table_ ? table_->slots() : 0; }

void Dict::trace(Tracer& t) {
  if (t.mode() == Tracer::Mode::Clear) {
    clear();
    return;
  }
  if (!table_) return;
  Entry* entries = table_->entries();
  for (std::uint32_t i = 0; i < table_->nentries; ++i) {
    if (!entries[i].key) continue;
    t.trace_one(entries[i].key);
    t.trace_one(entries[i].value);
  }
}

void Dict::name_edges(EdgeNamer& n) const {
  std::size_t position = 0;
  for (const Entry& e : *this) {
    const bool str_key = Heap::is_a<Str>(e.key.get());
    const std::string key = str_key ? static_cast<const Str*>(e.key.get())->utf8() : std::to_string(position);
    std::string key_edge("(key) ");
    key_edge += key;
    n.internal(key_edge, e.key);
    if (str_key) {
      n.property(key, e.value);
    } else {
      n.element(position, e.value);
    }
    ++position;
  }
}

bool Dict::gc_can_untrack(int pass) const noexcept {
  if (pass != 1) return false;  // dicts are judged in full collections only, after the tuples
  const Collector& gc = Heap::of(this).gc();
  for (const Entry& e : *this) {
    if (detail::may_be_tracked(gc, e.key.get()) || detail::may_be_tracked(gc, e.value.get())) return false;
  }
  return true;
}

std::size_t Dict::owned_bytes_after_inserts(std::size_t n) noexcept {
  if (n == 0) return 0;
  // Replays set()'s growth: a full table rebuilds to the smallest power of two >= 3 * size.
  unsigned log2 = kMinLog2;
  while (Table::usable_for(log2) < n) {
    const std::size_t min_slots = std::max<std::size_t>(Table::usable_for(log2) * 3, 8);
    while ((std::size_t{1} << log2) < min_slots) ++log2;
  }
  return SmallObjectAllocator::block_size_for(Table::bytes_for(log2));
}

std::size_t Dict::owned_bytes() const noexcept {
  return table_ ? SmallObjectAllocator::block_size_for(Table::bytes_for(table_->log2)) : 0;
}

}  // namespace pyheap
