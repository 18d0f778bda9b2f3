#!/usr/bin/env python3
"""`pyheap advise --python` on CPython heaps of about 10^6 objects: how long the dump, the
reading and the advice take.

    bench/advise_cpython.py --pyheap BUILD/pyheap [--objects 1000000] [--nodes 1000000]
                            [--workloads records,chain,random] [--timeout 120]

Workloads (each written to a temporary directory and run by `pyheap advise --python`):
  records  class instances and dicts, lists of floats, small tuples and repeated strings, so that
           every finding has work to do (--objects in all, the interpreter's ~40,000 included);
  chain    a linked list of --nodes nodes (self.value, self.next), the deepest dominator tree;
  random   --nodes nodes, each with two references to random nodes (bench/graph.hpp's shape).
Prints JSON lines in bench/run.py's format (one per figure, subject "pyheap", seconds): for
records, the dump (pyheap_advise.py's own timing), reading the file and advising (a second
`pyheap advise FILE`, so the figure has no Python in it), their sum, and the whole run; for chain
and random the whole `pyheap advise --python` command, the script's building included (issue 22's
rows: 10 s at most). A run that takes longer than --timeout is stopped and reported as that many
seconds, with a note.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

RECORDS = '''
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

CHAIN = '''
class Node:
    def __init__(self, value, next):
        self.value = value
        self.next = next

head = None
for i in range({nodes}):
    head = Node(i, head)
'''

RANDOM = '''
import random

class Node:
    def __init__(self):
        self.a = None
        self.b = None

rnd = random.Random(1)
nodes = [Node() for _ in range({nodes})]
for node in nodes:
    node.a = nodes[rnd.randrange({nodes})]
    node.b = nodes[rnd.randrange({nodes})]
del node
'''


def figure(name, value, note=""):
    print(json.dumps({"figure": name, "subject": "pyheap", "value": value, "unit": "s", "note": note}), flush=True)


def advise_python(pyheap, tmp, name, source, timeout, keep=False):
    """Runs `pyheap advise --python` on the source: (seconds, advice or None if stopped, stderr, dump)."""
    script = os.path.join(tmp, name + ".py")
    with open(script, "w") as f:
        f.write(source)
    dump = os.path.join(tmp, name + ".heapsnapshot")
    cmd = [pyheap, "advise", "--json"] + (["--keep", dump] if keep else []) + ["--interpreter", sys.executable,
                                                                              "--python", script]
    env = dict(os.environ, PYHEAP_ADVISE_TIMING="1")
    start = time.perf_counter()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return timeout, None, "", dump
    whole = time.perf_counter() - start
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise SystemExit(1)
    return whole, json.loads(p.stdout), p.stderr, dump


def records(args, tmp):
    # 11.5 objects per unit (the tuples' ints are objects too), on top of the interpreter's ~40,000.
    unit = max(args.objects - 40_000, 1000) * 2 // 23
    whole, advice, stderr, dump = advise_python(args.pyheap, tmp, "records", RECORDS.format(unit=unit), args.timeout,
                                                keep=True)
    label = "advise --python %d objects" % args.objects
    if advice is None:
        figure(label + ", whole run (script included)", whole, "stopped after %d s" % args.timeout)
        return
    m = re.search(r"(\d+) objects dumped in ([0-9.]+) s", stderr)
    dumped = float(m.group(2))
    start = time.perf_counter()
    p = subprocess.run([args.pyheap, "advise", "--json", dump], stdout=subprocess.PIPE, text=True, check=True)
    advised = time.perf_counter() - start
    findings = [f["kind"] for f in json.loads(p.stdout)["findings"]]
    note = "%d objects, %.0f MB file, findings: %s" % (advice["objects"], os.path.getsize(dump) / 1e6,
                                                        " ".join(findings))
    figure(label + ", dump (pyheap_advise.py)", dumped, note)
    figure(label + ", read + advise (C++)", advised, note)
    figure(label + ", dump + read + advise", dumped + advised, note)
    figure(label + ", whole run (script included)", whole, note)


def graph(args, tmp, name, template, label):
    whole, advice, _, _ = advise_python(args.pyheap, tmp, name, template.format(nodes=args.nodes), args.timeout)
    if advice is None:
        note = "stopped after %d s: not finished" % args.timeout
    else:
        note = "%d objects, findings: %s" % (advice["objects"], " ".join(f["kind"] for f in advice["findings"]))
    figure("advise --python %s of %d nodes, whole run" % (label, args.nodes), whole, note)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pyheap", required=True)
    ap.add_argument("--objects", type=int, default=1_000_000)
    ap.add_argument("--nodes", type=int, default=1_000_000)
    ap.add_argument("--workloads", default="records,chain,random")
    ap.add_argument("--timeout", type=int, default=120)
    args = ap.parse_args()
    args.pyheap = os.path.abspath(args.pyheap)
    with tempfile.TemporaryDirectory() as tmp:
        for w in args.workloads.split(","):
            if w == "records":
                records(args, tmp)
            elif w == "chain":
                graph(args, tmp, "chain", CHAIN, "a chain")
            elif w == "random":
                graph(args, tmp, "random", RANDOM, "a random graph")
            else:
                ap.error("unknown workload %s" % w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
