// view/picture.hpp — the object graph of a heap script at one moment, as the viewer draws it.
//
// A Picture holds ids, not pointers, so it stays meaningful after the heap changed: script
// objects are named by their labels, which are unique in a script (heap-script spec), and the
// Names table turns labels and variable names into dense ids in order of first sight.
// Invariants: objects sorted by id, edges sorted by (from, slot, to), bindings by variable id;
// every edge and binding names an object of the picture, except when `too_many` is set (then the
// picture is empty: the heap held more objects than the viewer draws).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pyheap/heap_graph.hpp"

namespace pyheap {
class Heap;
class Object;
}  // namespace pyheap

namespace pyheap::view {

// Beyond this many live script objects a step is not drawn (a picture that large is unreadable,
// and its layout would cost seconds): the page says how many there were instead.
inline constexpr std::size_t kMaxDrawnObjects = 300;

enum class Kind : std::uint8_t { Node, Final, Resurrect, Weak, WeakWithCallback };

// Field numbers 0..7 are slots; a weak reference's referent is kWeakSlot.
inline constexpr int kWeakSlot = -1;

struct ObjectState {
  std::uint32_t id = 0;
  std::uint32_t refcount = 0;
  std::int8_t generation = -1;  // 0..2, 3 = permanent (frozen), -1 = untracked
  bool finalized = false;
  friend bool operator==(const ObjectState&, const ObjectState&) = default;
};

struct Edge {
  std::uint32_t from = 0;
  int slot = 0;
  std::uint32_t to = 0;
  friend auto operator<=>(const Edge&, const Edge&) = default;
};

struct Binding {
  std::uint32_t var = 0;
  std::uint32_t object = 0;
  friend auto operator<=>(const Binding&, const Binding&) = default;
};

struct Picture {
  std::vector<ObjectState> objects;
  std::vector<Edge> edges;
  std::vector<Binding> bindings;
  std::size_t too_many = 0;  // the number of live objects when above kMaxDrawnObjects, else 0

  const ObjectState* find(std::uint32_t id) const noexcept;
};

// Dense ids for names, in order of first sight.
class Names {
 public:
  std::uint32_t id(std::string_view name);
  std::uint32_t at(std::string_view name) const;  // a name seen before
  const std::vector<std::string>& all() const noexcept { return names_; }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint32_t> ids_;
};

// Takes pictures of one script's heap; knows the script's object types (script_objects.hpp).
class Camera {
 public:
  using Variables = std::span<const NamedRoot>;

  // Script objects are drawn; any other object of the heap is not.
  static bool draws(const Object* o);
  Picture take(const Heap& heap, Variables variables);
  // The id of a live script object (nodes and weak reference objects carry their label).
  std::uint32_t id_of(const Object* o);
  // Ids of the script objects among `objects` (other objects are skipped), in the same order.
  std::vector<std::uint32_t> ids_of(std::span<Object* const> objects);

  const Names& objects() const noexcept { return objects_; }
  const Names& variables() const noexcept { return variables_; }
  Kind kind(std::uint32_t id) const { return kinds_[id]; }

 private:
  Names objects_, variables_;
  std::vector<Kind> kinds_;  // by object id
};

}  // namespace pyheap::view
