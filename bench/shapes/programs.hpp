// Every real-shape program, run by name under one memory policy P (harness.hpp says what is
// printed). A policy with kEveryProgram false (cppgc) runs only the programs written for its
// field/local split: the DOM churn.
#pragma once

#include <cstdio>
#include <string>

#include "array_tree.hpp"
#include "collision_detector.hpp"
#include "deltablue.hpp"
#include "dom_churn.hpp"
#include "harness.hpp"
#include "havlak.hpp"
#include "json.hpp"
#include "list_recursion.hpp"
#include "richards.hpp"

namespace shapes {

// Runs `name` (true) or says it does not know it (false).
template <class P, class Hooks>
bool run_named(const std::string& name, int scale, const Hooks& hooks) {
  const char* figure = figure_of(name);
  if (figure == nullptr) return false;
  auto go = [&](auto work) {
    measure(figure, P::kSubject, work, hooks);
    return true;
  };
  if (name == "dom-churn") return go([&] { return DomChurn<P>::run(scale); });
  if constexpr (P::kEveryProgram) {
    if (name == "deltablue") return go([&] { return DeltaBlue<P>::run(scale); });
    if (name == "havlak") return go([&] { return Havlak<P>::run(scale); });
    if (name == "richards") return go([&] { return Richards<P>::run(scale); });
    if (name == "cd") return go([&] { return CollisionDetector<P>::run(scale); });
    if (name == "list-recursion") return go([&] { return ListRecursion<P>::template run<>(scale); });
    if (name == "array-tree") return go([&] { return ArrayTree<P>::run(scale); });
    if (name == "json") return go([&] { return Json<P>::run(scale); });
  }
  return false;
}

template <class P>
void list_programs() {
  for (const ProgramInfo& p : kPrograms)
    if (P::kEveryProgram || std::string(p.name) == "dom-churn") std::printf("%s\n", p.name);
}

// The main of a policy's program: `extra` runs the names only that program knows (the pyheap
// program's borrowed-walk variant) and returns whether it did.
template <class P, class Hooks, class Extra>
int main_of(int argc, char** argv, const Hooks& hooks, Extra&& extra) {
  if (argc < 2) return usage(argv[0]);
  const std::string name = argv[1];
  if (name == "--list") {
    list_programs<P>();
    extra(name, 0);
    return 0;
  }
  const int scale = scale_of(argc, argv);
  if (scale < 1) return usage(argv[0]);
  if (run_named<P>(name, scale, hooks) || extra(name, scale)) return 0;
  std::fprintf(stderr, "%s: no program %s here (--list)\n", argv[0], name.c_str());
  return 2;
}

}  // namespace shapes
