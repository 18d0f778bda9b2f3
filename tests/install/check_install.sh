#!/usr/bin/env bash
# check_install.sh STEP SOURCE_DIR BUILD_DIR TESTS_DIR SCRATCH
# What a user of the installed package gets, checked from outside the source tree, in four steps
# that ctest runs as four tests (install_static, install_core, install_shared, install_program), so
# that its jobs run them side by side; STEP is one of static, core, shared, program, or all:
#   1. the whole static install (BUILD_DIR): the all-in-one consumer through find_package and
#      through pkg-config;
#   2. the core component alone: the core consumer through find_package(... COMPONENTS core) and
#      pkg-config pyheap-core, with no other layer's header in the prefix; and the two example
#      programs (examples/dom: polymorphic nodes; examples/solver: a constraint solver ported from
#      hand-managed style, with a global Heap collecting at exit), whose outputs must be their
#      expected_output.txt (each checks itself, and exits non-zero otherwise);
#   3. a shared build of the library alone (tools and tests off, so CLI11 is not asked for): both
#      consumers and the examples against it, and its exported symbols are the public API only;
#   4. the installed `pyheap tour` and `pyheap run`, with the source and build trees hidden from
#      them (a private mount namespace mounts empty directories over both).
# Fails on the first step that fails.
set -euo pipefail
step=$1 src=$2 build=$3 tests=$4 scratch=$5/$1
case "$step" in static|core|shared|program|all) ;; *) echo "check_install.sh: unknown step '$step' (static, core, shared, program, all)" >&2; exit 2;; esac
want() { [ "$step" = all ] || [ "$step" = "$1" ]; }
rm -rf "$scratch" && mkdir -p "$scratch"
cxx=${CXX:-c++}

build_consumer() {  # build_consumer PREFIX DIR NAME
  cmake -S "$2" -B "$scratch/cb-$3" -DCMAKE_PREFIX_PATH="$1" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$scratch/cb-$3" >/dev/null
}
run_example() {  # run_example EXAMPLE BUILD_NAME: the example's output must be the expected one
  "$scratch/cb-$2/$1" > "$scratch/$2.out" || { echo "examples/$1 failed:"; cat "$scratch/$2.out"; exit 1; } >&2
  diff -u "$src/examples/$1/expected_output.txt" "$scratch/$2.out" >&2 || { echo "examples/$1 printed something else" >&2; exit 1; }
}
pc_flags() {  # pc_flags PREFIX PACKAGE
  local pcs
  pcs=$(find "$1" -name pyheap.pc -o -name pyheap-core.pc)  # whole, not through head (pipefail)
  PKG_CONFIG_PATH=$(dirname "$(sed -n 1p <<< "$pcs")") pkg-config --cflags --libs "$2"
}

if want static; then
echo "== 1. static, everything"
full=$scratch/full
cmake --install "$build" --prefix "$full" >/dev/null
build_consumer "$full" "$tests/consumer" full
"$scratch/cb-full/consumer"
# shellcheck disable=SC2046  # the flags are a word list by design
$cxx "$tests/consumer/consumer.cpp" -o "$scratch/consumer-pc" $(pc_flags "$full" pyheap)
"$scratch/consumer-pc"

fi

if want core; then
echo "== 2. static, the core component alone"
core=$scratch/core
cmake --install "$build" --prefix "$core" --component core >/dev/null
for absent in pyheap/str.hpp pyheap/heap_graph.hpp pyheap/memory_report.hpp pyheap/pyheap.hpp; do
  [ ! -e "$core/include/$absent" ] || { echo "the core install has $absent" >&2; exit 1; }
done
if [ -n "$(find "$core" -name 'libpyheap_containers*')" ]; then echo "the core install has the containers" >&2; exit 1; fi
build_consumer "$core" "$tests/core_consumer" core
"$scratch/cb-core/core_consumer"
for example in dom solver; do
  build_consumer "$core" "$src/examples/$example" $example-core
  run_example $example $example-core
done
# shellcheck disable=SC2046
$cxx "$tests/core_consumer/core_consumer.cpp" -o "$scratch/core-consumer-pc" $(pc_flags "$core" pyheap-core)
"$scratch/core-consumer-pc"

fi

if want shared; then
echo "== 3. shared, the library alone"
shared=$scratch/shared
# A unity build: the same sources, flags and exports in half the compile time (this step was the
# longest test of the suite); what it checks is the package, not how its files compile one by one.
cmake -S "$src" -B "$scratch/shared-build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
  -DCMAKE_UNITY_BUILD=ON -DPYHEAP_BUILD_TOOLS=OFF -DPYHEAP_BUILD_TESTS=OFF -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
cmake --build "$scratch/shared-build" -j"$(nproc)" >/dev/null
cmake --install "$scratch/shared-build" --prefix "$shared" >/dev/null
build_consumer "$shared" "$tests/consumer" shared
build_consumer "$shared" "$tests/core_consumer" shared-core
build_consumer "$shared" "$src/examples/dom" dom-shared
build_consumer "$shared" "$src/examples/solver" solver-shared
# ldd's output is read whole first: `ldd | grep -q` under pipefail fails whenever grep, having
# found its line, exits before ldd has written the rest (SIGPIPE), which made this test flaky.
links() { local deps; deps=$(ldd "$1"); grep -q "$2" <<< "$deps"; }
links "$scratch/cb-shared/consumer" 'libpyheap_containers.so' || { echo "not linked shared" >&2; exit 1; }
"$scratch/cb-shared/consumer"
"$scratch/cb-shared-core/core_consumer"
for example in dom solver; do
  run_example $example $example-shared
  links "$scratch/cb-$example-shared/$example" 'libpyheap_core.so' || { echo "examples/$example is not linked shared" >&2; exit 1; }
done
# Exported: pyheap's public API (and the standard library's vague-linkage instantiations it
# uses); never the tools' code (script runner, tour) or the private chart code.
leaked=$(nm -D --defined-only -C "$shared"/lib*/libpyheap_*.so | grep -E 'pyheap::(script|tour|report)::' || true)
[ -z "$leaked" ] || { echo "private symbols exported:"; echo "$leaked" | head; exit 1; } >&2
echo "exported symbols: $(nm -D --defined-only "$shared"/lib*/libpyheap_*.so | grep -c ' [TW] _ZN6pyheap') pyheap functions"

fi

want program || exit 0
echo "== 4. the installed program, source and build trees out of reach"
# Outside both trees, since both get hidden.
outside=$(mktemp -d)
trap 'rm -rf "$outside"' EXIT
tools=$outside/prefix
cmake --install "$build" --prefix "$tools" --component tools >/dev/null
cp "$src/tests/cli/cycle.heap" "$outside/cycle.heap"
if ! unshare --mount --map-root-user true 2>/dev/null; then
  echo "SKIPPED: step 4 needs a private mount namespace (unshare --mount --map-root-user), refused here"
  exit 0
fi
unshare --mount --map-root-user bash -euo pipefail -c '
  src=$1 build=$2 tools=$3 scratch=$4
  cd "$scratch"  # the working directory is inside the trees about to be hidden
  mount -t tmpfs none "$src"
  [ -d "$build" ] && mount -t tmpfs none "$build" 2>/dev/null || true
  [ -z "$(ls -A "$src")" ] || { echo "the source tree is still visible" >&2; exit 1; }
  unset PYHEAP_TOUR_CPYTHON_SCRIPT PYHEAP_DATA_DIR
  "$tools/bin/pyheap" run "$scratch/cycle.heap" > "$scratch/run.out"
  "$tools/bin/pyheap" tour --records 300 --floats 300 --strings 300 --nodes 300 > "$scratch/tour.out"
' _ "$src" "$build" "$tools" "$outside"
grep -q '^collected 4$' "$outside/run.out" || { echo "pyheap run printed:"; cat "$outside/run.out"; exit 1; } >&2
grep -q 'CPython' "$outside/tour.out" || { echo "pyheap tour printed:"; cat "$outside/tour.out"; exit 1; } >&2
echo "installed pyheap run and pyheap tour work without the source tree"
