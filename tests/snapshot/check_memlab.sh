#!/usr/bin/env bash
# check_memlab.sh FIXTURE JS_DIR OUT_DIR: writes the fixture heap's snapshot and expected figures,
# then has memlab read the snapshot and compare (tests/js/check_snapshot.mjs).
set -euo pipefail
fixture=$1 js=$2 out=$3
source "$js/require_browser.sh" "$js" @memlab/heap-analysis
mkdir -p "$out"
"$fixture" "$out/fixture.heapsnapshot" "$out/expected.json"
node "$js/check_snapshot.mjs" "$out/fixture.heapsnapshot" "$out/expected.json"
