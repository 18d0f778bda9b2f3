#!/usr/bin/env bash
# check_run_report_cli.sh PYHEAP SCRIPT WORK_DIR
# What `--report` must not change and how it fails, without a browser (so it also runs in the
# sanitizer build):
#   1. stdout and stderr of `pyheap run` are byte-identical with and without --report (the CPython
#      differential tests compare that output), and the exit status is the same;
#   2. the report is a complete HTML page with the four parts (memory chart, collections, types,
#      pool map);
#   3. an unwritable report path gives a message naming it on stderr and a non-zero exit, after
#      the script's own output, which is unchanged;
#   4. a script that stops on an error still gets its report, up to the failing statement, and
#      keeps its exit status 2.
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
printf 'new a\nnew b\nset a.0 b\nno_such_statement\nnew never\n' >"$work/failing.heap"
fstatus=0; "$pyheap" run --report "$work/failing.html" "$work/failing.heap" >/dev/null 2>"$work/failing.err" || fstatus=$?
[ "$fstatus" = 2 ] || fail "a failing script exited with $fstatus, expected 2"
grep -q 'failing.heap:4: error' "$work/failing.err" || fail "the script error is missing: $(cat "$work/failing.err")"
# The summary row: 4 samples (the failing statement is sampled too), the peak after `new b`.
grep -q '<tr><td class="num">4</td><td class="num">256 B</td><td class="num">2 (line 2: new b)</td>' "$work/failing.html" ||
  fail "the failing script's report does not have 4 samples with the peak at line 2"

echo "check_run_report_cli.sh: output unchanged by --report; report complete; unwritable path: status $bstatus, $(tail -n1 "$work/bad.err")"
