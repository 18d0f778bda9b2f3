#!/usr/bin/env bash
# tour.sh: installs what is missing, builds pyheap (Release) and runs the tour: the same data
# in pyheap and in CPython (python3), bytes side by side, lesson by lesson; the same figures as
# charts in build/tour-report.html. Extra arguments go to `pyheap tour` (e.g. --records 10000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target pyheap-cli
build/pyheap tour --report build/tour-report.html "$@"
