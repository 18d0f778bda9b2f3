// Reference copy and drop: pyheap's Ref<T> against std::shared_ptr<T> (as users get it: this
// program links the thread library, so libstdc++ uses atomic counts) and against a plain
// non-atomic intrusive counter written inline here (the floor: what a copy+drop can cost at all).
//
// Each loop does exactly the same work: copy one reference into each of kSlots vector slots
// (push_back into reserved capacity), then clear the vector (every copy dropped), kRounds times.
// Every copy increments and every drop decrements a count that never reaches zero, so no
// object is freed inside the timed loop.
#include <memory>
#include <thread>
#include <vector>

#include "bench_util.hpp"
#include "pyheap/pyheap.hpp"

namespace {

constexpr std::size_t kSlots = 1000, kRounds = 20000;

template <class R>
double copy_drop_ns(const R& source) {
  std::vector<R> slots;
  slots.reserve(kSlots);
  const double t0 = bench::now_seconds();
  for (std::size_t r = 0; r < kRounds; ++r) {
    for (std::size_t i = 0; i < kSlots; ++i) slots.push_back(source);
    bench::do_not_optimize(slots.data());
    slots.clear();
  }
  return (bench::now_seconds() - t0) * 1e9 / (kSlots * kRounds);
}

// The floor: an intrusive count with no atomics and no slow path beyond a delete.
struct Counted {
  long count = 0;
  long payload = 0;
};
class PlainRef {
 public:
  explicit PlainRef(Counted* p) : p_(p) { ++p_->count; }
  PlainRef(const PlainRef& o) : p_(o.p_) { ++p_->count; }
  PlainRef& operator=(const PlainRef&) = delete;
  ~PlainRef() {
    if (--p_->count == 0) delete p_;
  }

 private:
  Counted* p_;
};

struct Payload : pyheap::Object {
  long payload = 0;
};

}  // namespace

int main() {
  // A second thread has existed, as in any program that uses threads: libstdc++ would use atomic
  // counts anyway with glibc >= 2.34 (pthread in libc), this makes it certain.
  std::thread([] {}).join();
  const char* figure = "Ref copy+drop";
  for (int round = 0; round < 3; ++round) {
    pyheap::Heap heap;
    pyheap::Ref<Payload> ref = heap.make<Payload>();
    auto shared = std::make_shared<Counted>();
    PlainRef plain(new Counted);
    bench::emit(figure, "pyheap", copy_drop_ns(ref), "ns/copy+drop");
    bench::emit(figure, "shared_ptr", copy_drop_ns(shared), "ns/copy+drop");
    bench::emit(figure, "plain counter", copy_drop_ns(plain), "ns/copy+drop");
  }
  return 0;
}
