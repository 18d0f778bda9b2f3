// introspect/object_facts.hpp — what the advisor needs to know of a pyheap object beyond its
// edges: its Role, length, allocated slots and a few layout facts (the "pyheap" fields of a
// .heapsnapshot, object_graph.hpp). One description serves the live capture and the writer.
#pragma once

#include <cstdint>
#include <string>

#include "pyheap/object_graph.hpp"

namespace pyheap {

class Object;

struct ObjectFacts {
  Role role = Role::Other;
  std::uint64_t length = 0;
  std::uint64_t capacity = 0;
  std::int64_t aux = 0;
  std::int64_t aux2 = 0;
};

ObjectFacts facts_of(const Object& o);

// "file:line" of a live object made while its heap traced allocations, else "".
std::string allocation_site_text(const Object& o);

}  // namespace pyheap
