// What ~Heap says about the objects still alive after its last collection (a leak in the program):
// how many of each type, whether each type is tracked (an untracked type holding references is
// the usual reason a cycle survives), and which references in static storage point at them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pyheap {

class Heap;

namespace detail {

// A pointer-sized word in the writable segments of a loaded module (globals, statics, function-local
// statics) whose value points into [begin, end) of one of `ranges`, with the symbol that covers it.
struct StaticHolder {
  std::size_t range;     // index into the ranges searched
  std::string variable;  // "kRoot", "main()::cache", or "app+0x4a10" when no symbol covers it
  std::string module;    // the file the word belongs to
};
struct AddressRange {
  std::uintptr_t begin, end;
};
// Scans every loaded module's writable segments (dl_iterate_phdr). At most `limit` holders.
std::vector<StaticHolder> find_static_holders(const std::vector<AddressRange>& ranges, std::size_t limit);

// The message ~Heap reports through the unraisable hook.
std::string describe_leaked_objects(const Heap& heap);

}  // namespace detail
}  // namespace pyheap
