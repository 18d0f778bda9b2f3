#include "tour/pyheap_side.hpp"

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "pyheap/array.hpp"
#include "pyheap/float.hpp"
#include "pyheap/heap.hpp"
#include "pyheap/instance.hpp"
#include "pyheap/int.hpp"
#include "pyheap/list.hpp"
#include "pyheap/record.hpp"
#include "pyheap/size.hpp"
#include "pyheap/str.hpp"
#include "pyheap/table.hpp"

namespace pyheap::tour {

namespace {

// What the allocator has handed out: small blocks at their block size, large ones as requested
// (the same rule cpython_side.py applies to tracemalloc's figures).
double bytes_held(Heap& heap) {
  const AllocatorStats s = heap.allocator().stats();
  return static_cast<double>(s.bytes_held + s.large_bytes);
}

// The values both sides use (see cpython_side.py): ids start at one million so that none is a
// cached small int.
std::int64_t user_id(std::size_t i) { return 1'000'000 + static_cast<std::int64_t>(i); }
std::string user_name(std::size_t i) { return "user-" + std::to_string(i); }
double user_score(std::size_t i) { return static_cast<double>(i) * 0.25; }

// Bytes held by what build() returns, measured by the allocator and checked with deep_size.
template <class Build>
double measure(Heap& heap, const char* what, Build build) {
  heap.gc().collect();
  const double before = bytes_held(heap);
  auto data = build();
  const double held = bytes_held(heap) - before;
  const double deep = static_cast<double>(deep_size(data));
  if (held != deep)
    throw std::logic_error(std::string("pyheap: ") + what + ": the allocator's delta (" + std::to_string(held) +
                           " bytes) and deep_size (" + std::to_string(deep) + ") disagree");
  return held;
}

void lesson_records(Heap& heap, const TourSizes& sizes, Figures& f) {
  const std::size_t n = sizes.records;
  f.numbers["records.dict_instances"] = measure(heap, "dict-instances", [&] {
    auto cls = Class::make(heap, "User");
    auto list = List::make(heap);
    for (std::size_t i = 0; i < n; ++i) {
      auto u = Instance::make(heap, cls);
      u->set("id", Int::make(heap, user_id(i)));
      u->set("name", Str::make(heap, user_name(i)));
      u->set("score", Float::make(heap, user_score(i)));
      list->append(std::move(u));
    }
    return list;
  });
  f.numbers["records.slots"] = measure(heap, "slotted records", [&] {
    const auto type = RecordType::make({"id", "name", "score"});
    auto list = List::make(heap);
    for (std::size_t i = 0; i < n; ++i)
      list->append(Record::make(heap, type, {Int::make(heap, user_id(i)), Str::make(heap, user_name(i)),
                                             Float::make(heap, user_score(i))}));
    return list;
  });
  f.numbers["records.columns"] = measure(heap, "columnar table", [&] {
    auto table = Table::make(heap, {{"id", Table::Kind::Int64}, {"name", Table::Kind::Object},
                                    {"score", Table::Kind::Float64}});
    for (std::size_t i = 0; i < n; ++i)
      table->append_row({user_id(i), Ref<Object>(Str::make(heap, user_name(i))), user_score(i)});
    return table;
  });
}

void lesson_floats(Heap& heap, const TourSizes& sizes, Figures& f) {
  f.numbers["floats.list"] = measure(heap, "list of floats", [&] {
    auto list = List::make(heap);
    for (std::size_t i = 0; i < sizes.floats; ++i) list->append(Float::make(heap, static_cast<double>(i) * 0.5));
    return list;
  });
  f.numbers["floats.array"] = measure(heap, "array of doubles", [&] {
    auto array = Array<double>::make(heap);
    for (std::size_t i = 0; i < sizes.floats; ++i) array->append(static_cast<double>(i) * 0.5);
    return array;
  });
}

void lesson_strings(Heap& heap, const TourSizes& sizes, Figures& f) {
  auto text = [&](std::size_t i) { return "city-" + std::to_string(i % sizes.distinct); };
  f.numbers["strings.plain"] = measure(heap, "plain strings", [&] {
    auto list = List::make(heap);
    for (std::size_t i = 0; i < sizes.strings; ++i) list->append(Str::make(heap, text(i)));
    return list;
  });
  f.numbers["strings.interned"] = measure(heap, "interned strings", [&] {
    auto list = List::make(heap);
    for (std::size_t i = 0; i < sizes.strings; ++i) list->append(Str::intern(heap, text(i)));
    return list;
  });
}

// A chain of nodes (next, payload), the first made at the tail; returns {head, tail}.
std::pair<Ref<Record>, Ref<Record>> build_chain(Heap& heap, const RecordType::Handle& node, std::size_t n) {
  Ref<Record> head, tail;
  for (std::size_t i = 0; i < n; ++i) {
    auto r = Record::make(heap, node);
    r->set(1, Float::make(heap, static_cast<double>(i) * 0.5));
    r->set(0, head);
    head = std::move(r);
    if (!tail) tail = head;
  }
  return {std::move(head), std::move(tail)};
}

void lesson_cycles(Heap& heap, const TourSizes& sizes, Figures& f) {
  const auto node = RecordType::make({"next", "payload"});
  heap.gc().collect();
  heap.gc().disable();  // only the explicit collection below may run, as on the CPython side

  double base = bytes_held(heap);
  auto [head, tail] = build_chain(heap, node, sizes.nodes);
  tail.reset();
  f.numbers["cycle.chain_built"] = bytes_held(heap) - base;
  if (f.numbers["cycle.chain_built"] != static_cast<double>(deep_size(head)))
    throw std::logic_error("pyheap: the chain's deep_size and the allocator's delta disagree");
  head.reset();  // reference counting frees the whole chain, node after node, right here
  f.numbers["cycle.chain_after_del"] = bytes_held(heap) - base;

  base = bytes_held(heap);
  std::tie(head, tail) = build_chain(heap, node, sizes.nodes);
  tail->set(0, head);  // close the ring
  tail.reset();
  f.numbers["cycle.ring_built"] = bytes_held(heap) - base;
  head.reset();  // every node is still referenced by the one before it: nothing is freed
  f.numbers["cycle.ring_after_del"] = bytes_held(heap) - base;
  f.numbers["cycle.gen0_count_before"] = static_cast<double>(heap.gc().count()[0]);
  const auto start = std::chrono::steady_clock::now();
  f.numbers["cycle.collected"] = static_cast<double>(heap.gc().collect());
  f.numbers["cycle.collect_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  f.numbers["cycle.ring_after_collect"] = bytes_held(heap) - base;
  heap.gc().enable();
}

}  // namespace

Figures measure_pyheap(const TourSizes& sizes) {
  Figures f;
  f.side = "pyheap";
  Heap heap;
  lesson_records(heap, sizes, f);
  lesson_floats(heap, sizes, f);
  lesson_strings(heap, sizes, f);
  lesson_cycles(heap, sizes, f);
  return f;
}

}  // namespace pyheap::tour
