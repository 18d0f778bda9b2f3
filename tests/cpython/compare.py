#!/usr/bin/env python3
"""Compare `pyheap run --echo FILE` with `refinterp.py --echo FILE`.

    python3 compare.py --pyheap PATH FILE...

Both outputs are split into blocks: an echo line `> STATEMENT` and the event lines after it.
Blocks are compared in order; inside a block the events are compared as multisets (their order
is not part of the contract).  Exit codes are compared too, and when both sides reject the
script, that they reject the same line (the line number is read from `FILE:LINE: error:` on
standard error).  Prints the first mismatching block of every failing file; exit status 1 if any
file mismatched.
"""

import argparse
import collections
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import refinterp  # noqa: E402  (only its tokenizer is used in this process)

REFINTERP = os.path.join(HERE, 'refinterp.py')
ERROR_LINE_RE = re.compile(r':(\d+): error')
PYHEAP_TIMEOUT = 60

Result = collections.namedtuple('Result', 'rc out err')


def reference_python_ok():
    """The spec names CPython 3.11 as the reference; the collector's details (generations,
    what gc.collect() counts, the trashcan depth) are not promised across versions."""
    if sys.implementation.name == 'cpython' and sys.version_info[:2] == (3, 11):
        return True
    sys.stderr.write('%s: the reference must be CPython 3.11, this is %s %s\n'
                     % (os.path.basename(sys.argv[0]), sys.implementation.name,
                        sys.version.split()[0]))
    return False


def run_pyheap(pyheap, path, timeout=PYHEAP_TIMEOUT):
    try:
        p = subprocess.run([pyheap, 'run', '--echo', path], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Result('timeout after %ds' % timeout, '', '')
    except OSError as exc:
        message = 'cannot run %s: %s' % (pyheap, exc)
        exc = None
        return Result('not run', '', message)
    return Result(p.returncode, p.stdout.decode('utf-8', 'replace'),
                  p.stderr.decode('utf-8', 'replace'))


def run_refinterp(path):
    """refinterp.py in a fresh interpreter (the reference way)."""
    p = subprocess.run([sys.executable, '-S', REFINTERP, '--echo', path],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return Result(p.returncode, p.stdout.decode('utf-8', 'replace'),
                  p.stderr.decode('utf-8', 'replace'))


def _read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b''.join(chunks).decode('utf-8', 'replace')


def fork_run(body):
    """Run body() in a forked child whose stdout and stderr are captured; body must end the
    child with os._exit.  Saves a Python start-up per run (the child is a fresh copy of a process
    in which no statement ever ran).  The caller must be single-threaded."""
    sys.stdout.flush()
    sys.stderr.flush()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(out_r)
            os.close(err_r)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            os.close(out_w)
            os.close(err_w)
            body()
        finally:
            os._exit(70)
    os.close(out_w)
    os.close(err_w)
    out = _read_all(out_r)
    err = _read_all(err_r)
    _, status = os.waitpid(pid, 0)
    return Result(os.waitstatus_to_exitcode(status), out, err)


def run_refinterp_forked(path):
    return fork_run(lambda: refinterp.main(['refinterp.py', '--echo', path]))


def blocks(text):
    """[(echo line or None, [event lines])]"""
    result = []
    for line in text.splitlines():
        if line.startswith('> '):
            result.append((line, []))
        else:
            if not result:
                result.append((None, []))
            result[-1][1].append(line)
    return result


def error_line(err):
    m = ERROR_LINE_RE.search(err)
    return int(m.group(1)) if m else None


def _source_line(path, lineno):
    try:
        with open(path, 'rb') as f:
            lines = f.read().decode('latin-1').split('\n')
    except OSError:
        return None
    if lineno is None or not 1 <= lineno <= len(lines):
        return None
    return lines[lineno - 1]


def _statements_before(path, lineno):
    """How many statements precede line `lineno` (blank and comment-only lines are not)."""
    try:
        with open(path, 'rb') as f:
            lines = f.read().decode('latin-1').split('\n')
    except OSError:
        return -1
    return sum(1 for line in lines[:lineno - 1] if refinterp.tokenize(line))


def _show_block(block):
    if block is None:
        return '(no block: output ended)'
    head = block[0] if block[0] is not None else '(output before any statement)'
    return head + ''.join('\n  ' + e for e in block[1]) if block[1] else head + '\n  (no events)'


def compare(path, ph, ref):
    """None if the two runs agree, else a report.  ph/ref: Result of pyheap/refinterp."""
    problems = []
    if ph.rc != ref.rc:
        problems.append('exit status: pyheap %s, refinterp %s' % (ph.rc, ref.rc))
        if ph.err.strip():
            problems.append('pyheap stderr: ' + ph.err.strip()[-800:])
        if ref.err.strip():
            problems.append('refinterp stderr: ' + ref.err.strip()[-800:])
    a = blocks(ph.out)
    b = blocks(ref.out)
    if ph.rc == 2 and ref.rc == 2:
        la, lb = error_line(ph.err), error_line(ref.err)
        if la != lb:
            problems.append('error line: pyheap %s, refinterp %s\n  pyheap: %s\n  refinterp: %s'
                            % (la, lb, ph.err.strip(), ref.err.strip()))
        else:
            # Tolerate one side echoing the rejected statement before rejecting it: that side has
            # one block more than there are statements before the rejected line.  (Only that
            # side: the statement before may well be the same text.)
            src = _source_line(path, lb)
            toks = refinterp.tokenize(src) if src is not None else []
            echo = '> ' + ' '.join(toks)
            ran = _statements_before(path, lb)
            for bl in (a, b):
                echoes = sum(1 for blk in bl if blk[0] is not None)
                if echoes == ran + 1 and bl[-1][0] == echo and not bl[-1][1]:
                    bl.pop()
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else None
        y = b[i] if i < len(b) else None
        if x is not None and y is not None and x[0] == y[0] and \
                collections.Counter(x[1]) == collections.Counter(y[1]):
            continue
        context = [blk[0] for blk in b[max(0, i - 3):i] if blk[0]]
        problems.append('first differing block is block %d%s\n  pyheap:\n    %s\n  refinterp:\n    %s'
                        % (i + 1,
                           (' (after: ' + ' / '.join(context) + ')') if context else '',
                           _show_block(x).replace('\n', '\n    '),
                           _show_block(y).replace('\n', '\n    ')))
        break
    if not problems:
        return None
    return '\n'.join(problems)


def first_block_diff(path, ph, ref):
    """Short form of the first differing block, for file headers: (pyheap, refinterp)."""
    a, b = blocks(ph.out), blocks(ref.out)
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else None
        y = b[i] if i < len(b) else None
        if x is None or y is None or x[0] != y[0] or \
                collections.Counter(x[1]) != collections.Counter(y[1]):
            return _show_block(x), _show_block(y)
    return ('exit %s %s' % (ph.rc, ph.err.strip()), 'exit %s %s' % (ref.rc, ref.err.strip()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--pyheap', required=True, help='path of the pyheap program')
    ap.add_argument('files', nargs='+', metavar='FILE')
    args = ap.parse_args()
    if not reference_python_ok():
        return 2
    failed = 0
    for path in args.files:
        report = compare(path, run_pyheap(args.pyheap, path), run_refinterp(path))
        if report is None:
            print('ok   %s' % path)
        else:
            failed += 1
            print('FAIL %s\n  %s' % (path, report.replace('\n', '\n  ')))
    print('%d passed, %d failed' % (len(args.files) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
