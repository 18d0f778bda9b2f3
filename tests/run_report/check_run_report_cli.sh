#!/usr/bin/env bash
# check_run_report_cli.sh PYHEAP SCRIPT WORK_DIR
# What `--report` must not change and how it fails, without a browser (so it also runs in the
# sanitizer build):
#   1. stdout and stderr of `pyheap run` are byte-identical with and without --report (the CPython
#      differential tests compare that output), and the exit status is the same;
#   2. the report is a complete HTML page with the four parts (memory chart, collections, types,
#      pool map);
#   3. an unwritable report path gives a message naming it on stderr and a non-zero exit, after
#      the script's own output, which is unchanged.
set -euo pipefail
pyheap=$1 script=$2 work=$3
mkdir -p "$work"
fail() { echo "check_run_report_cli.sh: $*" >&2; exit 1; }

status=0; "$pyheap" run --echo "$script" >"$work/plain.out" 2>"$work/plain.err" || status=$?
rstatus=0; "$pyheap" run --echo --report "$work/cli-report.html" "$script" >"$work/report.out" 2>"$work/report.err" || rstatus=$?
[ "$status" = "$rstatus" ] || fail "exit status $status without --report, $rstatus with it"
cmp "$work/plain.out" "$work/report.out" || fail "stdout differs with --report"
cmp "$work/plain.err" "$work/report.err" || fail "stderr differs with --report"
[ -s "$work/plain.out" ] || fail "the script printed nothing: not a useful comparison"

page="$work/cli-report.html"
head -c 15 "$page" | grep -q '<!DOCTYPE html>' || fail "$page does not start with <!DOCTYPE html>"
tail -c 20 "$page" | grep -q '</html>' || fail "$page does not end with </html>"
grep -q 'data-chart="line"' "$page" || fail "no memory-over-time chart in $page"
grep -q 'id="collection-pauses"' "$page" || fail "no collection pause chart in $page"
grep -q 'id="largest-types"' "$page" || fail "no largest-types chart in $page"
grep -q 'data-chart="grid"' "$page" || fail "no pool map in $page"
grep -qF "pyheap run $script" "$page" || fail "the title does not name the script"

bad="$work/no-such-dir/report.html"
bstatus=0; "$pyheap" run --echo --report "$bad" "$script" >"$work/bad.out" 2>"$work/bad.err" || bstatus=$?
[ "$bstatus" != 0 ] || fail "an unwritable report path exited with status 0"
grep -qF "$bad" "$work/bad.err" || fail "the error does not name the path: $(cat "$work/bad.err")"
cmp "$work/plain.out" "$work/bad.out" || fail "stdout differs when the report cannot be written"
echo "check_run_report_cli.sh: output unchanged by --report; report complete; unwritable path: status $bstatus, $(tail -n1 "$work/bad.err")"
