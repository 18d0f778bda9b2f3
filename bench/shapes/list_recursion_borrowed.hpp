// The list recursion with pyheap's borrowed reference in its walks (issue 20, part 1: "a
// borrowed, uncounted reference for parameters and walks"): shorterp walks the lists with it
// instead of with counted Refs; mas still passes and returns its lists by value.
//
// SWITCH: this variant turns itself on when the library has the borrowed reference. It expects
// the header <pyheap/borrowed.hpp> and a type pyheap::Borrowed<T> that converts implicitly from a
// `const Ref<T>&`, tests as a bool, has operator->, and can be assigned a Ref field
// (`x = x->next`). If the type lands under another name or header, change the two lines marked
// SWITCH below; nothing else needs to change (shapes_pyheap.cpp runs it as
// `shapes_pyheap list-recursion-borrowed`, bench/run.py asks `shapes_pyheap --list` whether it is
// there and reports the target as not measured until it is).
#pragma once

#include "list_recursion.hpp"
#include "mem_pyheap.hpp"

#if __has_include(<pyheap/borrowed.hpp>)  // SWITCH: the borrowed reference's header
#include <pyheap/borrowed.hpp>
#define SHAPES_HAVE_BORROWED 1

namespace shapes {
using BorrowedCell = pyheap::Borrowed<ListRecursion<PyheapMem>::Cell>;  // SWITCH: its type
}  // namespace shapes
#else
#define SHAPES_HAVE_BORROWED 0
#endif
