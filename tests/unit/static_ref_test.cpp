// StaticRef<T> (pyheap/static_ref.hpp, issue 19) and what ~Heap says about what is left: the
// types, tracked or not, and the references in static storage that hold them.
#include <gtest/gtest.h>

#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "pyheap/static_ref.hpp"
#include "test_objects.hpp"

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::StaticRef;
using pyheap::testing::Leaf;
using pyheap::testing::Link;

namespace {

int nil_finalized = 0;
struct Nil : Object {
  void finalize() { ++nil_finalized; }
};

// Constant-initialized: usable before main and from any static's constructor.
StaticRef<const Nil> kNil;
constinit StaticRef<Leaf> kAnswer;

TEST(StaticRef, TheHeapResetsItWhenItGoes) {
  nil_finalized = 0;
  std::vector<std::string> reports;
  {
    Heap h;
    h.set_unraisable_hook([&](const pyheap::UnraisableInfo& i) { reports.push_back(i.where); });
    kNil = h.make<Nil>();
    kAnswer = h.make<Leaf>(42);
    EXPECT_EQ(kAnswer->value, 42);
    Ref<Leaf> copy = kAnswer;  // a counted Ref to the same object
    EXPECT_EQ(copy->refcount(), 2u);
    EXPECT_TRUE(kAnswer == copy);
    EXPECT_EQ(h.live_objects(), 2u);
  }
  EXPECT_TRUE(reports.empty());  // nothing left: the heap reset both before it collected
  EXPECT_FALSE(kNil);
  EXPECT_TRUE(kAnswer == nullptr);
  EXPECT_EQ(nil_finalized, 1);
}

TEST(StaticRef, AssignmentAndResetFollowRefsRules) {
  Heap h;
  static StaticRef<Leaf> slot;  // a function-local static
  Ref<Leaf> a = h.make<Leaf>(1), b = h.make<Leaf>(2);
  slot = a;
  EXPECT_EQ(a->refcount(), 2u);
  slot = b;  // the new one in place before the old is released
  EXPECT_EQ(a->refcount(), 1u);
  EXPECT_EQ(b->refcount(), 2u);
  slot = nullptr;
  EXPECT_EQ(b->refcount(), 1u);
  slot = b;
  slot.reset();
  EXPECT_EQ(b->refcount(), 1u);
  // Moving to another heap relinks it.
  Heap other;
  slot = other.make<Leaf>(3);
  EXPECT_EQ(&Heap::of(slot.get()), &other);
  slot = a;
  EXPECT_EQ(other.live_objects(), 0u);
  slot.reset();
}

TEST(StaticRef, ReleasingOneAtTeardownMaySetAnother) {
  static StaticRef<Leaf> second;
  struct SetsOnDeath : Object {
    Heap* heap;
    explicit SetsOnDeath(Heap* h) : heap(h) {}
    ~SetsOnDeath() { second = heap->make<Leaf>(9); }
  };
  static StaticRef<SetsOnDeath> first;
  std::vector<std::string> reports;
  {
    Heap h;
    h.set_unraisable_hook([&](const pyheap::UnraisableInfo& i) { reports.push_back(i.where); });
    first = h.make<SetsOnDeath>(&h);
  }
  EXPECT_TRUE(reports.empty());
  EXPECT_FALSE(first);
  EXPECT_FALSE(second);
}

// ---- the leak message ---------------------------------------------------------------------------

struct Untraced : Object {
  Ref<Object> next;  // holds a Ref, but declares no trace hook: a cycle through it stays
};

Ref<Link> g_forgotten;  // a plain Ref in static storage, never reset

std::string leak_message(const std::function<void(Heap&)>& fill) {
  std::string what;
  {
    Heap h;
    h.set_unraisable_hook([&](const pyheap::UnraisableInfo& i) {
      try {
        std::rethrow_exception(i.error);
      } catch (const std::exception& e) {
        what = i.where + ": " + e.what();
      }
    });
    fill(h);
  }
  return what;
}

TEST(LeakMessage, NamesTheTypesLeftAndWhetherTheyAreTracked) {
  std::vector<Ref<Leaf>> kept;
  const std::string what = leak_message([&](Heap& h) {
    for (int i = 0; i < 3; ++i) kept.push_back(h.make<Leaf>(i));
    Ref<Untraced> a = h.make<Untraced>();
    a->next = a;  // a cycle the collector cannot see
  });
  EXPECT_NE(what.find("heap destruction: 4 objects still referenced from outside the heap: 3 Leaf (untracked), 1 Untraced (untracked)"),
            std::string::npos)
      << what;
  EXPECT_NE(what.find("an untracked type has no trace hook"), std::string::npos) << what;
  for (Ref<Leaf>& r : kept) (void)r.release();  // their heap is gone: do not touch them again
}

TEST(LeakMessage, NamesTheReferencesInStaticStorage) {
  const std::string what = leak_message([&](Heap& h) {
    g_forgotten = h.make<Link>();
  });
  EXPECT_NE(what.find("1 Link (tracked)"), std::string::npos) << what;
  EXPECT_NE(what.find("Held from static storage by `(anonymous namespace)::g_forgotten` (Link, "), std::string::npos)
      << what;
  EXPECT_NE(what.find("pyheap::StaticRef<T>"), std::string::npos) << what;
  (void)g_forgotten.release();  // its heap is gone
}

}  // namespace
