#!/usr/bin/env bash
# tsan.sh [COUNT]: the collector's worker threads under ThreadSanitizer. Builds build-tsan/
# (RelWithDebInfo, -DPYHEAP_SANITIZE_THREAD=ON, internal checks at debug level 2), then runs with
# the workers forced on for every collection of every heap (PYHEAP_GC_WORKERS=2,
# PYHEAP_GC_PARALLEL_THRESHOLD=0; honoured by the unit tests and by `pyheap run`):
#   - every unit test but the death tests (they fork), the allocator's resident-memory tests
#     (ThreadSanitizer's shadow memory is resident too) and the ten-million-node chain's linear-time
#     check (it compares two timings, which ThreadSanitizer's instrumentation skews: 24 s against
#     0.43 s); tests/unit/gc_workers_env.cpp reads the two variables,
#   - the CPython scenarios and regression cases, and COUNT random differential scripts (default
#     200, seed 42).
# A report from ThreadSanitizer stops the run (halt_on_error). Not part of scripts/test.sh: it is
# one more full build of everything it runs, and slow.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-200}"
scripts/deps.sh python3
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPYHEAP_SANITIZE_THREAD=ON -DPYHEAP_BUILD_TESTS=ON >/dev/null
cmake --build build-tsan -j2 --target pyheap_unit_tests pyheap-cli
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
export PYHEAP_GC_WORKERS=2 PYHEAP_GC_PARALLEL_THRESHOLD=0
echo "=== unit tests, workers forced on"
build-tsan/tests/pyheap_unit_tests --gtest_filter='-*DeathTest*:AllocRelease.*'
echo "=== differential: scenarios and $count random scripts, workers forced on"
python3 tests/cpython/differential.py --pyheap build-tsan/pyheap --count "$count" --seed 42 --jobs 2 \
  --scenarios --progress 0 --found build-tsan/found
