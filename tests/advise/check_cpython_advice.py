#!/usr/bin/env python3
"""Checks `pyheap advise --python` against measurements: for each situation of
cpython_situations.py, the advisor's estimate must be within 10% of the bytes that applying the
advised change freed (tracemalloc), and for the standard-library workloads the expected finding
must come first.

usage: check_cpython_advice.py --pyheap BUILD/pyheap [SITUATION...]
Prints one line per situation (estimate, measured, ratio) and exits 1 if any check fails.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cpython_situations  # noqa: E402  (the list of situations and which must come first)

TOLERANCE = 0.10


def run(pyheap, name):
    script = os.path.join(HERE, "cpython_situations.py")
    proc = subprocess.run([pyheap, "advise", "--json", "--interpreter", sys.executable, "--python", script, "--dump", name],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError("pyheap advise failed (%d): %s" % (proc.returncode, proc.stderr.strip()))
    advice = json.loads(proc.stdout)
    env = dict(os.environ, PYHEAP_ADVISE_FIRST_TYPE=advice["findings"][0]["type"])
    proc = subprocess.run([sys.executable, script, "--measure", name], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, text=True)
    if proc.returncode != 0:
        raise RuntimeError("measuring failed (%d): %s" % (proc.returncode, proc.stderr.strip()))
    return advice, json.loads(proc.stdout)


def check(name, advice, measured):
    """(ok, message)."""
    kind, type_name, freed = measured["kind"], measured["type"], measured["freed"]
    findings = advice["findings"]
    candidates = [f for f in findings if f["kind"] == kind and (type_name is None or f["type"] == type_name)]
    if not candidates:
        return False, "no %s finding for %s among: %s" % (kind, type_name, [(f["kind"], f["type"]) for f in findings])
    finding = candidates[0]
    if name in cpython_situations.FIRST and findings[0] is not finding:
        return False, "expected %s first, got %s (%s)" % (kind, findings[0]["kind"], findings[0]["title"])
    # The dominators finding names several objects; the situation drops the first (the largest).
    estimate = finding["origins"][0]["bytes"] if kind == "dominators" else finding["saving"]
    if measured.get("replaced") is not None and measured["replaced"] != finding["count"]:
        return False, "the change replaced %d objects, the finding names %d" % (measured["replaced"], finding["count"])
    ratio = estimate / freed if freed > 0 else float("inf")
    ok = abs(estimate - freed) <= TOLERANCE * freed
    return ok, "%-15s %-16s estimate %10d  measured %10d  ratio %.3f  %s" % (
        name, kind, estimate, freed, ratio, finding["title"][:70])


def check_sites(pyheap):
    """With --trace, a finding says where its objects were made: the situation's own line."""
    script = os.path.join(HERE, "cpython_situations.py")
    proc = subprocess.run([pyheap, "advise", "--json", "--trace", "--interpreter", sys.executable, "--python", script,
                           "--dump", "columns"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        return False, "--trace: pyheap advise failed (%d): %s" % (proc.returncode, proc.stderr.strip())
    found = [f for f in json.loads(proc.stdout)["findings"] if f["kind"] == "columns"]
    if not found or not found[0]["origins_are_sites"]:
        return False, "--trace: the columns finding has no allocation sites"
    where = found[0]["origins"][0]["where"]
    ok = where.startswith(script + ":")
    return ok, "%-15s %-16s made at %s (%d of %d)" % ("--trace", "columns", where, found[0]["origins"][0]["count"],
                                                       found[0]["count"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyheap", required=True)
    parser.add_argument("situations", nargs="*")
    args = parser.parse_args()
    names = args.situations or list(cpython_situations.SITUATIONS)
    failed = 0
    for name in names:
        try:
            advice, measured = run(os.path.abspath(args.pyheap), name)
            ok, message = check(name, advice, measured)
        except (RuntimeError, OSError, ValueError, KeyError) as e:
            ok, message = False, "%s: %s" % (name, e)
        print(("ok    " if ok else "FAIL  ") + message, flush=True)
        failed += not ok
    if not args.situations:
        ok, message = check_sites(os.path.abspath(args.pyheap))
        print(("ok    " if ok else "FAIL  ") + message, flush=True)
        failed += not ok
    if failed:
        print("%d of %d checks failed" % (failed, len(names) + (0 if args.situations else 1)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
