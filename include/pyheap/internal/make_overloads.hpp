// pyheap/internal/make_overloads.hpp — the spellings of Heap::make and Heap::make_var.
//
// make<T>(args...) captures its caller's source location for allocation tracing with a
// defaulted last parameter. A defaulted parameter after a deduced pack is never deduced, so
// there is one overload per argument count, 0..8, each forwarding to Heap::make_at<T>(site,
// args...) (make_var to make_var_at), which take any number of arguments. A T whose constructor
// needs more is made with make_at directly. (So a SourceLocation cannot be T's last constructor
// argument through make.) Heap inherits them; nothing else should.
#pragma once

#include <cstddef>
#include <utility>

#include "pyheap/ref.hpp"
#include "pyheap/source_location.hpp"

namespace pyheap::detail {

template <class Heap>
class MakeOverloads {
#define PYHEAP_SITE SourceLocation site = SourceLocation::current()
#define PYHEAP_F(x) std::forward<decltype(x)>(x)
#define PYHEAP_SELF static_cast<Heap*>(this)
 public:
  template <class T>
  Ref<T> make(PYHEAP_SITE) { return PYHEAP_SELF->template make_at<T>(site); }
  template <class T, class A0>
  Ref<T> make(A0&& a0, PYHEAP_SITE) { return PYHEAP_SELF->template make_at<T>(site, PYHEAP_F(a0)); }
  template <class T, class A0, class A1>
  Ref<T> make(A0&& a0, A1&& a1, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_at<T>(site, PYHEAP_F(a0), PYHEAP_F(a1));
  }
  template <class T, class A0, class A1, class A2>
  Ref<T> make(A0&& a0, A1&& a1, A2&& a2, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_at<T>(site, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2));
  }
  template <class T, class A0, class A1, class A2, class A3>
  Ref<T> make(A0&& a0, A1&& a1, A2&& a2, A3&& a3, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_at<T>(site, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4>
  Ref<T> make(A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_at<T>(site, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3),
                                            PYHEAP_F(a4));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4, class A5>
  Ref<T> make(A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_at<T>(site, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3),
                                            PYHEAP_F(a4), PYHEAP_F(a5));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4, class A5, class A6>
  Ref<T> make(A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5, A6&& a6, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_at<T>(site, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3),
                                            PYHEAP_F(a4), PYHEAP_F(a5), PYHEAP_F(a6));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4, class A5, class A6, class A7>
  Ref<T> make(A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5, A6&& a6, A7&& a7, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_at<T>(site, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2), PYHEAP_F(a3),
                                            PYHEAP_F(a4), PYHEAP_F(a5), PYHEAP_F(a6), PYHEAP_F(a7));
  }

  template <class T>
  Ref<T> make_var(std::size_t trailing, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_var_at<T>(site, trailing);
  }
  template <class T, class A0>
  Ref<T> make_var(std::size_t trailing, A0&& a0, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_var_at<T>(site, trailing, PYHEAP_F(a0));
  }
  template <class T, class A0, class A1>
  Ref<T> make_var(std::size_t trailing, A0&& a0, A1&& a1, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_var_at<T>(site, trailing, PYHEAP_F(a0), PYHEAP_F(a1));
  }
  template <class T, class A0, class A1, class A2>
  Ref<T> make_var(std::size_t trailing, A0&& a0, A1&& a1, A2&& a2, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_var_at<T>(site, trailing, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2));
  }
  template <class T, class A0, class A1, class A2, class A3>
  Ref<T> make_var(std::size_t trailing, A0&& a0, A1&& a1, A2&& a2, A3&& a3, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_var_at<T>(site, trailing, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2),
                                                PYHEAP_F(a3));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4>
  Ref<T> make_var(std::size_t trailing, A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_var_at<T>(site, trailing, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2),
                                                PYHEAP_F(a3), PYHEAP_F(a4));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4, class A5>
  Ref<T> make_var(std::size_t trailing, A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_var_at<T>(site, trailing, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2),
                                                PYHEAP_F(a3), PYHEAP_F(a4), PYHEAP_F(a5));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4, class A5, class A6>
  Ref<T> make_var(std::size_t trailing, A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5, A6&& a6,
                  PYHEAP_SITE) {
    return PYHEAP_SELF->template make_var_at<T>(site, trailing, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2),
                                                PYHEAP_F(a3), PYHEAP_F(a4), PYHEAP_F(a5), PYHEAP_F(a6));
  }
  template <class T, class A0, class A1, class A2, class A3, class A4, class A5, class A6, class A7>
  Ref<T> make_var(std::size_t trailing, A0&& a0, A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5, A6&& a6,
                  A7&& a7, PYHEAP_SITE) {
    return PYHEAP_SELF->template make_var_at<T>(site, trailing, PYHEAP_F(a0), PYHEAP_F(a1), PYHEAP_F(a2),
                                                PYHEAP_F(a3), PYHEAP_F(a4), PYHEAP_F(a5), PYHEAP_F(a6),
                                                PYHEAP_F(a7));
  }
#undef PYHEAP_SELF
#undef PYHEAP_F
#undef PYHEAP_SITE
};

}  // namespace pyheap::detail
