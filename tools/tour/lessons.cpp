#include "tour/lessons.hpp"

#include <cmath>
#include <limits>

#include "report/scale.hpp"

namespace pyheap::tour {

using report::format_number;
using report::format_seconds;

double ratio(const LessonRow& row) noexcept {
  return row.cpython == 0 ? std::numeric_limits<double>::quiet_NaN() : row.pyheap / row.cpython;
}

namespace {

LessonRow row(std::string name, const std::string& key, const Figures& p, const Figures& c) {
  return {std::move(name), p.number(key), c.number(key)};
}

}  // namespace

std::vector<Lesson> make_lessons(const TourSizes& sizes, const Figures& p, const Figures& c) {
  std::vector<Lesson> lessons;

  Lesson records;
  records.title = format_number(static_cast<double>(sizes.records)) + " records of (id, name, score)";
  records.why =
      "A plain instance keeps its attributes in a values array under keys its class shares with every "
      "instance (PEP 412); __slots__ drops that machinery and stores the three references inline in the "
      "object. In both, each id, name and score is an object of its own. A columnar table stores the ids and "
      "scores unboxed in arrays, so only the names remain objects.";
  records.unit = "record";
  records.items = sizes.records;
  records.rows = {row("dict-instances", "records.dict_instances", p, c), row("slotted records", "records.slots", p, c),
                  row("columnar table", "records.columns", p, c)};
  lessons.push_back(std::move(records));

  Lesson floats;
  floats.title = format_number(static_cast<double>(sizes.floats)) + " floats";
  floats.why =
      "In a list every float is a boxed object (a header and the 8-byte value, rounded up to the allocator's "
      "block) and the list holds a pointer to it; an array stores the 8-byte doubles themselves, one after "
      "the other, in one buffer.";
  floats.unit = "float";
  floats.items = sizes.floats;
  floats.rows = {row("list of boxed floats", "floats.list", p, c), row("typed array", "floats.array", p, c)};
  lessons.push_back(std::move(floats));

  Lesson strings;
  strings.title = format_number(static_cast<double>(sizes.strings)) + " strings, " +
                  format_number(static_cast<double>(sizes.distinct)) + " distinct texts";
  strings.why =
      "A string built at run time is a new object each time, even when an equal one exists. Interning "
      "(sys.intern, Heap::intern) keeps one object per distinct text and hands it out again, so the list "
      "holds pointers to a few shared strings: what remains is mostly the list's own pointer array.";
  strings.unit = "string";
  strings.items = sizes.strings;
  strings.rows = {row("not interned", "strings.plain", p, c), row("interned", "strings.interned", p, c)};
  lessons.push_back(std::move(strings));

  Lesson cycles;
  cycles.title = format_number(static_cast<double>(sizes.nodes)) + " linked nodes: a chain, then a ring";
  cycles.why =
      "Reference counting frees an object the moment its last reference goes, so dropping the chain's head "
      "gives all its memory back at once. Closing the chain into a ring gives every node a reference from "
      "the node before it: the counts never reach zero, and the memory stays until the cycle collector "
      "finds the ring unreachable from outside and breaks it (automatic collection was off meanwhile).";
  cycles.unit = "node";
  cycles.items = sizes.nodes;
  cycles.rows = {row("chain, built", "cycle.chain_built", p, c),
                 row("chain, head dropped", "cycle.chain_after_del", p, c),
                 row("ring, built", "cycle.ring_built", p, c),
                 row("ring, head dropped", "cycle.ring_after_del", p, c),
                 row("ring, after collect", "cycle.ring_after_collect", p, c)};
  cycles.notes = {
      "pyheap: gc().collect() found " + format_number(p.number("cycle.collected")) + " unreachable objects in " +
          format_seconds(p.number("cycle.collect_seconds")) + "; generation 0's count before it: " +
          format_number(p.number("cycle.gen0_count_before")) + ".",
      "CPython: gc.collect() returned " + format_number(c.number("cycle.collected")) + " in " +
          format_seconds(c.number("cycle.collect_seconds")) + "; gc.get_count()[0] before it: " +
          format_number(c.number("cycle.gen0_count_before")) + "."};
  lessons.push_back(std::move(cycles));
  return lessons;
}

}  // namespace pyheap::tour
