#!/usr/bin/env python3
"""Shrink a heap script on which pyheap and CPython disagree.

    python3 minimize.py --pyheap PATH FILE [-o OUT]

Removes statements (chunks first, then single lines) as long as compare.py still reports a
mismatch, and prints the smallest script found (or writes it to OUT).  Comment lines are kept
at the top.  A removal that makes the script invalid usually makes both sides reject the same
line, which is agreement, so such removals are undone by the same rule.
"""

import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402


def mismatches(pyheap, header, body, tmp):
    with open(tmp, 'w') as f:
        f.write(''.join(header) + ''.join(body))
    ph = compare.run_pyheap(pyheap, tmp)
    ref = compare.run_refinterp_forked(tmp)
    return compare.compare(tmp, ph, ref) is not None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--pyheap', required=True)
    ap.add_argument('file')
    ap.add_argument('-o', '--out')
    args = ap.parse_args()
    with open(args.file) as f:
        lines = f.readlines()
    header = [l for l in lines if l.lstrip().startswith('#')]
    body = [l for l in lines if l.strip() and not l.lstrip().startswith('#')]
    fd, tmp = tempfile.mkstemp(suffix='.heap')
    os.close(fd)
    try:
        if not mismatches(args.pyheap, header, body, tmp):
            sys.stderr.write('minimize.py: %s does not mismatch\n' % args.file)
            return 1
        chunk = max(1, len(body) // 2)
        while True:
            i = 0
            changed = False
            while i < len(body):
                trial = body[:i] + body[i + chunk:]
                if trial and mismatches(args.pyheap, header, trial, tmp):
                    body = trial
                    changed = True
                else:
                    i += chunk
            if chunk == 1 and not changed:
                break
            chunk = max(1, chunk // 2)
    finally:
        os.unlink(tmp)
    text = ''.join(header) + ''.join(body)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
