#!/usr/bin/env bash
# check_memlab.sh FIXTURE JS_DIR OUT_DIR: writes the fixture heap's snapshot and expected figures,
# then has memlab read the snapshot and compare (tests/js/check_snapshot.mjs).
set -euo pipefail
fixture=$1 js=$2 out=$3
command -v node >/dev/null || { echo "memlab_snapshot: node is not installed (scripts/deps.sh nodejs npm installs it)" >&2; exit 1; }
[ -d "$js/node_modules/@memlab/heap-analysis" ] || { echo "memlab_snapshot: run 'npm ci' in $js first (scripts/test.sh does)" >&2; exit 1; }
mkdir -p "$out"
"$fixture" "$out/fixture.heapsnapshot" "$out/expected.json"
node "$js/check_snapshot.mjs" "$out/fixture.heapsnapshot" "$out/expected.json"
