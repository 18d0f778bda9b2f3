// Finding 3: lists and tuples that hold nothing but boxed numbers, each number an object with a
// header, where a typed array would store the values themselves.
#include "introspect/advise_context.hpp"

namespace pyheap::advise_detail {

namespace {
constexpr std::size_t kMinItems = 8;  // below this an array's header outweighs the boxes
}

void find_typed_arrays(Context& c, std::vector<Finding>& out) {
  const auto& nodes = c.g.nodes();
  for (const bool floats : {false, true}) {
    std::vector<std::uint32_t> containers;
    std::uint64_t after = 0;
    std::size_t items = 0;
    for (std::uint32_t v = 0; v < nodes.size(); ++v) {
      const Role r = c.role(v);
      if ((r != Role::List && r != Role::Tuple) || nodes[v].length < kMinItems || c.is_garbage(v)) continue;
      bool all = true;
      for (const auto& e : c.g.edges_of(v))
        all &= floats ? c.role(e.to) == Role::Float : (c.role(e.to) == Role::Int && nodes[e.to].aux == 1);
      if (!all) continue;
      containers.push_back(v);
      after += c.rules.typed_array(nodes[v].length, 8);
      items += nodes[v].length;
    }
    if (containers.empty()) continue;
    std::size_t freed_objects = 0;
    const std::uint64_t now = c.freed_bytes(containers, {}, &freed_objects);
    if (now <= after) continue;
    Finding f;
    f.kind = FindingKind::TypedArray;
    f.type_name = floats ? "float" : "int";
    f.count = containers.size();
    f.bytes = now;
    f.saving = now - after;
    const std::string code = floats ? "d" : "q";
    f.title = count_text(containers.size()) + (containers.size() == 1 ? " list or tuple" : " lists and tuples") +
              " of " + (floats ? "floats" : "integers") + (containers.size() == 1 ? " holds " : " hold ") +
              count_text(items) + " boxed numbers";
    f.change_python = "store the numbers unboxed: array('" + code + "', values) instead of a list or tuple";
    f.change_cpp = std::string("pyheap::Array<") + (floats ? "double" : "std::int64_t") +
                   ">::make(heap, values) instead of a List of " + (floats ? "Float" : "Int") + " objects";
    f.estimate = bytes_text(now) + " (" + count_text(freed_objects) + " objects) -> " + bytes_text(after) + " of arrays";
    if (!c.worth_reporting(f)) continue;
    c.add_origins(f, containers);
    out.push_back(std::move(f));
  }
}

}  // namespace pyheap::advise_detail
