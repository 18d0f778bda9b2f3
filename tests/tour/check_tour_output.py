#!/usr/bin/env python3
"""Runs `pyheap tour` with small sizes and checks the tables it prints: every lesson is there
with every representation, the figures and ratios parse and agree with each other, and the
lessons teach what they say (slots cost less than dict-instances in both runtimes, arrays less
than lists, interning less than not, a chain is freed at once while a ring waits for the
collector). Also checks that a missing CPython script is reported as an error."""
import argparse
import re
import subprocess
import sys

SIZES = {"--records": 3000, "--floats": 20000, "--strings": 5000, "--distinct": 50, "--nodes": 3000}
LESSONS = [
    ("records of (id, name, score)", "record", ["dict-instances", "slotted records", "columnar table"]),
    ("floats", "float", ["list of boxed floats", "typed array"]),
    ("strings, 50 distinct texts", "string", ["not interned", "interned"]),
    ("linked nodes: a chain, then a ring", "node",
     ["chain, built", "chain, head dropped", "ring, built", "ring, head dropped", "ring, after collect"]),
]
ROW = re.compile(r"^   (?P<rep>[a-z][a-z ,-]*?)\s{3,}(?P<ours>[\d,]+)\s+(?P<theirs>[\d,]+)\s+(?P<ratio>[\d.]+|-)"
                 r"\s+(?P<ours_per>[\d.]+)\s+(?P<theirs_per>[\d.]+)$")

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def number(text):
    return int(text.replace(",", ""))


def parse(output):
    """{lesson title: {representation: (pyheap, cpython, ratio text, per-item pyheap, per-item cpython)}}"""
    lessons, current = {}, None
    for line in output.splitlines():
        m = re.match(r"^(\d+)\. (.*)$", line)
        if m:
            current = lessons.setdefault(m.group(2), {})
            continue
        m = ROW.match(line)
        if m and current is not None:
            current[m.group("rep")] = (number(m.group("ours")), number(m.group("theirs")), m.group("ratio"),
                                       float(m.group("ours_per")), float(m.group("theirs_per")))
    return lessons


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pyheap", required=True)
    args = parser.parse_args()
    sizes = [str(x) for kv in SIZES.items() for x in kv]

    run = subprocess.run([args.pyheap, "tour", *sizes], capture_output=True, text=True, timeout=120)
    print(run.stdout)
    check(run.returncode == 0, f"tour exited with {run.returncode}: {run.stderr}")
    check(re.search(r"^pyheap tour: .* CPython 3\.\d+", run.stdout, re.M), "no header naming the CPython version")
    lessons = parse(run.stdout)

    tables = {}
    for title_end, unit, reps in LESSONS:
        found = [t for t in lessons if t.endswith(title_end)]
        check(len(found) == 1, f"lesson '{title_end}' not printed once")
        if not found:
            continue
        table = lessons[found[0]]
        tables[unit] = table
        count = int(found[0].split()[0].replace(",", ""))
        check(count == SIZES[{"record": "--records", "float": "--floats", "string": "--strings",
                              "node": "--nodes"}[unit]], f"lesson '{found[0]}' has the wrong size")
        check(f"B/{unit}" in run.stdout, f"no bytes-per-{unit} column")
        for rep in reps:
            check(rep in table, f"lesson '{title_end}': no row '{rep}'")
            if rep not in table:
                continue
            ours, theirs, ratio, ours_per, theirs_per = table[rep]
            if theirs == 0:
                check(ratio == "-", f"{rep}: ratio of x/0 should be '-'")
            else:
                check(abs(float(ratio) - ours / theirs) <= 0.0051, f"{rep}: ratio {ratio} != {ours}/{theirs}")
            check(abs(ours_per - ours / count) <= 0.051, f"{rep}: pyheap per-{unit} {ours_per} != {ours}/{count}")
            check(abs(theirs_per - theirs / count) <= 0.051, f"{rep}: CPython per-{unit} figure is off")

    def both(unit, smaller, larger):
        t = tables.get(unit, {})
        if smaller in t and larger in t:
            for side, name in ((0, "pyheap"), (1, "CPython")):
                check(0 < t[smaller][side] < t[larger][side], f"{name}: '{smaller}' should cost less than '{larger}'")

    both("record", "slotted records", "dict-instances")
    both("record", "columnar table", "slotted records")
    both("float", "typed array", "list of boxed floats")
    both("string", "interned", "not interned")

    nodes = tables.get("node", {})
    if len(nodes) == 5:
        built = nodes["chain, built"]
        check(built[0] > 0 and nodes["chain, head dropped"][0] == 0, "pyheap: the chain is not freed at once")
        check(nodes["ring, head dropped"][0] == nodes["ring, built"][0] > 0, "pyheap: the ring's bytes should stay")
        check(nodes["ring, after collect"][0] == 0, "pyheap: the collector should free the whole ring")
        # CPython's figures carry a few hundred bytes of the interpreter's own noise.
        check(nodes["chain, head dropped"][1] < built[1] / 10, "CPython: the chain is not freed at once")
        check(nodes["ring, head dropped"][1] > nodes["ring, built"][1] * 0.9, "CPython: the ring's bytes should stay")
        check(nodes["ring, after collect"][1] < nodes["ring, built"][1] / 10, "CPython: the ring is not collected")
    m = re.search(r"pyheap: gc\(\)\.collect\(\) found ([\d,]+) unreachable", run.stdout)
    check(m and number(m.group(1)) == SIZES["--nodes"], "pyheap's collector should find exactly the ring")
    m = re.search(r"CPython: gc\.collect\(\) returned ([\d,]+)", run.stdout)
    check(m and number(m.group(1)) >= SIZES["--nodes"], "CPython's collector should find at least the ring")

    missing = subprocess.run([args.pyheap, "tour", *sizes, "--cpython-script", "/nonexistent/cpython_side.py"],
                             capture_output=True, text=True, timeout=120)
    check(missing.returncode == 1 and "does not exist" in missing.stderr,
          f"a missing CPython script should fail with a message, got {missing.returncode}: {missing.stderr}")

    for f in failures:
        print("check_tour_output.py: FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
