#!/usr/bin/env bash
# check_examples.sh PYHEAP SOURCE_DIR JS_DIR ARTIFACTS_DIR
# The viewer's two examples in headless Chromium: writes each page with `pyheap run --view`, then
# tests/js/check_view.mjs steps through every frame with the keyboard and checks what
# tests/view/NAME.json says (boxes, arrows, dashed arrows, counts, outlines, the highlighted
# line), failing on any console error or network request. Keeps the pages and the screenshots
# in ARTIFACTS_DIR (view-NAME.html, view-NAME-*.png). Then two edge cases must open without
# errors too: a script with no statement, and one that stops on its first line (the page shows
# the error on the failing line).
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

printf '# no statement at all\n' >"$artifacts/view-empty.heap"
"$pyheap" run --view "$artifacts/view-empty.html" "$artifacts/view-empty.heap" >/dev/null
node "$js_dir/check_page.mjs" "$artifacts/view-empty.html" "$artifacts/view-empty.png" 'svg#graph=1' '#code li=1'
printf 'no_such_statement\nnew a\n' >"$artifacts/view-failing.heap"
status=0; "$pyheap" run --view "$artifacts/view-failing.html" "$artifacts/view-failing.heap" >/dev/null 2>&1 || status=$?
[ "$status" = 2 ] || { echo "check_examples.sh: a failing script exited with $status, expected 2" >&2; exit 1; }
node "$js_dir/check_page.mjs" "$artifacts/view-failing.html" "$artifacts/view-failing.png" '#code li.failed=1' '#events li.error=1'
