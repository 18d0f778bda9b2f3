#!/usr/bin/env bash
# check_view_cli.sh PYHEAP WORK_DIR SCRIPT...
# What `--view` must not change and how it fails, without a browser (so the sanitizer build runs
# it too, through the collector's observer and the recorder):
#   1. for every script, stdout, stderr and the exit status of `pyheap run --echo` are the same
#      with and without --view (the CPython differential tests compare that output), and the
#      page is a whole HTML page with its data;
#   2. a script that stops on an error still gets its page, up to the failing statement, whose
#      message it shows, and keeps its exit status 2;
#   3. an unwritable page path, and a missing Graphviz, give a message on stderr and status 1,
#      after the script's own output, which is unchanged.
set -euo pipefail
pyheap=$1 work=$2
shift 2
rm -rf "$work"
mkdir -p "$work"
fail() { echo "check_view_cli.sh: $*" >&2; exit 1; }

for script in "$@"; do
  name=$(basename "$script" .heap)
  s1=0; "$pyheap" run --echo "$script" >"$work/$name.out" 2>"$work/$name.err" || s1=$?
  s2=0; "$pyheap" run --echo --view "$work/$name.html" "$script" >"$work/$name.view.out" 2>"$work/$name.view.err" || s2=$?
  [ "$s1" = "$s2" ] || fail "$script: exit status $s1 without --view, $s2 with it"
  cmp -s "$work/$name.out" "$work/$name.view.out" || fail "$script: stdout differs with --view"
  cmp -s "$work/$name.err" "$work/$name.view.err" || fail "$script: stderr differs with --view"
  head -c 15 "$work/$name.html" | grep -q '<!DOCTYPE html>' || fail "$work/$name.html does not start with <!DOCTYPE html>"
  tail -c 20 "$work/$name.html" | grep -q '</html>' || fail "$work/$name.html does not end with </html>"
  grep -q 'id="pyheap-view-data">{"title":' "$work/$name.html" || fail "$work/$name.html has no data"
done

printf 'new a\nnew b\nset a.0 b\nno_such_statement\nnew never\n' >"$work/failing.heap"
fs=0; "$pyheap" run --view "$work/failing.html" "$work/failing.heap" >/dev/null 2>"$work/failing.err" || fs=$?
[ "$fs" = 2 ] || fail "a failing script exited with $fs, expected 2"
grep -q "unknown statement 'no_such_statement'" "$work/failing.html" || fail "the failing script's page does not show its error"
grep -q '"line":4,' "$work/failing.html" || fail "the failing script's page has no step for line 4"
grep -q '"line":5,' "$work/failing.html" && fail "the failing script's page has a step after the error"

script=$1
bad="$work/no-such-dir/page.html"
bs=0; "$pyheap" run --echo --view "$bad" "$script" >"$work/bad.out" 2>"$work/bad.err" || bs=$?
[ "$bs" = 1 ] || fail "an unwritable page path exited with status $bs, expected 1"
grep -qF "$bad" "$work/bad.err" || fail "the error does not name the path: $(cat "$work/bad.err")"
cmp -s "$work/bad.out" "$work/$(basename "$script" .heap).out" || fail "stdout differs when the page cannot be written"

ds=0; PYHEAP_DOT="$work/no-such-dot" "$pyheap" run --view "$work/nodot.html" "$script" >/dev/null 2>"$work/nodot.err" || ds=$?
[ "$ds" = 1 ] || fail "a missing dot exited with status $ds, expected 1"
grep -q "install graphviz" "$work/nodot.err" || fail "a missing dot is not explained: $(cat "$work/nodot.err")"
[ -e "$work/nodot.html" ] && fail "a page was written without a layout"
echo "check_view_cli.sh: $# scripts: output unchanged by --view; failing script, unwritable path and missing dot reported"
