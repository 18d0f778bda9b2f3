// A DOM churn: small documents whose elements hold their children in a std::vector (three each)
// and a back-reference to their parent, built, walked, edited and dropped, one after another.
// Each round: a tree of depth kDepth (364 elements), the walk (every element's tag times its
// depth, found by following parent links up to the root), a move (the second child of the
// root's first child goes, with its subtree, to the end of the third child's first child's
// children: removed, its parent link cleared, appended, its parent link set), the walk again,
// then the document dropped. The back-references make every document cyclic garbage for pyheap
// and cppgc; shared_ptr holds them as weak_ptr (locked at every step up), Boehm and the
// hand-written program as plain pointers. The checksum is the total of the walks.
#pragma once

#include <cstdint>
#include <utility>

namespace shapes {

template <class P>
struct DomChurn {
  struct Element : P::template Base<Element> {
    explicit Element(std::uint64_t t) : tag(t) {}
    typename P::template Back<Element> parent{};
    typename P::template Vec<typename P::template Member<Element>> kids;
    std::uint64_t tag;
    void trace(typename P::Tracer& t) { t(parent, kids); }
    void Trace(typename P::Visitor* v) const {
      v->Trace(parent);
      for (const auto& k : kids) v->Trace(k);
    }
    ~Element() {
      if constexpr (P::kByHand)
        for (Element* k : kids) P::destroy(k);
    }
  };
  using ElementP = typename P::template Ptr<Element>;

  static constexpr int kDepth = 5;  // 1 + 3 + 9 + 27 + 81 + 243 = 364 elements
  static constexpr int kKids = 3;
  static constexpr int kRounds = 24000;

  static void append_child(const ElementP& parent, ElementP child) {
    child->parent = parent;
    parent->kids.push_back(std::move(child));
  }

  static ElementP remove_child(const ElementP& parent, std::size_t i) {
    ElementP child = parent->kids[i];
    parent->kids.erase(parent->kids.begin() + static_cast<std::ptrdiff_t>(i));
    child->parent = typename P::template Back<Element>();
    return child;
  }

  static ElementP build(int depth, std::uint64_t& next_tag) {
    ElementP e = P::template make<Element>(next_tag++ % 1009);
    if (depth > 0)
      for (int k = 0; k < kKids; ++k) append_child(e, build(depth - 1, next_tag));
    return e;
  }

  static std::uint64_t depth_of(const ElementP& e) {
    std::uint64_t d = 0;
    for (auto p = P::follow(e->parent); p; p = P::follow(p->parent)) ++d;
    return d;
  }

  static std::uint64_t walk(const ElementP& e) {
    std::uint64_t sum = e->tag * depth_of(e);
    for (const auto& k : e->kids) sum += walk(k);
    return sum;
  }

  static std::uint64_t run(int scale) {
    std::uint64_t total = 0;
    for (int round = 0; round < kRounds * scale; ++round) {
      std::uint64_t next_tag = static_cast<std::uint64_t>(round);
      ElementP doc = build(kDepth, next_tag);
      total += walk(doc);
      ElementP from = doc->kids[0];
      ElementP to = doc->kids[2]->kids[0];
      append_child(to, remove_child(from, 1));
      total += walk(doc);
      P::destroy(doc);
    }
    return total;
  }
};

}  // namespace shapes
