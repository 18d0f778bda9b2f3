// facts_of: a pyheap object in the advisor's words (object_graph.hpp gives each field's meaning).
#include "introspect/object_facts.hpp"

#include "pyheap/array.hpp"
#include "pyheap/dict.hpp"
#include "pyheap/float.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/instance.hpp"
#include "pyheap/int.hpp"
#include "pyheap/list.hpp"
#include "pyheap/record.hpp"
#include "pyheap/str.hpp"
#include "pyheap/table.hpp"
#include "pyheap/tuple.hpp"

namespace pyheap {

namespace {
// The array module's type codes, so that both runtimes name an Array's items the same way.
template <class T>
constexpr char type_code() {
  if constexpr (std::is_same_v<T, std::int8_t>) return 'b';
  if constexpr (std::is_same_v<T, std::uint8_t>) return 'B';
  if constexpr (std::is_same_v<T, std::int16_t>) return 'h';
  if constexpr (std::is_same_v<T, std::uint16_t>) return 'H';
  if constexpr (std::is_same_v<T, std::int32_t>) return 'i';
  if constexpr (std::is_same_v<T, std::uint32_t>) return 'I';
  if constexpr (std::is_same_v<T, std::int64_t>) return 'q';
  if constexpr (std::is_same_v<T, std::uint64_t>) return 'Q';
  if constexpr (std::is_same_v<T, float>) return 'f';
  return 'd';
}

template <class T>
bool array_facts(const Object& o, ObjectFacts& f) {
  if (!Heap::is_a<Array<T>>(&o)) return false;
  const auto& a = static_cast<const Array<T>&>(o);
  f = {Role::Array, a.size(), a.capacity(), type_code<T>(), static_cast<std::int64_t>(sizeof(T))};
  return true;
}
}  // namespace

ObjectFacts facts_of(const Object& o) {
  ObjectFacts f;
  if (Heap::is_a<Str>(&o)) {
    const auto& s = static_cast<const Str&>(o);
    return {Role::Str, s.length(), 0, static_cast<std::int64_t>(s.hash()), s.is_interned() ? 1 : 0};
  }
  if (Heap::is_a<Int>(&o)) return {Role::Int, 0, 0, 1, 0};
  if (Heap::is_a<Float>(&o)) return {Role::Float, 0, 0, 0, 0};
  if (Heap::is_a<Tuple>(&o)) return {Role::Tuple, static_cast<const Tuple&>(o).size(), 0, 0, 0};
  if (Heap::is_a<List>(&o)) {
    const auto& l = static_cast<const List&>(o);
    return {Role::List, l.size(), l.capacity(), 0, 0};
  }
  if (Heap::is_a<Dict>(&o)) {
    const auto& d = static_cast<const Dict&>(o);
    return {Role::Dict, d.size(), d.table_slots(), 0, 0};
  }
  if (Heap::is_a<Instance>(&o)) return {Role::Instance, static_cast<const Instance&>(o).size(), 0, 0, 0};
  if (Heap::is_a<Record>(&o)) return {Role::Record, static_cast<const Record&>(o).size(), 0, 0, 0};
  if (Heap::is_a<Table>(&o)) {
    const auto& t = static_cast<const Table&>(o);
    return {Role::Table, t.rows(), t.columns(), 0, 0};
  }
  if (Heap::is_a<Class>(&o)) return {Role::Type, 0, 0, 0, 0};
#define PYHEAP_ARRAY_FACTS(T) \
  if (array_facts<T>(o, f)) return f;
  PYHEAP_ARRAY_TYPES(PYHEAP_ARRAY_FACTS)
#undef PYHEAP_ARRAY_FACTS
  return f;
}

std::string allocation_site_text(const Object& o) {
  const AllocationTracing& tracing = Heap::of(&o).tracing();
  if (!tracing.is_tracing()) return {};
  const std::uint32_t id = tracing.site_id(&o);
  if (id == 0) return {};
  return tracing.site(id).location();
}

}  // namespace pyheap
