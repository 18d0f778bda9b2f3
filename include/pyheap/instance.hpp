// pyheap/instance.hpp — Instance, an object with arbitrary named attributes (a plain Python class
// instance), with key-sharing (PEP 412).
//
// Concept. Instances of one class nearly always get the same attributes in the same order (those
// set by __init__), so the names are stored once, in the Class, and each instance keeps only an
// array of values, position i holding the value of the class's key i:
//
//   Class: [ header | keys: "id", "name", "score", ... ]   (shared, append-only)
//              ^
//   Instance: [ collector word | header | Class | values* | count, capacity | Dict (null) ]
//                                                    |
//                                                    [ v0 | v1 | v2 ]   (allocator block)
//
// An instance that adds the class's next key (its count equals that key's position) extends the
// shared table, or just its array if the key is already there. Any other new key (one the class
// knows at a later position, or a new key after the class has grown past this instance) falls
// back, for that instance only and for good, to a private Dict holding every attribute (the
// split layout is dropped: CPython's combined dict). So key order is always insertion order.
//
// Invariants:
//   - while dict is null, values[0..count) hold the attributes named by the class's first count
//     keys, in order; none is null except after the collector's Clear step;
//   - once dict is set, values is null and count == 0;
//   - the Class is a per-heap object (untracked: it holds only names, never references), so no
//     lock guards its append-only key list;
//   - set() stores the new value before releasing the old; get() of a missing name throws
//     std::out_of_range (Python's AttributeError);
//   - always tracked (as CPython's instances).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pyheap/internal/export.hpp"
#include "pyheap/dict.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/object.hpp"
#include "pyheap/ref.hpp"
#include "pyheap/tracer.hpp"

namespace pyheap {

class PYHEAP_API Class : public Object {
  struct Private {
    explicit Private() = default;
  };

 public:
  static Ref<Class> make(Heap& heap, std::string_view name,
                         SourceLocation site = SourceLocation::current()) {
    return heap.make_at<Class>(site, Private{}, name);
  }

  const std::string& name() const noexcept { return name_; }
  std::size_t key_count() const noexcept { return keys_.size(); }
  const std::string& key(std::size_t i) const { return keys_.at(i); }
  std::ptrdiff_t find(std::string_view key) const noexcept;

  Class(Private, std::string_view name) : name_(name) {}

 private:
  friend class Instance;
  std::string name_;
  std::vector<std::string> keys_;  // shared key table, append-only
};

class PYHEAP_API Instance : public Object {
  struct Private {
    explicit Private() = default;
  };

 public:
  // Throws std::invalid_argument for a null class or one of another heap.
  // The attribute dict and key strings an instance makes later, when its attributes outgrow the
  // shared-key values, record their sites in src/containers/instance.cpp: they are made by a
  // set, not by this call.
  static Ref<Instance> make(Heap& heap, Ref<Class> cls,
                            SourceLocation site = SourceLocation::current());

  const Class& cls() const noexcept { return *cls_; }
  // Throws std::out_of_range for a missing attribute.
  Ref<Object> get(std::string_view name) const;
  bool has(std::string_view name) const noexcept;
  // Throws std::invalid_argument for a null value, std::bad_alloc (the instance unchanged).
  void set(std::string_view name, Ref<Object> value);
  std::size_t size() const noexcept;
  // True while the instance uses the shared keys (no private Dict).
  bool shares_keys() const noexcept { return !dict_; }
  // The private Dict after a fallback, else null.
  const Ref<Dict>& dict() const noexcept { return dict_; }

  // Collector and getsizeof hooks.
  void trace(Tracer& t);
  std::size_t owned_bytes() const noexcept;
  // Introspection: attributes as Property edges; the class and a fallback dict as Internal.
  void name_edges(EdgeNamer& n) const;

  Instance(Private, Ref<Class> cls) noexcept : cls_(std::move(cls)) {}
  ~Instance();

 private:
  void free_values() noexcept;
  void grow_values(std::size_t cap);
  void to_dict(Ref<Object> key, Ref<Object> value);

  Ref<Class> cls_;
  Ref<Object>* values_ = nullptr;
  std::uint32_t count_ = 0;
  std::uint32_t capacity_ = 0;
  Ref<Dict> dict_;
};

}  // namespace pyheap
