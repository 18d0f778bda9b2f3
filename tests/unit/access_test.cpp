// pyheap::Access (object.hpp, issue 19): the one friend declaration for private constructors,
// destructors and hooks; and which types are tracked when their hook comes from a container
// class (internal/make.hpp, detail::Tracked). What must not compile is in tests/compile_checks/
// (reject_private_trace*, reject_trace_*).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pyheap/heap.hpp"

using pyheap::Heap;
using pyheap::Object;
using pyheap::Ref;
using pyheap::Tracer;

namespace {

// A tree whose nodes only its factory makes, with private hooks.
class TreeNode final : public Object {
 public:
  static Ref<TreeNode> leaf(Heap& h, int v) { return h.make<TreeNode>(v); }
  static Ref<TreeNode> join(Heap& h, Ref<TreeNode> l, Ref<TreeNode> r) {
    Ref<TreeNode> n = h.make<TreeNode>(0);
    n->left_ = std::move(l);
    n->right_ = std::move(r);
    n->left_->parent_ = n;  // a cycle per child
    n->right_->parent_ = n;
    return n;
  }
  int sum() const { return value_ + (left_ ? left_->sum() : 0) + (right_ ? right_->sum() : 0); }
  static int finalized;
  static int destroyed;

 private:
  friend class pyheap::Access;
  explicit TreeNode(int v) : value_(v) {}
  ~TreeNode() { ++destroyed; }
  void trace(Tracer& t) { t(left_, right_, parent_); }
  void finalize() { ++finalized; }

  int value_;
  Ref<TreeNode> left_, right_, parent_;
};
int TreeNode::finalized = 0;
int TreeNode::destroyed = 0;

TEST(Access, PrivateConstructorDestructorAndHooksThroughOneFriend) {
  static_assert(!std::is_constructible_v<TreeNode, int>, "only make (and TreeNode's friends) can");
  static_assert(pyheap::Access::can_construct<TreeNode, int> && pyheap::Access::can_trace<TreeNode> &&
                pyheap::Access::can_finalize<TreeNode> && pyheap::Access::can_destroy<TreeNode>);
  TreeNode::finalized = TreeNode::destroyed = 0;
  Heap h;
  {
    Ref<TreeNode> t = TreeNode::join(h, TreeNode::leaf(h, 1), TreeNode::join(h, TreeNode::leaf(h, 2), TreeNode::leaf(h, 3)));
    EXPECT_EQ(t->sum(), 6);
    EXPECT_TRUE(h.gc().is_tracked(t.get()));  // its private trace made it a container
  }
  EXPECT_EQ(h.live_objects(), 5u);  // parent back-pointers: cycles
  EXPECT_EQ(h.gc().collect(), 5u);  // traced through the private hook
  EXPECT_EQ(TreeNode::finalized, 5);
  EXPECT_EQ(TreeNode::destroyed, 5);
}

// A private hook inherited from a base that befriends Access.
struct Base : Object {
  Ref<Object> next;

 private:
  friend class pyheap::Access;
  void trace(Tracer& t) { t(next); }
};
struct Derived final : Base {};

TEST(Access, APrivateHookOfABaseThatBefriendsAccess) {
  Heap h;
  {
    Ref<Derived> d = h.make<Derived>();
    d->next = d;
  }
  EXPECT_EQ(h.gc().collect(), 1u);
}

// ---- tracked or not: what the class that declares the hook vouches for ----------------------------

// An existing container class, with a hook added in the port.
template <class E>
struct Bag {
  std::vector<E> items;
  void add(E e) { items.push_back(std::move(e)); }
  void trace(Tracer& t) { t(items); }
};
}  // namespace

// Bag<E> holds a Ref exactly when E may.
template <class E>
struct pyheap::holds_no_refs<Bag<E>> : std::bool_constant<!pyheap::may_hold_refs<E>> {};

namespace {
struct Ints : Object, Bag<int> {};
struct Strings : Object, Bag<std::string> {};
struct Refs : Object, Bag<Ref<Object>> {};
// No declaration for this one: its hook makes it a container, whatever its elements.
template <class E>
struct Undeclared {
  std::vector<E> items;
  void trace(Tracer& t) { t(items); }
};
struct UndeclaredInts : Object, Undeclared<int> {};

TEST(Tracked, AHookInheritedFromAContainerOfPlainValuesIsNotAContainer) {
  static_assert(!pyheap::may_hold_refs<int> && !pyheap::may_hold_refs<std::vector<std::string>>);
  static_assert(pyheap::may_hold_refs<Ref<Object>> && pyheap::may_hold_refs<std::vector<Ref<Object>>>);
  Heap h;
  Ref<Ints> ints = h.make<Ints>();
  Ref<Strings> strings = h.make<Strings>();
  Ref<Refs> refs = h.make<Refs>();
  Ref<UndeclaredInts> undeclared = h.make<UndeclaredInts>();
  ints->add(1);
  strings->add("a");
  EXPECT_FALSE(h.gc().is_tracked(ints.get()));
  EXPECT_FALSE(h.gc().is_tracked(strings.get()));
  EXPECT_TRUE(h.gc().is_tracked(refs.get()));
  EXPECT_TRUE(h.gc().is_tracked(undeclared.get()));
  EXPECT_FALSE(pyheap::type_of(*ints).tracked);
  EXPECT_EQ(pyheap::type_of(*ints).prefix, 0u);  // no collector word: 8 bytes less per object
  EXPECT_EQ(pyheap::type_of(*refs).prefix, 8u);
  EXPECT_EQ(Heap::allocated_size(ints.get()), 32u);  // header + vector
  EXPECT_EQ(Heap::allocated_size(refs.get()), 48u);  // + the collector's word, rounded to 16
  // A Refs in a cycle is still collected.
  refs->add(refs);
  refs.reset();
  EXPECT_EQ(h.gc().collect(), 1u);
}

// The heap type itself may vouch too.
struct Counter : Object {
  long n = 0;
  void trace(Tracer&) {}  // kept for a template that calls it, reports nothing
};
}  // namespace
template <>
struct pyheap::holds_no_refs<Counter> : std::true_type {};
namespace {

TEST(Tracked, AHeapTypeThatVouchesForItselfIsNotAContainer) {
  Heap h;
  Ref<Counter> c = h.make<Counter>();
  EXPECT_FALSE(h.gc().is_tracked(c.get()));
  EXPECT_EQ(h.gc().count()[0], 0u);  // no container was counted towards a collection
}

}  // namespace
