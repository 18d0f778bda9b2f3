// Gabriel's list recursion: TAKL, from R. P. Gabriel's "Performance and Evaluation of Lisp
// Systems" (1985): Takeuchi's function computed on lists, a number n being a list of n cells.
//
//   listn(n)        the list n, n-1, ..., 1
//   shorterp(x, y)  whether x is shorter than y: both walked a cell at a time
//   mas(x, y, z)    if not shorterp(y, x): z
//                   else mas(mas(cdr x, y, z), mas(cdr y, z, x), mas(cdr z, x, y))
//
// mas(listn(18), listn(12), listn(6)) makes 63,609 calls and returns a list of 7 cells; nothing is
// allocated after the three lists: the memory manager's whole cost is the references passed and
// returned by value and every `x = x->next` step of the walks, as a shared_ptr program writes
// them (count traffic; the hand-written program and a tracing collector pay none). The checksum
// is, over every round, the calls made plus the result's length.
//
// Walk: the pointer type shorterp walks with, the lists' own pointer by default. The pyheap
// program also runs it with pyheap's borrowed reference (list_recursion_borrowed.hpp) when the
// library has one.
#pragma once

#include <cstdint>
#include <utility>

namespace shapes {

template <class P>
struct ListRecursion {
  struct Cell : P::template Base<Cell> {
    Cell(std::int64_t v, typename P::template Ptr<Cell> n) : value(v), next(std::move(n)) {}
    std::int64_t value;
    typename P::template Ptr<Cell> next{};
    void trace(typename P::Tracer& t) { t(next); }
  };
  using List = typename P::template Ptr<Cell>;

  static constexpr int kRounds = 900;

  static List listn(int n) {
    List l{};
    for (int i = 1; i <= n; ++i) l = P::template make<Cell>(i, std::move(l));
    return l;
  }

  template <class Walk>
  static bool shorterp(Walk x, Walk y) {
    while (y) {
      if (!x) return true;
      x = x->next;
      y = y->next;
    }
    return false;
  }

  template <class Walk>
  static List mas(List x, List y, List z, std::uint64_t& calls) {
    ++calls;
    if (!shorterp<Walk>(y, x)) return z;
    return mas<Walk>(mas<Walk>(x->next, y, z, calls), mas<Walk>(y->next, z, x, calls),
                     mas<Walk>(z->next, x, y, calls), calls);
  }

  static void free_list(List l) {
    while (l) {
      List next = l->next;
      P::destroy(l);
      l = next;
    }
  }

  template <class Walk = List>
  static std::uint64_t run(int scale) {
    std::uint64_t total = 0;
    for (int round = 0; round < kRounds * scale; ++round) {
      List x = listn(18), y = listn(12), z = listn(6);
      std::uint64_t calls = 0;
      std::uint64_t length = 0;
      for (List c = mas<Walk>(x, y, z, calls); c; c = c->next) ++length;
      total += calls + length;
      if constexpr (P::kByHand) {
        free_list(x);
        free_list(y);
        free_list(z);
      }
    }
    return total;
  }
};

}  // namespace shapes
