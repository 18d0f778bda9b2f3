// The field an object is held in, as the program's code names it: where it would have to change
// (intern a text where Customer.city is set, not "somewhere in the heap"). From the object, up
// its shortest path from the root: through containers (lists, tuples, sets, plain dicts: each a
// step, "[i]", "[1]", "['city']"), up to the first named holder: an attribute of an object (its
// class names the field), a module's global or a frame's local. Three containers deep, or at a
// root, the container itself is the anchor.
#include "introspect/advise_context.hpp"

namespace pyheap::advise_detail {

namespace {
constexpr std::size_t kMaxSteps = 3;
constexpr std::uint64_t kMaxRecordKeys = 64;

enum class Anchor : std::uint64_t { Node, Type, Namespace };

bool container(Role r) { return r == Role::List || r == Role::Tuple || r == Role::Set || r == Role::Dict; }

// One walk serves both the key and the label.
template <class Step, class Anchored>
void walk_field(const Context& c, std::uint32_t v, Step&& step, Anchored&& anchored) {
  std::uint32_t u = v;
  for (std::size_t depth = 0;; ++depth) {
    const std::uint32_t p = c.parent_of(u);
    if (p == kNone || p == u || !c.is_object(p) || depth == kMaxSteps) return anchored(Anchor::Node, u, kNone);
    const auto& e = c.g.edges()[c.parent_edge_of(u)];
    const std::uint32_t owner = c.dict_owner(p);
    const bool frame = c.frames_dict() != kNone && c.parent_of(p) == c.frames_dict();
    if (owner != kNone || frame) {  // an object's own dict, a module's, a frame's locals
      step(p, e, true);
      if (frame) return anchored(Anchor::Namespace, p, kNone);
      if (c.role(owner) == Role::Module) return anchored(Anchor::Namespace, owner, kNone);
      return anchored(Anchor::Type, owner, c.g.nodes()[owner].type);
    }
    if (c.role(p) == Role::Instance || c.role(p) == Role::Record || !container(c.role(p))) {
      step(p, e, true);
      return anchored(Anchor::Type, p, c.g.nodes()[p].type);
    }
    step(p, e, false);
    u = p;
  }
}

// A plain dict of many entries is a map (its keys are data: "index[key]"), not a record whose keys
// name fields ("row['city']").
bool is_map(const Context& c, std::uint32_t dict) { return c.g.nodes()[dict].length > kMaxRecordKeys; }

}  // namespace

std::vector<std::uint64_t> Context::field_key(std::uint32_t v) const {
  std::vector<std::uint64_t> key;
  walk_field(
      *this, v,
      [&](std::uint32_t p, const ObjectGraph::Edge& e, bool named) {
        // A tuple's positions are fields of their own; a list's, a set's, a map's are all one.
        const bool any = e.kind == EdgeKind::Element ? role(p) != Role::Tuple
                                                     : !named && role(p) == Role::Dict && is_map(*this, p);
        const std::uint64_t name = any ? kNone : e.name;
        key.push_back((static_cast<std::uint64_t>(e.kind) << 32) | (name & 0xffffffffu));
      },
      [&](Anchor a, std::uint32_t node, std::uint32_t type) {
        key.push_back(static_cast<std::uint64_t>(a));
        key.push_back(a == Anchor::Type ? type : node);
      });
  return key;
}

std::uint32_t Context::field_type(std::uint32_t v) const {
  std::uint32_t out = kNone;
  walk_field(
      *this, v, [](std::uint32_t, const ObjectGraph::Edge&, bool) {},
      [&](Anchor a, std::uint32_t, std::uint32_t type) {
        if (a == Anchor::Type) out = type;
      });
  return out;
}

std::string Context::field_label(std::uint32_t v) const {
  std::vector<std::string> steps;  // innermost first
  std::string anchor;
  walk_field(
      *this, v,
      [&](std::uint32_t p, const ObjectGraph::Edge& e, bool named) {
        if (e.kind == EdgeKind::Internal && e.name == dict_edge_name) return;
        if (e.kind == EdgeKind::Element) {
          steps.push_back(role(p) == Role::List || role(p) == Role::Set ? "[i]" : role(p) == Role::Dict ? "[key]" : g.edge_label(e));
        } else if (e.kind == EdgeKind::Property && !named && is_map(*this, p)) {
          steps.push_back("[key]");
        } else if (e.kind == EdgeKind::Property) {
          // Built by appending: GCC 12's -Wrestrict misfires on "literal" + std::string.
          std::string step(named ? "." : "['");
          step += g.strings()[e.name];
          if (!named) step += "']";
          steps.push_back(std::move(step));
        } else if (g.strings()[e.name].rfind("(key) ", 0) == 0) {
          steps.push_back(" (a key)");
        } else {
          std::string step(".");
          step += g.edge_label(e);
          steps.push_back(std::move(step));
        }
      },
      [&](Anchor a, std::uint32_t node, std::uint32_t type) {
        if (a == Anchor::Type) {
          anchor = g.types()[type].name;
        } else if (a == Anchor::Namespace && frames_dict() != kNone && parent_of(node) == frames_dict()) {
          anchor = g.edge_label(g.edges()[parent_edge_of(node)]);  // "main() (app.py:12)"
        } else if (a == Anchor::Namespace) {
          // A module's global as its code names it: "cities" in __main__, "config.cache" elsewhere.
          const std::string& name = g.name(node);
          anchor = name.rfind("module ", 0) == 0 ? name.substr(7) : name;
          if (anchor == "__main__") anchor.clear();
        } else {
          anchor = path_to(node, 4, false);
        }
      });
  for (std::size_t i = steps.size(); i-- > 0;) anchor += anchor.empty() && steps[i][0] == '.' ? steps[i].substr(1) : steps[i];
  return anchor;
}

}  // namespace pyheap::advise_detail
