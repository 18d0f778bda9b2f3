#!/usr/bin/env python3
"""Checks `pyheap advise --python` against measurements: for each situation of a situation file
(cpython_situations.py by default; expert_situations.py has issue 22's programs), the expected
finding must be there, at its rank, saying what the situation expects, and the advisor's estimate
must be within 10% of the bytes that applying the advised change freed (tracemalloc's, the unit
the advice prints; situation_support.py says how situations are written and measured).

usage: check_cpython_advice.py --pyheap BUILD/pyheap [--situations FILE] [SITUATION...]
Prints one line per situation (rank, estimate, measured, ratio) and exits 1 if any check fails.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOLERANCE = 0.10


def load(path):
    sys.path.insert(0, os.path.dirname(path))
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def line_of(path, marker):
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if marker in line:
                return number
    raise ValueError("no line of %s has the marker %r" % (path, marker))


def run(pyheap, script, name, expect, extra=()):
    cmd = [pyheap, "advise", "--json", "--interpreter", sys.executable] + list(extra)
    if expect.at:
        cmd += ["--at", "%s:%d" % (script, line_of(script, expect.at))]
    proc = subprocess.run(cmd + ["--python", script, "--dump", name], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        raise RuntimeError("pyheap advise failed (%d): %s" % (proc.returncode, proc.stderr.strip()))
    advice = json.loads(after_output(proc.stdout, '{"runtime"'))
    if expect.kind is None:
        return advice, None
    env = dict(os.environ, PYHEAP_ADVISE_FIRST_TYPE=advice["findings"][0]["type"])
    proc = subprocess.run([sys.executable, script, "--measure", name], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, text=True)
    if proc.returncode != 0:
        raise RuntimeError("measuring failed (%d): %s" % (proc.returncode, proc.stderr.strip()))
    return advice, json.loads(after_output(proc.stdout, '{"situation"'))


def after_output(text, start):
    """The JSON a run printed after whatever the situation printed itself."""
    return text[text.index(start):]


def check(name, expect, advice, measured):
    """(ok, message)."""
    problems = []
    for text in expect.notes:
        if not any(text in note for note in advice["notes"]):
            problems.append("no note says %r (notes: %s)" % (text, advice["notes"]))
    if expect.units and expect.units not in advice["units"]:
        problems.append("the units do not say %r: %s" % (expect.units, advice["units"]))
    findings = advice["findings"]
    if expect.own_holders:
        for f in findings:
            for o in f["origins"]:
                if not f["origins_are_sites"] and expect.own_holders not in o["where"]:
                    problems.append("a holder is not the program's: %s (%s)" % (o["where"], f["kind"]))
    if expect.kind is None:
        if expect.type and any(f["type"] == expect.type and f["kind"] != "dominators" for f in findings):
            problems.append("a finding about %s, which the heap should not have" % expect.type)
        ok = not problems
        return ok, "%-20s %-16s %s" % (name, "notes", "; ".join(problems) if problems else advice["notes"][0][:90])
    candidates = [f for f in findings if f["kind"] == expect.kind and (expect.type is None or f["type"] == expect.type)]
    if not candidates:
        return False, "%s: no %s finding for %s among: %s" % (name, expect.kind, expect.type,
                                                              [(f["kind"], f["type"]) for f in findings])
    finding = candidates[0]
    rank = findings.index(finding) + 1
    if expect.rank is not None and rank != expect.rank:
        problems.append("ranked %d, expected %d (first: %s)" % (rank, expect.rank, findings[0]["title"]))
    for text in expect.title:
        if text not in finding["title"]:
            problems.append("the title does not say %r" % text)
    for text in expect.python:
        if text not in finding["python"]:
            problems.append("the change does not say %r: %s" % (text, finding["python"]))
    if expect.holder and (not finding["origins"] or expect.holder not in finding["origins"][0]["where"]):
        problems.append("the first holder is not %r: %s" % (expect.holder, finding["origins"][:1]))
    if expect.count is not None and finding["count"] != expect.count:
        problems.append("count %d, expected %d" % (finding["count"], expect.count))
    if measured.get("replaced") is not None and measured["replaced"] != finding["count"]:
        problems.append("the change replaced %d objects, the finding names %d" % (measured["replaced"], finding["count"]))
    # The dominators finding names several objects; the situation drops the first (the largest).
    estimate = finding["origins"][0]["bytes"] if expect.kind == "dominators" else finding["saving"]
    freed = measured["freed"]
    ratio = estimate / freed if freed > 0 else float("inf")
    if abs(estimate - freed) > TOLERANCE * freed:
        problems.append("estimate off by more than %d%%" % (TOLERANCE * 100))
    line = "%-20s %-16s #%-2d estimate %10d  measured %10d  ratio %.3f  %s" % (
        name, expect.kind, rank, estimate, freed, ratio, finding["title"][:64])
    return not problems, line + "".join("\n        " + p for p in problems)


def check_sites(pyheap, script):
    """With --trace, a finding says where its objects were made: the situation's own line."""
    proc = subprocess.run([pyheap, "advise", "--json", "--trace", "--interpreter", sys.executable, "--python", script,
                           "--dump", "columns"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        return False, "--trace: pyheap advise failed (%d): %s" % (proc.returncode, proc.stderr.strip())
    found = [f for f in json.loads(proc.stdout)["findings"] if f["kind"] == "columns"]
    if not found or not found[0]["origins_are_sites"]:
        return False, "--trace: the columns finding has no allocation sites"
    where = found[0]["origins"][0]["where"]
    ok = where.startswith(script + ":")
    return ok, "%-20s %-16s made at %s (%d of %d)" % ("--trace", "columns", where, found[0]["origins"][0]["count"],
                                                       found[0]["count"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyheap", required=True)
    parser.add_argument("--situations", default=os.path.join(HERE, "cpython_situations.py"))
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    script = os.path.abspath(args.situations)
    situations = load(script).SITUATIONS
    names = args.names or list(situations)
    pyheap = os.path.abspath(args.pyheap)
    failed = checks = 0
    for name in names:
        expect = situations[name].expect
        try:
            advice, measured = run(pyheap, script, name, expect)
            ok, message = check(name, expect, advice, measured)
        except (RuntimeError, OSError, ValueError, KeyError) as e:
            ok, message = False, "%s: %s" % (name, e)
        print(("ok    " if ok else "FAIL  ") + message, flush=True)
        failed += not ok
        checks += 1
    if not args.names and "columns" in situations:
        ok, message = check_sites(pyheap, script)
        print(("ok    " if ok else "FAIL  ") + message, flush=True)
        failed += not ok
        checks += 1
    if failed:
        print("%d of %d checks failed" % (failed, checks))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
