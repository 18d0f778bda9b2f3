// Misuse that would corrupt memory (issue 12, part 5): a reference between two heaps is caught by
// the first collection that traces it (debug builds), and tracking a type without a collector
// word is refused in every build. (That users cannot reach track/untrack, allocate_tagged or
// set_user_data at all is checked at compile time: tests/compile_checks/.)
#include <gtest/gtest.h>

#include "pyheap/heap.hpp"
#include "pyheap/internal/access.hpp"

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;

namespace {

struct Holder : Object {
  Ref<Object> other;
  void trace(Tracer& t) { t(other); }
};
struct Stranger : Object {
  int v = 0;
};

TEST(MisuseDeathTest, AReferenceIntoAnotherHeapIsCaughtByTheFirstCollection) {
  if constexpr (pyheap::kDebugLevel < 1) GTEST_SKIP() << "checked from debug level 1 (Debug and sanitizer builds)";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Heap a;
        Heap b;
        Ref<Holder> h = a.make<Holder>();
        h->other = b.make<Stranger>();
        a.gc().collect();
      },
      "a Holder of heap 0x[0-9a-f]+ references a Stranger of heap 0x[0-9a-f]+: objects of two heaps must "
      "not reference each other");
}

TEST(Misuse, ReferencesWithinOneHeapPassTheCheck) {
  Heap a;
  Heap b;  // a second heap in the same thread, holding its own cycle
  Ref<Holder> h = a.make<Holder>();
  h->other = a.make<Stranger>();
  Ref<Holder> x = b.make<Holder>();
  x->other = x;
  EXPECT_EQ(a.gc().collect(), 0u);
  x.reset();
  EXPECT_EQ(b.gc().collect(), 1u);
}

TEST(MisuseDeathTest, TrackingATypeWithoutATraceHookIsRefusedInEveryBuild) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Heap h;
        Ref<Stranger> s = h.make<Stranger>();
        pyheap::detail::CollectorAccess::track(h.gc(), s.get());
      },
      "Stranger has no trace hook, so no collector word to track it by");
}

TEST(Misuse, AContainerMayLeaveAndRejoinTheLists) {
  Heap h;
  Ref<Holder> o = h.make<Holder>();
  EXPECT_TRUE(h.gc().is_tracked(o.get()));
  pyheap::detail::CollectorAccess::untrack(h.gc(), o.get());
  EXPECT_FALSE(h.gc().is_tracked(o.get()));
  pyheap::detail::CollectorAccess::track(h.gc(), o.get());
  EXPECT_TRUE(h.gc().is_tracked(o.get()));
  EXPECT_TRUE(h.gc().is_valid(2));
}

}  // namespace
