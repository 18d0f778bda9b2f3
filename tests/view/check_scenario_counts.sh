#!/usr/bin/env bash
# check_scenario_counts.sh PYHEAP JS_DIR WORK_DIR SCRIPT...
# For every script (the CPython scenarios): the page `pyheap run --view` writes must agree, at
# every statement, with `live` and with the reference counts the heap reports (`refs`):
# tests/view/scenario_counts.py gets the heap's figures, tests/js/check_view_counts.mjs reads the
# page's data for every step and its drawing for a sample of them in headless Chromium.
set -euo pipefail
pyheap=$1 js_dir=$2 work=$3
shift 3
source "$js_dir/require_browser.sh" "$js_dir"
rm -rf "$work"
mkdir -p "$work"
mapfile -t expected < <(python3 "$(dirname "$0")/scenario_counts.py" "$pyheap" "$work" "$@")
node "$js_dir/check_view_counts.mjs" "${expected[@]}"
