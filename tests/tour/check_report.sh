#!/usr/bin/env bash
# check_report.sh PYHEAP JS_DIR ARTIFACTS_DIR
# Runs the tour with small sizes writing its HTML report, then opens the report in headless
# Chromium (tests/js/check_page.mjs): the charts must render without console errors. The
# report and its screenshot stay in ARTIFACTS_DIR (tour-report.html, tour-report.png).
# When node, Chromium or the npm packages are missing it fails (under scripts/test.sh, which
# installs them) or prints why it is skipped (tests/js/require_browser.sh).
set -euo pipefail
pyheap=$1 js_dir=$2 artifacts=$3
source "$js_dir/require_browser.sh" "$js_dir"

mkdir -p "$artifacts"
rm -f "$artifacts/tour-report.html" "$artifacts/tour-report.png"
"$pyheap" tour --records 3000 --floats 20000 --strings 5000 --nodes 3000 \
  --report "$artifacts/tour-report.html" >/dev/null

# Four lessons with a bar chart each plus the chart of ratios; 2 + 2 + 3 + 5 representations,
# a pyheap and a CPython bar each (the ring after collection and the freed chain may be 0 bytes:
# drawn as empty bars, still present); the tables as printed.
node "$js_dir/check_page.mjs" "$artifacts/tour-report.html" "$artifacts/tour-report.png" \
  'svg.pyheap-bar-chart=5' \
  'svg.pyheap-bar-chart rect.bar=24' \
  'svg.pyheap-bar-chart .legend-item=5' \
  'svg.pyheap-bar-chart .value-label=24' \
  'svg.pyheap-bar-chart .tick=20' \
  'table=4' \
  'h2=5'
[ -s "$artifacts/tour-report.png" ] || { echo "check_report.sh: no screenshot" >&2; exit 1; }
echo "check_report.sh: screenshot in $artifacts/tour-report.png"
