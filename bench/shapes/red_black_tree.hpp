// A red-black tree map (Cormen et al.'s algorithms, with null leaves) whose nodes are heap objects
// linked to their children and back to their parent: the parent links make every tree cyclic
// for pyheap (a Back<T> is a Ref), weak for shared_ptr (locked at every step up). Rotations take
// their node by value: a `const Ptr&` would alias the very fields a rotation rewrites. Used by the
// collision detector (collision_detector.hpp); K must have operator<, V be copyable.
#pragma once

#include <optional>
#include <utility>

namespace shapes {

template <class P, class K, class V>
class RedBlackTree {
  template <class T>
  using Ptr = typename P::template Ptr<T>;

 public:
  struct Node : P::template Base<Node> {
    Node(const K& k, V v) : key(k), value(std::move(v)) {}
    K key;
    V value;
    Ptr<Node> left{}, right{};
    typename P::template Back<Node> parent{};
    bool red = true;
    void trace(typename P::Tracer& t) { t(left, right, parent); }
    ~Node() {
      if constexpr (P::kByHand) {
        P::destroy(left);
        P::destroy(right);
      }
    }
  };
  using NodeP = Ptr<Node>;

  RedBlackTree() = default;
  RedBlackTree(const RedBlackTree&) = delete;
  RedBlackTree& operator=(const RedBlackTree&) = delete;
  ~RedBlackTree() { P::destroy(root_); }

  // Sets key's value; returns the value it replaces, if any.
  std::optional<V> put(const K& key, V value) {
    NodeP y{};
    NodeP x = root_;
    while (x) {
      y = x;
      if (key < x->key) {
        x = x->left;
      } else if (x->key < key) {
        x = x->right;
      } else {
        std::optional<V> old(std::move(x->value));
        x->value = std::move(value);
        return old;
      }
    }
    NodeP z = P::template make<Node>(key, std::move(value));
    z->parent = y;
    if (!y) root_ = z;
    else if (key < y->key) y->left = z;
    else y->right = z;
    insert_fixup(std::move(z));
    return std::nullopt;
  }

  // The value stored for key, or null.
  V* find(const K& key) const {
    for (NodeP x = root_; x;) {
      if (key < x->key) x = x->left;
      else if (x->key < key) x = x->right;
      else return &x->value;
    }
    return nullptr;
  }

  // Removes key; returns its value, if it was there.
  std::optional<V> remove(const K& key) {
    NodeP z = root_;
    while (z && (key < z->key || z->key < key)) z = key < z->key ? z->left : z->right;
    if (!z) return std::nullopt;
    std::optional<V> old(z->value);
    NodeP y = !z->left || !z->right ? z : successor(z);
    NodeP x = y->left ? y->left : y->right;
    NodeP x_parent = P::follow(y->parent);
    if (x) x->parent = x_parent;
    if (!x_parent) root_ = x;
    else if (y == x_parent->left) x_parent->left = x;
    else x_parent->right = x;
    if (y != z) {
      z->key = y->key;
      z->value = std::move(y->value);
    }
    if (!y->red) remove_fixup(std::move(x), std::move(x_parent));
    if constexpr (P::kByHand) {
      y->left = y->right = nullptr;
      P::destroy(y);
    }
    return old;
  }

  // f(key, value) for every entry, in key order (a walk by successor: up the parent links).
  template <class F>
  void for_each(F&& f) const {
    if (!root_) return;
    for (NodeP n = minimum(root_); n; n = successor(n)) f(n->key, n->value);
  }

 private:
  static NodeP minimum(NodeP x) {
    while (x->left) x = x->left;
    return x;
  }
  static NodeP successor(NodeP x) {
    if (x->right) return minimum(x->right);
    NodeP y = P::follow(x->parent);
    while (y && x == y->right) {
      x = y;
      y = P::follow(y->parent);
    }
    return y;
  }
  static bool is_red(const NodeP& n) { return n && n->red; }
  // A node's child on one side: each algorithm below is written once, for the side `side`, and
  // its mirror image is the same code with the other side (Cormen et al. write both halves).
  static NodeP& child(const NodeP& n, bool right) { return right ? n->right : n->left; }

  // Rotates x down to side `right` (false: a left rotation): its child on the other side takes
  // its place.
  void rotate(NodeP x, bool right) {
    NodeP y = child(x, !right);
    child(x, !right) = child(y, right);
    if (child(x, !right)) child(x, !right)->parent = x;
    NodeP p = P::follow(x->parent);
    y->parent = p;
    if (!p) root_ = y;
    else child(p, x != p->left) = y;
    x->parent = y;
    child(y, right) = std::move(x);
  }

  void insert_fixup(NodeP x) {
    while (x != root_ && P::follow(x->parent)->red) {
      NodeP parent = P::follow(x->parent);
      NodeP grand = P::follow(parent->parent);
      const bool side = parent != grand->left;  // the side of grand that parent is on
      NodeP uncle = child(grand, !side);
      if (is_red(uncle)) {
        parent->red = false;
        uncle->red = false;
        grand->red = true;
        x = std::move(grand);
        continue;
      }
      if (x == child(parent, !side)) {
        x = std::move(parent);
        rotate(x, side);
        parent = P::follow(x->parent);
        grand = P::follow(parent->parent);
      }
      parent->red = false;
      grand->red = true;
      rotate(std::move(grand), !side);
    }
    root_->red = false;
  }

  // x (possibly null) carries an extra black; x_parent is its parent.
  void remove_fixup(NodeP x, NodeP x_parent) {
    while (x != root_ && !is_red(x)) {
      const bool side = x != x_parent->left;  // the side of x_parent that x is on
      NodeP w = child(x_parent, !side);
      if (is_red(w)) {
        w->red = false;
        x_parent->red = true;
        rotate(x_parent, side);
        w = child(x_parent, !side);
      }
      if (!is_red(w->left) && !is_red(w->right)) {
        w->red = true;
        x = std::move(x_parent);
        x_parent = P::follow(x->parent);
        continue;
      }
      if (!is_red(child(w, !side))) {
        child(w, side)->red = false;
        w->red = true;
        rotate(w, !side);
        w = child(x_parent, !side);
      }
      w->red = x_parent->red;
      x_parent->red = false;
      if (child(w, !side)) child(w, !side)->red = false;
      rotate(x_parent, side);
      x = root_;
      x_parent = NodeP();
    }
    if (x) x->red = false;
  }

  NodeP root_{};
};

}  // namespace shapes
