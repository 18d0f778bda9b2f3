#!/usr/bin/env python3
"""Differential test of pyheap against CPython on random heap scripts (and the scenarios).

    python3 differential.py --pyheap PATH [--count N] [--seed S] [--size M] [--jobs J]
                            [--scenarios] [--found DIR] [--spawn] [--max-failures K]

Generates N random scripts with gen.py (seeds S .. S+N-1), runs each through `pyheap run --echo`
and refinterp.py --echo, and compares them with compare.py's rules.  With --scenarios it also
runs every scenarios/*.heap and every found/*.heap (the regression cases kept from earlier
runs).  A failing random script is stored as DIR/seed-<S>.heap (default: found/ beside this
file) with a comment header giving the seed and both sides' first differing block; the run
continues.  The last line is `N passed, M failed`; exit status 1 if anything failed.

Generation and the reference run happen in forked children of a worker process that has already
imported everything (saving a Python start-up per script); --spawn runs `python3 gen.py` and
`python3 refinterp.py` as fresh processes instead (slower, same results).  For long runs
(--count 100000) progress goes to standard error every --progress scripts.
"""

import argparse
import glob
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402
import gen  # noqa: E402

FOUND = os.path.join(HERE, 'found')
SCENARIOS = os.path.join(HERE, 'scenarios')

# Per-worker settings, set by _init (a pool initializer).
_CONF = {}


def _init(pyheap, size, spawn, tmpdir, found):
    _CONF.update(pyheap=pyheap, size=size, spawn=spawn, tmpdir=tmpdir, found=found)


def _generate(seed, path):
    size = _CONF['size']
    if _CONF['spawn']:
        p = subprocess.run([sys.executable, '-S', os.path.join(HERE, 'gen.py'), '--seed',
                            str(seed), '--size', str(size)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        rc, text, err = p.returncode, p.stdout, p.stderr
    else:
        def body():
            sys.stdout.write(gen.generate(seed, size))
            sys.stdout.flush()
            os._exit(0)
        rc, text, err = compare.fork_run(body)
    if rc != 0:
        raise RuntimeError('gen.py --seed %d failed: %s' % (seed, err))
    with open(path, 'w') as f:
        f.write(text)
    return text


def _check(path):
    """(report or None, pyheap Result, refinterp Result)"""
    ph = compare.run_pyheap(_CONF['pyheap'], path)
    if _CONF['spawn']:
        ref = compare.run_refinterp(path)
    else:
        ref = compare.run_refinterp_forked(path)
    return compare.compare(path, ph, ref), ph, ref


def _comment(text):
    return ''.join('#   ' + line + '\n' for line in text.splitlines())


def run_seed(seed):
    """(name, report or None)"""
    path = os.path.join(_CONF['tmpdir'], 'seed-%d.heap' % seed)
    try:
        text = _generate(seed, path)
        report, ph, ref = _check(path)
    except Exception as exc:  # keep going: one broken run must not end a long campaign
        report = 'internal error: %r' % (exc,)
        exc = None
        return 'seed %d' % seed, report
    if report is not None:
        a, b = compare.first_block_diff(path, ph, ref)
        header = ('# found by differential.py: seed %d, size %d (python3 gen.py --seed %d --size %d)\n'
                  '# pyheap exit %s, refinterp exit %s\n'
                  '# first differing block, pyheap:\n%s'
                  '# first differing block, refinterp (CPython):\n%s'
                  % (seed, _CONF['size'], seed, _CONF['size'], ph.rc, ref.rc,
                     _comment(a), _comment(b)))
        os.makedirs(_CONF['found'], exist_ok=True)
        with open(os.path.join(_CONF['found'], 'seed-%d.heap' % seed), 'w') as f:
            f.write(header + text)
    try:
        os.unlink(path)
    except OSError:
        pass
    return 'seed %d' % seed, report


def run_scenario(path):
    try:
        report = _check(path)[0]
    except Exception as exc:
        report = 'internal error: %r' % (exc,)
        exc = None
    return os.path.relpath(path, HERE), report


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--pyheap', required=True, help='path of the pyheap program')
    ap.add_argument('--count', type=int, default=100, help='random scripts (default 100)')
    ap.add_argument('--seed', type=int, default=1, help='first seed (default 1)')
    ap.add_argument('--size', type=int, default=80, help='statements per script (default 80)')
    ap.add_argument('--jobs', type=int, default=2, help='parallel workers (default 2)')
    ap.add_argument('--scenarios', action='store_true',
                    help='also run scenarios/*.heap and the regression cases found/*.heap')
    ap.add_argument('--found', default=FOUND,
                    help='where failing random scripts are stored (default: %(default)s)')
    ap.add_argument('--spawn', action='store_true',
                    help='run gen.py and refinterp.py as fresh processes instead of forking')
    ap.add_argument('--progress', type=int, default=1000,
                    help='report progress on stderr every this many scripts (default 1000)')
    ap.add_argument('--max-failures', type=int, default=0,
                    help='stop after this many failures (default 0: never stop)')
    args = ap.parse_args()

    if not compare.reference_python_ok():
        return 2
    pyheap = os.path.abspath(args.pyheap)
    if not os.access(pyheap, os.X_OK):
        sys.stderr.write('differential.py: %s is not an executable program\n' % args.pyheap)
        return 2
    passed = failed = 0
    start = time.time()
    tmpdir = tempfile.mkdtemp(prefix='pyheap-diff-')
    ctx = multiprocessing.get_context('fork')
    jobs = max(1, args.jobs)
    with ctx.Pool(jobs, initializer=_init,
                  initargs=(pyheap, args.size, args.spawn, tmpdir, args.found)) as pool:
        work = []
        if args.scenarios:
            scenarios = sorted(glob.glob(os.path.join(SCENARIOS, '*.heap'))) + \
                sorted(glob.glob(os.path.join(FOUND, '*.heap')))
            work.append(pool.imap(run_scenario, scenarios))
        if args.count > 0:
            seeds = range(args.seed, args.seed + args.count)
            work.append(pool.imap(run_seed, seeds, chunksize=4))
        done = 0
        for results in work:
            for name, report in results:
                done += 1
                if report is None:
                    passed += 1
                else:
                    failed += 1
                    print('FAIL %s\n  %s' % (name, report.replace('\n', '\n  ')), flush=True)
                if args.progress and done % args.progress == 0:
                    sys.stderr.write('... %d done, %d failed, %.0fs\n'
                                     % (done, failed, time.time() - start))
                if args.max_failures and failed >= args.max_failures:
                    break
            if args.max_failures and failed >= args.max_failures:
                pool.terminate()
                break
    try:
        os.rmdir(tmpdir)
    except OSError:
        pass
    if failed and args.count > 0:
        print('failing random scripts are stored in %s' % args.found)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
