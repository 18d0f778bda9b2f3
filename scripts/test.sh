#!/usr/bin/env bash
# test.sh: installs what is missing, then builds and runs every test twice: a Release build
# (build/) and an AddressSanitizer + UndefinedBehaviorSanitizer build with internal
# consistency checks at debug level 2 (build-asan/). Ends with ctest's summary of the latter.
set -euo pipefail
cd "$(dirname "$0")/.."
# node + npm for the memlab snapshot check (a nodejs that bundles npm needs no npm package).
scripts/deps.sh nodejs $(command -v npm >/dev/null || echo npm)
# Its packages, pinned by tests/js/package-lock.json; no install scripts (no browser download).
if [ ! -d tests/js/node_modules ] || [ tests/js/package-lock.json -nt tests/js/node_modules ]; then
  (cd tests/js && npm ci --ignore-scripts --no-audit --no-fund && touch node_modules)
fi
jobs=$(nproc)

echo "=== Release build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPYHEAP_BUILD_TESTS=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest -j"$jobs" --output-on-failure)

echo "=== Sanitizer build (ASan + UBSan, debug level 2)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPYHEAP_SANITIZE=ON -DPYHEAP_BUILD_TESTS=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest -j"$jobs" --output-on-failure)
