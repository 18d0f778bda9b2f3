#!/usr/bin/env python3
"""The collector's worker threads must not change anything `pyheap run` prints.

    workers_identical.py --pyheap PATH [--workers W] [--verbose] [--gen N [--seed S] [--size M]]
                         [FILE_OR_DIR ...]

Runs `pyheap run --echo FILE` twice for every heap script given (a directory: every file in it)
and, with --gen N, for N scripts from gen.py (seeds S .. S+N-1): once with the workers off
(--gc-workers 1) and once forced on for every collection (--gc-workers W --gc-parallel-threshold
0), and compares standard output, standard error and the exit status byte for byte. --verbose
adds pyheap run's --verbose (the garbage summaries) to both runs. Scripts run in a scratch
directory (fuzz inputs may write snapshot files). Needs no CPython 3.11: CPython is not run.
Last line: `N identical, M different`; exit status 1 if any differ.
"""

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def run(pyheap, path, extra, cwd):
    p = subprocess.run([pyheap, 'run', '--echo'] + extra + [path], cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    return p.returncode, p.stdout, p.stderr


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def compare(pyheap, path, workers, verbose, cwd):
    """None if both runs agree, else what differs."""
    common = ['--verbose'] if verbose else []
    off = run(pyheap, path, common + ['--gc-workers', '1'], cwd)
    on = run(pyheap, path, common + ['--gc-workers', str(workers), '--gc-parallel-threshold', '0'], cwd)
    if off == on:
        return None
    for name, x, y in (('exit status', off[0], on[0]), ('stdout', off[1], on[1]), ('stderr', off[2], on[2])):
        if x != y:
            if name == 'exit status':
                return 'exit status %s with the workers off, %s with them on' % (x, y)
            at = first_difference(x, y)
            return '%s differs at byte %d: off %r, on %r' % (name, at, x[max(0, at - 40):at + 40],
                                                             y[max(0, at - 40):at + 40])
    return 'differs'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--pyheap', required=True)
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--verbose', action='store_true')
    ap.add_argument('--gen', type=int, default=0, help='also N generated scripts')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--size', type=int, default=80)
    ap.add_argument('paths', nargs='*')
    args = ap.parse_args()
    pyheap = os.path.abspath(args.pyheap)
    files = []
    for p in args.paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p) if os.path.isfile(os.path.join(p, f)))
        else:
            files.append(p)
    same = differ = 0
    with tempfile.TemporaryDirectory(prefix='pyheap-workers-') as scratch:
        if args.gen:
            import gen  # noqa: E402 (needs CPython 3.11 only to generate, as differential.py)
            for seed in range(args.seed, args.seed + args.gen):
                path = os.path.join(scratch, 'seed-%d.heap' % seed)
                with open(path, 'w') as f:
                    f.write(gen.generate(seed, args.size))
                files.append(path)
        for path in files:
            report = compare(pyheap, os.path.abspath(path), args.workers, args.verbose, scratch)
            if report is None:
                same += 1
            else:
                differ += 1
                print('DIFFERENT %s\n  %s' % (path, report), flush=True)
    print('%d identical, %d different' % (same, differ))
    return 1 if differ else 0


if __name__ == '__main__':
    sys.exit(main())
