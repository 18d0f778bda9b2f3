#!/usr/bin/env bash
# tour.sh: installs what is missing, builds pyheap (Release) and runs the narrated tour.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target pyheap-cli
build/pyheap run examples/tour.heap
