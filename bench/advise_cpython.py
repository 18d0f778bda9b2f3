#!/usr/bin/env python3
"""`pyheap advise --python` on a CPython heap of about 10^6 objects: how long the dump, the
reading and the advice take.

    bench/advise_cpython.py --pyheap BUILD/pyheap [--objects 1000000]

The workload (written to a temporary directory and run by `pyheap advise --python`) builds
records as class instances and as dicts, lists of floats, small tuples and repeated strings, so
that every finding has work to do. Prints JSON lines in bench/run.py's format (one per figure,
subject "pyheap", seconds): the dump (pyheap_advise.py's own timing), reading the file and
advising (a second `pyheap advise FILE`, so the figure has no Python in it), and the whole
`pyheap advise --python` run, the script's building included.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

WORKLOAD = '''
class User:
    def __init__(self, i):
        self.id = 1_000_000 + i
        self.name = "user-" + str(i)
        self.score = i * 0.25

UNIT = {unit}
users = [User(i) for i in range(UNIT)]                                   # 4 objects each
rows = [{{"name": "row-" + str(i), "n": 1_000_000 + i}} for i in range(UNIT)]  # 3 each
series = [[i + j * 0.5 for j in range(100)] for i in range(UNIT // 100)]  # 1 each
points = [(1000 + i % 50, 2000 + i % 40) for i in range(UNIT)]            # 3 each
cities = ["city-" + str(i % 100) for i in range(UNIT // 2)]               # 1/2 each
'''


def figure(name, value, note=""):
    print(json.dumps({"figure": name, "subject": "pyheap", "value": value, "unit": "s", "note": note}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pyheap", required=True)
    ap.add_argument("--objects", type=int, default=1_000_000)
    args = ap.parse_args()
    # 11.5 objects per unit (the tuples' ints are objects too), on top of the interpreter's ~40,000.
    unit = max(args.objects - 40_000, 1000) * 2 // 23
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "workload.py")
        with open(script, "w") as f:
            f.write(WORKLOAD.format(unit=unit))
        dump = os.path.join(tmp, "workload.heapsnapshot")
        env = dict(os.environ, PYHEAP_ADVISE_TIMING="1")
        start = time.perf_counter()
        p = subprocess.run([args.pyheap, "advise", "--json", "--keep", dump, "--interpreter", sys.executable,
                            "--python", script],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        whole = time.perf_counter() - start
        if p.returncode != 0:
            sys.stderr.write(p.stderr)
            return 1
        objects = json.loads(p.stdout)["objects"]
        m = re.search(r"(\d+) objects dumped in ([0-9.]+) s", p.stderr)
        dumped = float(m.group(2))
        start = time.perf_counter()
        p = subprocess.run([args.pyheap, "advise", "--json", dump], stdout=subprocess.PIPE, text=True, check=True)
        advised = time.perf_counter() - start
        findings = [f["kind"] for f in json.loads(p.stdout)["findings"]]
        size = os.path.getsize(dump)
    label = "advise --python %d objects" % args.objects
    note = "%d objects, %.0f MB file, findings: %s" % (objects, size / 1e6, " ".join(findings))
    figure(label + ", dump (pyheap_advise.py)", dumped, note)
    figure(label + ", read + advise (C++)", advised, note)
    figure(label + ", dump + read + advise", dumped + advised, note)
    figure(label + ", whole run (script included)", whole, note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
