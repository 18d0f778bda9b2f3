// Everything the tracer accepts, in one hook: must compile (what each does at run time is checked
// by tests/unit/tracer_rules_test.cpp).
#include <array>
#include <atomic>
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

struct Node;
using NodeRef = pyheap::Ref<Node>;

struct Embedded {  // a value type that traces itself
  NodeRef a;
  std::vector<NodeRef> more;
  void trace(pyheap::Tracer& t) { t(a, more); }
};
struct Plain {  // trivially copyable: can hold no Ref
  int x;
  double y;
  const char* name;
};
enum class Color { Red, Green };
struct ByPointer {
  bool operator()(const NodeRef& a, const NodeRef& b) const { return a.get() < b.get(); }
};
using Callback = std::function<void()>;
template <>
struct pyheap::holds_no_refs<Callback> : std::true_type {};  // the user vouches: captures no Ref

struct Node : pyheap::Object {
  NodeRef ref;
  pyheap::WeakRef<Node> weak;
  std::optional<NodeRef> maybe;
  std::pair<NodeRef, int> pair;
  std::tuple<NodeRef, std::string, NodeRef> tuple;
  std::variant<std::monostate, NodeRef, int> variant;
  std::array<NodeRef, 3> array;
  std::vector<NodeRef> vector;
  std::deque<NodeRef> deque;
  std::list<NodeRef> list;
  std::forward_list<NodeRef> forward_list;
  std::set<NodeRef, ByPointer> set;
  std::map<NodeRef, NodeRef, ByPointer> map;
  std::multimap<int, NodeRef> multimap;
  std::unordered_map<std::string, NodeRef> unordered_map;
  std::unordered_set<NodeRef> unordered_set;
  std::stack<NodeRef> stack;
  std::queue<NodeRef> queue;
  std::priority_queue<NodeRef, std::vector<NodeRef>, ByPointer> priority_queue;
  std::unique_ptr<Embedded> owned;
  Embedded embedded;
  std::vector<Embedded> embedded_many;
  std::map<int, std::optional<std::vector<NodeRef>>> nested;
  // Ignored:
  int number = 0;
  Color color = Color::Red;
  std::string text;
  std::vector<std::string> words;
  std::map<std::string, double> scores;
  Plain plain{};
  std::atomic<int> counter{0};
  const char* label = "";
  int* raw_int = nullptr;
  void (*hook)() = nullptr;
  std::unique_ptr<int> boxed;
  std::shared_ptr<const std::string> shared_text;
  std::unique_ptr<double[]> samples;
  Callback on_change;

  void trace(pyheap::Tracer& t) {
    t(ref, weak, maybe, pair, tuple, variant, array, vector, deque, list, forward_list, set, map, multimap,
      unordered_map, unordered_set, stack, queue, priority_queue, owned, embedded, embedded_many, nested);
    t(number, color, text, words, scores, plain, counter, label, raw_int, hook, boxed, shared_text, samples,
      on_change);
  }
};

// A polymorphic hierarchy whose derived hook extends the base's.
struct Shape : pyheap::Object {
  virtual ~Shape() = default;
  virtual void trace(pyheap::Tracer& t) { t(parent); }
  NodeRef parent;
};
struct Group final : Shape {
  std::vector<pyheap::Ref<Shape>> children;
  void trace(pyheap::Tracer& t) override {
    Shape::trace(t);
    t(children);
  }
};

int main() {
  pyheap::Heap h;
  auto n = h.make<Node>();
  pyheap::Ref<Shape> g = h.make<Group>();
  auto back = pyheap::dynamic_ref_cast<Group>(g);
  return h.gc().collect() == 0 && back ? 0 : 1;
}
