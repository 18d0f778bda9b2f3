// The process-wide type table. Append-only: an id, once handed out, names the same TypeInfo for
// the life of the process, so readers need no lock. Registration happens once per type (a
// function-local static in detail::type_id_of) and takes the mutex.
//
// "The life of the process" includes its exit: the registry is never destroyed. A Heap with
// static storage duration (a global, a function-local static, one inside a shared library's
// globals) is destroyed by the same exit-time sequence that would destroy a static registry, in
// the reverse order of construction, and the registry is constructed at the first make, after
// such a heap, so it would go first; ~Heap then collects what is left and reads the type of every
// object (issue 19: a use after free at exit). Placement-new into static storage, with no
// destructor registered, makes the order irrelevant, in a static and a shared build alike (the
// registry lives in libpyheap_core either way, and nothing of it is torn down at exit or at
// dlclose). What it owns stays reachable from that storage, so LeakSanitizer does not report it.
#include <cxxabi.h>

#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>

#include "pyheap/internal/check.hpp"
#include "pyheap/type_info.hpp"

namespace pyheap::detail {

const TypeInfo* type_table[kMaxTypes] = {};

namespace {
struct Registry {
  std::mutex mu;
  std::deque<TypeInfo> infos;  // deque: stable addresses as it grows
};

Registry& registry() {
  alignas(Registry) static unsigned char storage[sizeof(Registry)];
  static Registry* const r = ::new (static_cast<void*>(storage)) Registry();  // never destroyed
  return *r;
}
}  // namespace

std::uint16_t register_type(TypeInfo info) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  // Id 0 is never handed out, so a zeroed header is recognisably not an object.
  const std::size_t id = r.infos.size() + 1;
  if (id >= kMaxTypes) throw std::length_error("pyheap: more than 65535 object types");
  r.infos.push_back(std::move(info));
  type_table[id] = &r.infos.back();
  return static_cast<std::uint16_t>(id);
}

std::string short_type_name(std::string_view qualified) {
  // The last "::" outside template arguments: "a::B<c::D>::E<f::G>" -> "E<f::G>".
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < qualified.size(); ++i) {
    const char c = qualified[i];
    if (c == '<' || c == '(') ++depth;
    else if ((c == '>' || c == ')') && depth > 0) --depth;
    else if (depth == 0 && c == ':' && i + 1 < qualified.size() && qualified[i + 1] == ':') start = i + 2;
  }
  return std::string(qualified.substr(start));
}

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(mangled);
}

}  // namespace pyheap::detail
