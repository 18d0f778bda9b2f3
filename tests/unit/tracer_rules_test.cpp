// What the tracer does with each shape it accepts (issue 12, part 3): every traced shape reports
// its references (one edge each, map keys included) and gives them up in a clear, so a cycle
// through any of them is freed; ignored members survive a clear untouched. What it refuses is
// checked at compile time by tests/compile_checks/.
#include <gtest/gtest.h>

#include <array>
#include <deque>
#include <forward_list>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <stack>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "pyheap/heap.hpp"

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;

namespace {

struct Item : Object {
  Ref<Object> back;  // closes a cycle through whatever holds this item
  void trace(Tracer& t) { t(back); }
};
using ItemRef = Ref<Item>;

struct Embedded {
  ItemRef a;
  std::vector<ItemRef> more;
  void trace(Tracer& t) { t(a, more); }
};
struct ByAddress {
  bool operator()(const ItemRef& x, const ItemRef& y) const { return x.get() < y.get(); }
};
using Callback = std::function<int()>;

}  // namespace

template <>
struct pyheap::holds_no_refs<Callback> : std::true_type {};

namespace {

// One item in every traced shape (two in a map entry: key and value), and plain members.
struct Everything : Object {
  ItemRef ref;
  std::optional<ItemRef> maybe;
  std::pair<ItemRef, int> pair;
  std::tuple<int, ItemRef, std::string> tuple;
  std::variant<int, ItemRef> variant;
  std::array<ItemRef, 1> array;
  std::vector<ItemRef> vector;
  std::deque<ItemRef> deque;
  std::list<ItemRef> list;
  std::forward_list<ItemRef> forward_list;
  std::set<ItemRef, ByAddress> set;
  std::map<ItemRef, ItemRef, ByAddress> map;  // key and value
  std::unordered_map<int, ItemRef> unordered_map;
  std::unordered_set<ItemRef> unordered_set;
  std::stack<ItemRef> stack;
  std::queue<ItemRef> queue;
  std::priority_queue<ItemRef, std::vector<ItemRef>, ByAddress> priority_queue;
  std::unique_ptr<Embedded> owned = std::make_unique<Embedded>();
  Embedded embedded;  // two: a and more[0]
  // Ignored, and kept through a clear:
  std::string text = "kept";
  std::vector<int> numbers{1, 2, 3};
  std::map<std::string, double> scores{{"x", 1.5}};
  Callback callback = [] { return 42; };
  std::unique_ptr<int> boxed = std::make_unique<int>(7);

  static constexpr std::size_t kEdges = 21;

  void trace(Tracer& t) {
    t(ref, maybe, pair, tuple, variant, array, vector, deque, list, forward_list, set, map, unordered_map,
      unordered_set, stack, queue, priority_queue, owned, embedded);
    t(text, numbers, scores, callback, boxed);
  }

  // Puts a fresh item, pointing back at this object, in every traced slot.
  void fill(Heap& h) {
    Ref<Object> self = pyheap::ref_from_this(this);
    auto item = [&] {
      ItemRef i = h.make<Item>();
      i->back = self;
      return i;
    };
    ref = item();
    maybe = item();
    pair.first = item();
    std::get<1>(tuple) = item();
    variant = item();
    array[0] = item();
    vector.push_back(item());
    deque.push_back(item());
    list.push_back(item());
    forward_list.push_front(item());
    set.insert(item());
    map.emplace(item(), item());
    unordered_map.emplace(1, item());
    unordered_set.insert(item());
    stack.push(item());
    queue.push(item());
    priority_queue.push(item());
    owned->a = item();
    embedded.a = item();
    embedded.more.push_back(item());
  }
};

// Counts each child's visits, through the public introspection of the collector.
std::size_t edges_of(Heap& h, Object* o) { return h.gc().get_referents(o).size(); }

TEST(TracerRules, EveryTracedShapeReportsItsReferences) {
  Heap h;
  h.gc().disable();
  Ref<Everything> e = h.make<Everything>();
  e->fill(h);
  EXPECT_EQ(edges_of(h, e.get()), Everything::kEdges);
  EXPECT_EQ(h.live_objects(), 1 + Everything::kEdges);
  // Each referent is reported exactly once: its count is 1 + what the collector found.
  for (const Ref<Object>& child : h.gc().get_referents(e.get())) EXPECT_EQ(child->refcount(), 2u);
}

TEST(TracerRules, ACycleThroughAnyShapeIsFreedAndIgnoredMembersSurviveTheClear) {
  struct Watch {
    std::string text;
    std::size_t numbers = 0, scores = 0;
    int callback = 0, boxed = 0;
  };
  static Watch seen;
  struct Watched : Everything {
    ~Watched() {
      // Runs after the collector's clear: what the tracer ignores must still be there.
      seen = Watch{text, numbers.size(), scores.size(), callback ? callback() : 0, boxed ? *boxed : 0};
    }
  };
  Heap h;
  h.gc().disable();
  {
    Ref<Watched> w = h.make<Watched>();
    w->fill(h);
  }
  EXPECT_EQ(h.live_objects(), 1 + Everything::kEdges) << "every item points back: all cycles";
  EXPECT_EQ(h.gc().collect(), 1 + Everything::kEdges);
  EXPECT_EQ(h.live_objects(), 0u);
  EXPECT_EQ(seen.text, "kept");
  EXPECT_EQ(seen.numbers, 3u);
  EXPECT_EQ(seen.scores, 1u);
  EXPECT_EQ(seen.callback, 42);
  EXPECT_EQ(seen.boxed, 7);
}

// A polymorphic embedded value, traced through a unique_ptr to its base.
struct Behaviour {
  virtual ~Behaviour() = default;
  virtual void trace(Tracer&) {}
};
struct Follow final : Behaviour {
  Ref<Object> target;
  void trace(Tracer& t) override { t(target); }
};
struct Actor : Object {
  std::vector<std::unique_ptr<Behaviour>> behaviours;
  void trace(Tracer& t) { t(behaviours); }
};

TEST(TracerRules, OwnedPolymorphicValuesAreTracedThroughTheirVirtualHook) {
  Heap h;
  h.gc().disable();
  {
    Ref<Actor> a = h.make<Actor>();
    Ref<Actor> b = h.make<Actor>();
    auto follow_b = std::make_unique<Follow>();
    follow_b->target = b;
    a->behaviours.push_back(std::move(follow_b));
    auto follow_a = std::make_unique<Follow>();
    follow_a->target = a;
    b->behaviours.push_back(std::make_unique<Behaviour>());
    b->behaviours.push_back(std::move(follow_a));
    EXPECT_EQ(edges_of(h, a.get()), 1u);
    EXPECT_EQ(edges_of(h, b.get()), 1u);
  }
  EXPECT_EQ(h.gc().collect(), 2u);
}

}  // namespace
