#!/usr/bin/env python3
"""Self-test of the differential machinery (ctest: cpython_refinterp_self_test).

    python3 testing/self_test.py [--found DIR]

A comparator that never reports anything would make every differential run pass, so this
checks that it can fail:
  1. compare.compare() on hand-made outputs: events reordered inside a block agree; an event
     moved to another block, a missing or extra event, a different exit status or error line
     disagree;
  2. differential.py against pyheap_shim.py (refinterp itself, in a fresh process) passes on
     random scripts and on every scenario: refinterp is deterministic and fork and spawn agree;
  3. differential.py against pyheap_broken_shim.py (drops callbacks, miscounts collections)
     fails, and compare.py fails on the scenarios that have callbacks or non-zero counts.
"""

import argparse
import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, TOP)
import compare  # noqa: E402

R = compare.Result
FAILURES = []


def check(cond, what):
    print('%s %s' % ('ok  ' if cond else 'FAIL', what), flush=True)
    if not cond:
        FAILURES.append(what)


def unit_checks(tmp):
    path = os.path.join(tmp, 'x.heap')
    with open(path, 'w') as f:
        f.write('new a\nset a.0 a\ndel a\ncollect\nbogus\n')
    base = '> new a\n> set a.0 a\n> del a\n> collect\nfinal a\ncallback w\ncollected 1\n'
    same = R(0, base, '')
    check(compare.compare(path, same, R(0, base, '')) is None, 'identical outputs agree')
    swapped = base.replace('final a\ncallback w\n', 'callback w\nfinal a\n')
    check(compare.compare(path, same, R(0, swapped, '')) is None,
          'events reordered inside one block agree')
    moved = '> new a\n> set a.0 a\n> del a\nfinal a\n> collect\ncallback w\ncollected 1\n'
    check(compare.compare(path, same, R(0, moved, '')) is not None,
          'an event moved to another block disagrees')
    check(compare.compare(path, same, R(0, base.replace('callback w\n', ''), '')) is not None,
          'a missing event disagrees')
    check(compare.compare(path, same, R(0, base + 'final b\n', '')) is not None,
          'an extra event disagrees')
    check(compare.compare(path, same, R(0, base.replace('collected 1', 'collected 2'), ''))
          is not None, 'a different count disagrees')
    check(compare.compare(path, same, R(2, base, 'x.heap:5: error: no')) is not None,
          'a different exit status disagrees')
    check(compare.compare(path, R(2, base, 'x.heap:5: error: a'),
                          R(2, base + '> bogus\n', 'x.heap:5: error: b')) is None,
          'both rejecting the same line agree (echo of the rejected line tolerated)')
    check(compare.compare(path, R(2, base, 'x.heap:5: error: a'),
                          R(2, base, 'x.heap:4: error: b')) is not None,
          'rejecting different lines disagrees')
    # The rejected statement repeats the one before it: only the side that echoed it twice may
    # drop an echo.
    with open(path, 'w') as f:
        f.write('new a\ndel a\ndel a\n')
    one = '> new a\n> del a\n'
    check(compare.compare(path, R(2, one + '> del a\n', 'x.heap:3: error: a'),
                          R(2, one, 'x.heap:3: error: b')) is None,
          'a rejected statement equal to the one before it: echo tolerated')
    check(compare.compare(path, R(2, '> new a\n', 'x.heap:3: error: a'),
                          R(2, one, 'x.heap:3: error: b')) is not None,
          'a rejected statement equal to the one before it: a lost block still disagrees')


def differential(shim, found, count, scenarios):
    cmd = [sys.executable, os.path.join(TOP, 'differential.py'), '--pyheap',
           os.path.join(HERE, shim), '--count', str(count), '--seed', '1', '--jobs', '2',
           '--found', found, '--progress', '0']
    if scenarios:
        cmd.append('--scenarios')
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = p.stdout.strip().splitlines()
    return p.returncode, lines[-1] if lines else ''


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--found', help='where the broken shim\'s failures go (default: a temporary '
                    'directory)')
    args = ap.parse_args()
    if not compare.reference_python_ok():
        return 2
    for shim in ('pyheap_shim.py', 'pyheap_broken_shim.py'):
        os.chmod(os.path.join(HERE, shim), 0o755)
    with tempfile.TemporaryDirectory(prefix='pyheap-selftest-') as tmp:
        found = args.found or os.path.join(tmp, 'found')
        unit_checks(tmp)

        n_regressions = len(glob.glob(os.path.join(TOP, 'scenarios', '*.heap'))) + \
            len(glob.glob(os.path.join(TOP, 'found', '*.heap')))
        rc, last = differential('pyheap_shim.py', found, 60, True)
        check(rc == 0 and last == '%d passed, 0 failed' % (60 + n_regressions),
              'good shim passes 60 random scripts and %d scenarios/regressions (%s)'
              % (n_regressions, last))

        rc, last = differential('pyheap_broken_shim.py', found, 60, False)
        failed = int(last.split()[2]) if last.endswith(' failed') else 0
        check(rc == 1 and failed >= 40,
              'broken shim is caught on most random scripts (%s)' % last)
        stored = glob.glob(os.path.join(found, 'seed-*.heap'))
        check(len(stored) == failed, 'each failing seed is stored (%d files)' % len(stored))

        scenarios = sorted(glob.glob(os.path.join(TOP, 'scenarios', '*.heap')))
        p = subprocess.run([sys.executable, os.path.join(TOP, 'compare.py'), '--pyheap',
                            os.path.join(HERE, 'pyheap_broken_shim.py')] + scenarios,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        last = p.stdout.strip().splitlines()[-1]
        check(p.returncode == 1 and int(last.split()[2]) >= len(scenarios) // 2,
              'broken shim is caught on the scenarios (%s)' % last)
    print('self-test: %d check(s) failed' % len(FAILURES) if FAILURES else 'self-test: all passed')
    return 1 if FAILURES else 0


if __name__ == '__main__':
    sys.exit(main())
