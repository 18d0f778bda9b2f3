#!/usr/bin/env python3
"""Checks `pyheap run --advise` on a heap script (examples/tour.heap): the advice follows the
script's own output, the cycle the script leaves is the first finding and the dominators the
last, and both estimates hold: the same script with that back-reference made weak ends with that
many fewer bytes held (its last `stats` line, the allocator's bytes held), and dropping the
variable that holds the largest dominator frees its retained size.
The estimate is read from `pyheap advise --json` of the script's --snapshot, which must agree
with what `run --advise` printed.

usage: check_run_advise.py --pyheap BUILD/pyheap SCRIPT
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

TOLERANCE = 0.10


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise SystemExit("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr))
    return p.stdout


def bytes_held(pyheap, script_text, tmp, name):
    """The bytes held that each `stats` line of the script printed."""
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(script_text)
    return [int(b) for b in re.findall(r"(\d+) bytes held for", run([pyheap, "run", path]))]


def bytes_held_at_end(pyheap, script_text, tmp, name):
    return bytes_held(pyheap, script_text + "\nstats\n", tmp, name)[-1]


def check(problems, what, estimate, freed, title):
    print("%s estimate %d, measured %d: %s" % (what, estimate, freed, title))
    if freed <= 0 or abs(estimate - freed) > TOLERANCE * freed:
        problems.append("%s: estimate %d is not within 10%% of the %d bytes freed" % (what, estimate, freed))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pyheap", required=True)
    ap.add_argument("script")
    args = ap.parse_args()
    with open(args.script) as f:
        text = f.read()
    plain = run([args.pyheap, "run", args.script])
    advised = run([args.pyheap, "run", "--advise", args.script])
    problems = []
    if not advised.startswith(plain) or "pyheap advise:" not in advised[len(plain):]:
        problems.append("--advise must print the script's own output unchanged, then the advice")
    advice_text = advised[len(plain):]
    kinds = re.findall(r"^\d+\. \[([a-z-]+)\]", advice_text, re.M)
    if kinds[:1] != ["cyclic-garbage"] or kinds[-1:] != ["dominators"]:
        problems.append("expected the cyclic garbage first and the dominators last, got %s" % kinds)

    with tempfile.TemporaryDirectory() as tmp:
        snapshot = os.path.join(tmp, "tour.heapsnapshot")
        run([args.pyheap, "run", "--snapshot", snapshot, args.script])
        advice = json.loads(run([args.pyheap, "advise", "--json", snapshot]))
        garbage = [f for f in advice["findings"] if f["kind"] == "cyclic-garbage"]
        if len(garbage) != 1:
            raise SystemExit("FAIL: expected one cyclic-garbage finding in %s" % advice)
        finding = garbage[0]
        if finding["title"] not in advice_text:
            problems.append("run --advise and advise of the snapshot disagree: %r" % finding["title"])
        if "Node.1 -> Node" not in finding["title"]:
            problems.append("the back-reference should be child.1 (Node.1 -> Node): %s" % finding["title"])
        # The change: child.1 holds a weak reference object to the parent instead of the parent.
        weak = text.replace("set child.1 parent", "weak back parent\nset child.1 back\ndel back")
        if weak == text:
            raise SystemExit("FAIL: the script has no 'set child.1 parent' to change")
        freed = bytes_held_at_end(args.pyheap, text, tmp, "strong.heap") - bytes_held_at_end(args.pyheap, weak, tmp, "weak.heap")
        check(problems, "cyclic-garbage", finding["saving"], freed, finding["title"])

        dominators = advice["findings"][-1]
        top = dominators["origins"][0]
        m = re.match(r"\(script variables\)\.(\w+) ", top["where"])
        if not m:
            raise SystemExit("FAIL: the largest dominator should be a script variable: %s" % top["where"])
        variable = m.group(1)
        # Garbage collected first, so that the second collection frees only what the variable held.
        held = bytes_held(args.pyheap, text + "\ncollect\nstats\ndel %s\ncollect\nstats\n" % variable, tmp, "drop.heap")
        check(problems, "dominators (%s)" % variable, top["bytes"], held[-2] - held[-1], top["where"])
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
