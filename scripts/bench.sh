#!/usr/bin/env bash
# bench.sh [run.py options, e.g. --repeat 7]
# Installs the peers (mimalloc, jemalloc, tcmalloc, Boehm GC, CPython) if missing, builds the
# benchmark programs in Release into build-bench/, and runs bench/run.py: every benchmark, every
# peer, one table (docs/performance.md explains the figures).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh libmimalloc-dev libjemalloc-dev libgoogle-perftools-dev libgc-dev python3
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DPYHEAP_BUILD_BENCH=ON -DPYHEAP_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j2 --target alloc_pyheap alloc_glibc alloc_mimalloc alloc_jemalloc \
  alloc_tcmalloc ref_copy gc_pyheap gc_boehm footprint tracing_overhead trees_pyheap trees_shared_ptr \
  trees_boehm object_model threads_check pyheap-cli
exec /usr/bin/python3 bench/run.py --build build-bench "$@"
