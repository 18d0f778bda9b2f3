#!/usr/bin/env bash
# check_run_report.sh PYHEAP SCRIPT JS_DIR ARTIFACTS_DIR
# Runs a heap script with `pyheap run --report`, then opens the report in headless Chromium
# (tests/js/check_page.mjs): memory over time, collections, largest types and the pool map must
# all render, without console errors. Keeps run-report.html and run-report.png in ARTIFACTS_DIR.
set -euo pipefail
pyheap=$1 script=$2 js_dir=$3 artifacts=$4
source "$js_dir/require_browser.sh" "$js_dir"

mkdir -p "$artifacts"
rm -f "$artifacts/run-report.html" "$artifacts/run-report.png"
"$pyheap" run --report "$artifacts/run-report.html" "$script" >/dev/null

# The script collects several times: one stacked-area chart with a marker per collection,
# bar charts of pauses, yields and types, what to change (the script leaves a cycle: two
# findings, the garbage and the dominators), and the pool map (64 pools per arena).
node "$js_dir/check_page.mjs" "$artifacts/run-report.html" "$artifacts/run-report.png" \
  'svg.pyheap-line-chart=1' \
  'svg.pyheap-line-chart path.area=2' \
  'svg.pyheap-line-chart line.marker=3' \
  'svg.pyheap-bar-chart=4' \
  'svg.pyheap-bar-chart rect.bar=8' \
  'svg#advice-savings rect.bar=2' \
  'svg.pyheap-grid-chart=1' \
  'svg.pyheap-grid-chart rect.cell=64' \
  'table=4'
echo "check_run_report.sh: screenshot in $artifacts/run-report.png"
