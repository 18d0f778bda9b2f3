// pyheap/dict.hpp — Dict, an insertion-ordered hash map from objects to objects.
//
// Concept (the compact layout of CPython >= 3.6). A 24-byte object (header, table pointer,
// count; 32 bytes with the collector word) owning one table block from the heap's allocator:
//
//   [ 8-byte table header | index array: 2^k slots | entry array: (2^k * 2) / 3 entries ]
//
// The index array is the sparse hash table; each slot holds -1 (empty), -2 (deleted) or the
// position of an entry, in 1, 2, 4 or 8 bytes depending on 2^k. Entries {hash, key, value} are
// dense and in insertion order, so iteration follows insertion order and a mostly-empty index
// costs bytes, not 24-byte entries. Collisions are resolved by open addressing; the probe
// sequence mixes in the higher bits of the hash five at a time (as CPython's perturbation does),
// so every slot is eventually visited.
//
// Keys: Str (equal text), Int and Float (equal numbers, so Int 1 and Float 1.0 are the same key,
// as in Python: both hash with Python's numeric hash, which the tests check against python3).
// Any other object is a key by identity. Float NaN is only equal to itself (by identity).
//
// Growth: a table is made with 8 slots on the first insertion (an empty dict owns nothing). When
// the entry array is full, the table is rebuilt with the smallest power of two >= 3 * size()
// slots (CPython 3.11's GROWTH_RATE), dropping deleted entries; so a dict that only deletes and
// inserts does not grow without bound, and a rebuild after many deletions may shrink the table.
// Deleting alone never moves anything; clear() frees the table.
//
// Invariants:
//   - size() == number of entries whose key is non-null; deleted entries keep their place (null
//     key) until the next rebuild; keys and values are never null otherwise;
//   - replacing a value stores the new one before releasing the old; erase() and clear() unlink
//     first and release after, so code run by a release sees a consistent dict;
//   - the first key inserted for a given value of the key stays (as in Python).
// Tracking (CPython 3.11's MAINTAIN_TRACKING): a new dict is untracked; it is tracked as soon as a
// key or value that could be part of a cycle is stored (any container but an untracked tuple); a
// full collection untracks surviving dicts that hold none. Iterators are invalidated by any
// modification.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pyheap/internal/export.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"
#include "pyheap/tracer.hpp"

namespace pyheap {

class PYHEAP_API Dict : public Object {
  struct Private {
    explicit Private() = default;
  };

 public:
  struct Entry {
    std::int64_t hash;
    Ref<Object> key;  // null: a deleted entry (skipped by iteration)
    Ref<Object> value;
  };

  class const_iterator {
   public:
    const_iterator(const Entry* p, const Entry* end) noexcept : p_(p), end_(end) { skip(); }
    const Entry& operator*() const noexcept { return *p_; }
    const Entry* operator->() const noexcept { return p_; }
    const_iterator& operator++() noexcept {
      ++p_;
      skip();
      return *this;
    }
    bool operator==(const const_iterator& o) const noexcept { return p_ == o.p_; }

   private:
    void skip() noexcept {
      while (p_ != end_ && !p_->key) ++p_;
    }
    const Entry* p_;
    const Entry* end_;
  };

  static Ref<Dict> make(Heap& heap, SourceLocation site = SourceLocation::current());

  std::size_t size() const noexcept { return used_; }
  bool empty() const noexcept { return used_ == 0; }
  // The value stored for key, or null.
  Ref<Object> get(const Object* key) const noexcept;
  bool contains(const Object* key) const noexcept { return find(key, hash_of(key)) >= 0; }
  // Inserts or replaces. Throws std::invalid_argument for a null key or value, std::bad_alloc
  // (the dict unchanged).
  void set(Ref<Object> key, Ref<Object> value);
  // Removes key; returns whether it was there.
  bool erase(const Object* key) noexcept;
  void clear() noexcept;

  const_iterator begin() const noexcept;
  const_iterator end() const noexcept;
  // Index slots of the current table (0 before the first insertion).
  std::size_t table_slots() const noexcept;
  // The bytes of the table a dict owns after n insertions of distinct keys into an empty dict
  // (what a rebuild into a fresh dict gives): the growth rule above, for the advisor's estimates.
  static std::size_t owned_bytes_after_inserts(std::size_t n) noexcept;

  // Python's hash for Int and Float (hash(1) == hash(1.0) == 1, hash(-1) == -2), the Str's own
  // hash, and the address for anything else.
  static std::int64_t hash_of(const Object* key) noexcept;
  static bool keys_equal(const Object* a, const Object* b) noexcept;

  // Collector and getsizeof hooks.
  void trace(Tracer& t);
  bool gc_can_untrack(int pass) const noexcept;
  std::size_t owned_bytes() const noexcept;
  // Introspection: a value under a Str key is a Property edge named by the key's text, any other
  // value an Element edge numbered by its entry; each key object is an Internal edge "(key) ...".
  void name_edges(EdgeNamer& n) const;

  explicit Dict(Private) noexcept {}
  ~Dict();

 private:
  struct Table;
  // Entry position of key, or -1.
  std::int64_t find(const Object* key, std::int64_t hash) const noexcept;
  void rebuild(std::size_t min_slots);

  Table* table_ = nullptr;
  std::uint32_t used_ = 0;
};

}  // namespace pyheap
