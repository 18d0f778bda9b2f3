// pyheap/record.hpp — Record, an object whose fields are declared once, as Python's __slots__.
//
// Concept. A RecordType names the fields (in order) and is shared by every record made from it;
// a record stores only the values, inline after a 16-byte object, one Ref<Object> per field:
//
//   [ collector word | header | RecordType* | value 0 | value 1 | ... | value n-1 ]
//      8                8        8            8 bytes each
//
// so a record of 3 fields is one 48-byte block (CPython 3.11, a class with three __slots__: 56,
// plus nothing else; without __slots__ an instance also owns a dict).
//
// RecordType is heap-independent: a plain C++ object, immutable after make() and shared by
// intrusive count (an atomic one, so one type can serve heaps on several threads). Each record
// holds one count on its type, so a type lives as long as the last handle or record using it;
// the count costs 8 bytes in the type, none in the record.
//
// Invariants:
//   - the field count never changes (it is the type's); a value is null while unset (as an
//     unassigned slot, which raises AttributeError in Python: get() returns null);
//   - unknown names and out-of-range indexes throw std::out_of_range;
//   - set() stores the new value before releasing the old one;
//   - always tracked; the collector's Clear step drops the values (CPython's subtype_clear does
//     the same for slots), the type stays until the record dies.
#pragma once

#include <atomic>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pyheap/internal/export.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"
#include "pyheap/tracer.hpp"

namespace pyheap {

class PYHEAP_API RecordType {
 public:
  // A counted handle; null only when moved from or default-made.
  class Handle {
   public:
    Handle() noexcept = default;
    explicit Handle(const RecordType* t) noexcept : t_(t) {
      if (t_) t_->retain();
    }
    Handle(const Handle& o) noexcept : Handle(o.t_) {}
    Handle(Handle&& o) noexcept : t_(std::exchange(o.t_, nullptr)) {}
    Handle& operator=(Handle o) noexcept {
      std::swap(t_, o.t_);
      return *this;
    }
    ~Handle() {
      if (t_) t_->release();
    }
    const RecordType* get() const noexcept { return t_; }
    const RecordType* operator->() const noexcept { return t_; }
    const RecordType& operator*() const noexcept { return *t_; }
    explicit operator bool() const noexcept { return t_ != nullptr; }

   private:
    const RecordType* t_ = nullptr;
  };

  // Throws std::invalid_argument for an empty or repeated name.
  static Handle make(std::initializer_list<std::string_view> fields);
  static Handle make(const std::vector<std::string>& fields);

  std::size_t size() const noexcept { return names_.size(); }
  const std::string& name(std::size_t i) const { return names_.at(i); }
  // Position of a field, or -1. Linear: records are small, and comparing a few short strings is
  // cheaper than hashing one.
  std::ptrdiff_t find(std::string_view name) const noexcept;
  // Position of a field; throws std::out_of_range.
  std::size_t index(std::string_view name) const;

  RecordType(const RecordType&) = delete;
  RecordType& operator=(const RecordType&) = delete;

 private:
  friend class Record;
  explicit RecordType(std::vector<std::string> names) : names_(std::move(names)) {}
  void retain() const noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() const noexcept;

  std::vector<std::string> names_;
  mutable std::atomic<std::size_t> refs_{0};
};

class PYHEAP_API Record : public Object {
  struct Private {
    explicit Private() = default;
  };

 public:
  // Every field unset (null).
  static Ref<Record> make(Heap& heap, const RecordType::Handle& type,
                          SourceLocation site = SourceLocation::current());
  // Values in field order; throws std::invalid_argument if the count differs.
  static Ref<Record> make(Heap& heap, const RecordType::Handle& type, std::initializer_list<Ref<Object>> values,
                          SourceLocation site = SourceLocation::current());

  const RecordType& type() const noexcept { return *type_; }
  std::size_t size() const noexcept { return type_->size(); }

  // By name or position; throw std::out_of_range. get() returns null for an unset field.
  Ref<Object> get(std::string_view name) const { return values()[type_->index(name)]; }
  Ref<Object> get(std::size_t i) const;
  void set(std::string_view name, Ref<Object> value) { set(type_->index(name), std::move(value)); }
  void set(std::size_t i, Ref<Object> value);

  // Collector hook.
  void trace(Tracer& t);
  // Introspection: one Property edge per set field, named by the field.
  void name_edges(EdgeNamer& n) const;

  // Used by Heap::make_var only.
  Record(Private, const RecordType* type) noexcept;
  ~Record();
  std::size_t trailing_bytes() const noexcept { return type_->size() * sizeof(Ref<Object>); }

 private:
  const Ref<Object>* values() const noexcept { return reinterpret_cast<const Ref<Object>*>(this + 1); }
  Ref<Object>* values() noexcept { return reinterpret_cast<Ref<Object>*>(this + 1); }

  const RecordType* type_;  // one count held (see RecordType)
};

}  // namespace pyheap
