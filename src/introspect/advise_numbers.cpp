// Finding 3: lists and tuples that hold nothing but boxed numbers, each number an object with a
// header (or, for small integers, a shared one, whose 8-byte slot in the list still costs eight
// times a byte), where a typed array of the narrowest item that holds every value stores the
// values themselves: array('b'/'h'/'i'/'q'/'d'), bytes or bytearray for 0..255.
#include <algorithm>
#include <charconv>
#include <map>

#include "introspect/advise_context.hpp"

namespace pyheap::advise_detail {

namespace {
constexpr std::size_t kMinItems = 8;  // below this an array's header outweighs the boxes

// What a container of numbers becomes.
enum class Form : std::uint8_t { Array, Bytes, ByteArray };
struct Replacement {
  bool floats = false;
  Form form = Form::Array;
  IntItem item;
  bool operator<(const Replacement& o) const {
    return std::tie(floats, form, item.code) < std::tie(o.floats, o.form, o.item.code);
  }
};
}  // namespace

bool int_value(const Context& c, std::uint32_t v, std::int64_t& value) {
  if (c.role(v) != Role::Int || c.g.nodes()[v].aux != 1) return false;
  const std::string& text = c.g.name(v);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

bool int_items(const Context& c, std::uint32_t container, std::int64_t& min, std::int64_t& max) {
  const auto items = c.g.edges_of(container);
  if (items.size() != c.g.nodes()[container].length) return false;  // holes (pyheap's empty slots)
  for (const auto& e : items) {
    std::int64_t x = 0;
    if (!int_value(c, e.to, x)) return false;
    min = std::min(min, x);
    max = std::max(max, x);
  }
  return true;
}

IntItem narrowest_int_item(std::int64_t min, std::int64_t max) noexcept {
  if (min >= -128 && max <= 127) return {'b', 1, "std::int8_t"};
  if (min >= 0 && max <= 255) return {'B', 1, "std::uint8_t"};
  if (min >= -32768 && max <= 32767) return {'h', 2, "std::int16_t"};
  if (min >= 0 && max <= 65535) return {'H', 2, "std::uint16_t"};
  if (min >= INT32_MIN && max <= INT32_MAX) return {'i', 4, "std::int32_t"};
  if (min >= 0 && max <= static_cast<std::int64_t>(UINT32_MAX)) return {'I', 4, "std::uint32_t"};
  return {'q', 8, "std::int64_t"};
}

void find_typed_arrays(Context& c, std::vector<Finding>& out) {
  const auto& nodes = c.g.nodes();
  struct Group {
    std::vector<std::uint32_t> containers;
    std::uint64_t after = 0;
    std::size_t items = 0;
  };
  std::map<Replacement, Group> groups;
  for (std::uint32_t v = 0; v < nodes.size(); ++v) {
    const Role r = c.role(v);
    if ((r != Role::List && r != Role::Tuple) || nodes[v].length < kMinItems || c.is_garbage(v) || !c.in_scope(v))
      continue;
    const auto edges = c.g.edges_of(v);
    if (edges.size() != nodes[v].length) continue;  // holes (pyheap's empty slots)
    Replacement rep;
    rep.floats = c.role(edges.front().to) == Role::Float;
    std::int64_t min = INT64_MAX, max = INT64_MIN;
    const bool all = rep.floats ? std::all_of(edges.begin(), edges.end(), [&](const auto& e) { return c.role(e.to) == Role::Float; })
                                : int_items(c, v, min, max);
    if (!all) continue;
    const std::size_t n = nodes[v].length;
    std::uint64_t after = 0;
    if (rep.floats) {
      rep.item = {'d', 8, "double"};
      after = c.rules.typed_array(n, 8);
    } else {
      rep.item = narrowest_int_item(min, max);
      // Bytes 0..255: bytes for a tuple (immutable), bytearray for a list; both smaller than an array.
      if (min >= 0 && max <= 255) {
        rep.item = {'B', 1, "std::uint8_t"};
        rep.form = r == Role::Tuple ? Form::Bytes : Form::ByteArray;
        after = r == Role::Tuple ? c.rules.byte_string(n) : c.rules.byte_array(n);
      } else {
        after = c.rules.typed_array(n, rep.item.size);
      }
    }
    Group& grp = groups[rep];
    grp.containers.push_back(v);
    grp.after += after;
    grp.items += n;
  }
  for (auto& [rep, grp] : groups) {
    std::size_t freed_objects = 0;
    const std::uint64_t now = c.freed_bytes(grp.containers, {}, &freed_objects);
    if (now <= grp.after) continue;
    Finding f = make_finding(FindingKind::TypedArray, rep.floats ? "float" : "int", grp.containers.size(), now, grp.after);
    const bool one = grp.containers.size() == 1;
    const std::string where = c.field_label(grp.containers.front());
    const std::string range = rep.floats          ? "floats"
                              : rep.item.code == 'q' ? "integers"
                                                     : std::string("integers that fit array('") + rep.item.code + "')";
    f.title = count_text(grp.containers.size()) + (one ? " list or tuple" : " lists and tuples") + " of " +
              (rep.form == Form::Array ? range : "integers 0..255") + (one ? " holds " : " hold ") +
              count_text(grp.items) + " numbers, each an 8-byte reference" + (rep.floats ? " to a float object" : "") +
              " (" + where + ")";
    std::string make;
    switch (rep.form) {
      case Form::Array: make = std::string("array('") + rep.item.code + "', values)"; break;
      case Form::Bytes: make = "bytes(values) (immutable, as the tuple was)"; break;
      case Form::ByteArray: make = "bytearray(values) (a mutable sequence of 0..255, as the list was)"; break;
    }
    f.change_python = "store the numbers unboxed: " + make + " instead of a list or tuple, where " + where + " is made";
    f.change_cpp = std::string("pyheap::Array<") + rep.item.cpp + ">::make(heap, values) instead of a List of " +
                   (rep.floats ? "Float" : "Int") + " objects";
    f.estimate = bytes_text(now) + " (" + count_text(freed_objects) + " objects) -> " + bytes_text(grp.after) +
                 (rep.form == Form::Array ? " of arrays" : " of bytes");
    if (!c.worth_reporting(f)) continue;
    c.add_origins(f, grp.containers);
    out.push_back(std::move(f));
  }
}

}  // namespace pyheap::advise_detail
