#!/usr/bin/env bash
# check_examples.sh PYHEAP SOURCE_DIR JS_DIR ARTIFACTS_DIR
# The viewer's two examples in headless Chromium: writes each page with `pyheap run --view`, then
# tests/js/check_view.mjs steps through every frame with the keyboard and checks what
# tests/view/NAME.json says (boxes, arrows, dashed arrows, counts, outlines, the highlighted
# line), failing on any console error or network request. Keeps the pages and the screenshots
# in ARTIFACTS_DIR (view-NAME.html, view-NAME-*.png).
set -euo pipefail
pyheap=$1 src=$2 js_dir=$3 artifacts=$4
source "$js_dir/require_browser.sh" "$js_dir"
mkdir -p "$artifacts"
for name in chain_and_ring finalizer_and_weakref; do
  page="$artifacts/view-$name.html"
  rm -f "$page" "$artifacts/view-$name"-*.png
  (cd "$src" && "$pyheap" run --view "$page" "examples/view_$name.heap" >/dev/null)
  node "$js_dir/check_view.mjs" "$page" "$src/tests/view/$name.json" "$artifacts/view-$name"
done
