// What it takes to give a CPython class's instances a fixed layout: __slots__ in every class of
// its hierarchy, since a single class without them (a base included) gives every instance its
// per-object dict and __weakref__ back. The hierarchy is read from the graph itself: a class's
// referents are its __dict__, its __mro__ (the tuple whose first item is the class) and its
// bases; a class declares __slots__ when its __dict__ has that key (and the names do not include
// "__dict__"). Builtin classes (object, Exception...) have no referents: object carries no dict;
// another builtin base is taken to carry the dict when every Python class of the hierarchy
// already declares __slots__ (the dict must come from somewhere).
#include "introspect/advise_context.hpp"

namespace pyheap::advise_detail {

namespace {
bool declares_slots(const Context& c, std::uint32_t dict) {
  const std::uint32_t slots = c.property(dict, "__slots__");
  if (slots == kNone) return false;
  auto is_dict_name = [&](std::uint32_t s) { return c.role(s) == Role::Str && c.g.name(s) == "__dict__"; };
  if (is_dict_name(slots)) return false;
  for (const auto& e : c.g.edges_of(slots))
    if (e.kind == EdgeKind::Element && is_dict_name(e.to)) return false;
  return true;
}
}  // namespace

SlotsPlan slots_plan(const Context& c, std::uint32_t type) {
  SlotsPlan plan;
  if (c.g.runtime() != Runtime::CPython) return plan;
  const std::uint32_t cls = c.class_node(type);
  const std::uint32_t mro = cls == kNone ? kNone : c.class_mro(cls);
  if (mro == kNone) return plan;
  plan.known = true;
  std::vector<std::uint32_t> builtin_bases;
  for (const auto& e : c.g.edges_of(mro)) {
    if (e.kind != EdgeKind::Element || c.role(e.to) != Role::Type) continue;
    const std::uint32_t dict = c.class_dict(e.to);
    if (dict == kNone) {  // a builtin class
      if (c.class_name(e.to) != "object") builtin_bases.push_back(e.to);
      continue;
    }
    if (declares_slots(c, dict)) continue;
    plan.need.push_back(e.to);
    if (!c.owns_module(c.class_module(e.to))) plan.foreign.push_back(e.to);
  }
  if (plan.need.empty()) plan.foreign = builtin_bases;  // the dict is a builtin base's
  if (plan.need.empty() && plan.foreign.empty()) plan.known = false;  // nothing to say: not a dict we can see
  return plan;
}

std::string class_with_module(const Context& c, std::uint32_t cls) {
  const std::string module = c.class_module(cls);
  return module.empty() || module == "__main__" ? c.class_name(cls) : module + "." + c.class_name(cls);
}

}  // namespace pyheap::advise_detail
