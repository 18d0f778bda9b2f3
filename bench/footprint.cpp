// Footprint: bytes per object, pyheap's side (bench/cpython_workloads.py measures CPython's).
// kCount objects of each kind are made and kept; the figure is the growth of the allocator's
// held bytes (real block sizes, small and large) divided by kCount. The items (small ints) are
// shared immortal objects on both sides and count for nothing. The check is getsizeof of one
// object, which must agree with the allocator's figure (the program fails otherwise).
//   node4    a user type with 4 reference fields (CPython: a class with 4 __slots__)
//   record3  a Record of 3 fields (CPython: a class with 3 __slots__)
//   list10   a List made from 10 items (CPython: list() of a 10-tuple: exact capacity)
//   dict5    a Dict of 5 int keys set one by one (CPython: d = {}; d[k] = k for k in range(5))
#include <array>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "pyheap/pyheap.hpp"

namespace {

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;

struct Node4 : Object {
  std::array<Ref<Object>, 4> f;
  void trace(pyheap::Tracer& t) { t(f); }
};

constexpr std::size_t kCount = 10000;

double held(const Heap& heap) {
  const auto s = heap.allocator().stats();
  return static_cast<double>(s.bytes_held + s.large_bytes);
}

void measure(Heap& heap, const char* kind, const std::function<Ref<Object>()>& make) {
  std::vector<Ref<Object>> keep;
  keep.reserve(kCount);
  const double before = held(heap);
  for (std::size_t i = 0; i < kCount; ++i) keep.push_back(make());
  const double per = (held(heap) - before) / kCount;
  const std::size_t one = pyheap::getsizeof(keep.front());
  if (per != static_cast<double>(one)) {
    std::fprintf(stderr, "footprint %s: allocator says %g bytes per object, getsizeof %zu\n", kind,
                 per, one);
    std::exit(1);
  }
  bench::emit(std::string("footprint ") + kind, "pyheap", per, "bytes/object", "",
              "getsizeof=" + std::to_string(one));
}

}  // namespace

int main() {
  Heap heap;
  heap.gc().disable();
  std::vector<Ref<Object>> ints;
  for (int i = 0; i < 10; ++i) ints.push_back(pyheap::Int::make(heap, i));
  const auto type = pyheap::RecordType::make({"a", "b", "c"});
  measure(heap, "node with 4 refs", [&] {
    Ref<Node4> n = heap.make<Node4>();
    for (int k = 0; k < 4; ++k) n->f[k] = ints[k];
    return Ref<Object>(n);
  });
  measure(heap, "record of 3 fields", [&] {
    return Ref<Object>(pyheap::Record::make(heap, type, {ints[0], ints[1], ints[2]}));
  });
  measure(heap, "list of 10 items", [&] { return Ref<Object>(pyheap::List::make(heap, ints)); });
  measure(heap, "dict of 5 items", [&] {
    Ref<pyheap::Dict> d = pyheap::Dict::make(heap);
    for (int k = 0; k < 5; ++k) d->set(ints[k], ints[k]);
    return Ref<Object>(d);
  });
  return 0;
}
