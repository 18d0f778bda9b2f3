"""Issue 20's part of bench/run.py: the programs users write, the peers they would pick, and the
verdict on every target of the issue from one run.

run.py takes from here
  programs(...)             the real-shape programs (bench/shapes/: every program under pyheap,
                            shared_ptr, by hand and Boehm, the DOM churn under cppgc too) and
                            V8's cppgc beside binary-trees, the tree churn and the collector
                            figures (trees_cppgc, gc_cppgc, when bench/CMakeLists.txt built them)
  TARGETS                   the issue's bounds, in run.py's TARGETS form (the `met` column)
  instruction_counts(...)   binary-trees, the tree churn and the DOM churn under callgrind, once
                            (pyheap and shared_ptr): instruction counts are what a noisy machine
                            cannot blur, and the issue bounds them
  print_verdicts(...)       every target of the issue with its measured value and verdict,
                            including the ones no single table row holds (the borrowed walks
                            against the hand-written program)

Every figure here uses run.py's sample format (bench_util.hpp's emit), so run.py's equal-work
check covers them: a real-shape program whose subjects print different checksums fails the run.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

# bench/shapes/harness.hpp's programs, in its order; which have no cycle in their data.
SHAPES = ('deltablue', 'havlak', 'richards', 'cd', 'list-recursion', 'array-tree', 'json', 'dom-churn')
ACYCLIC = ('richards', 'list-recursion', 'array-tree', 'json')
SHAPE_SUBJECTS = ('pyheap', 'shared_ptr', 'by_hand', 'boehm')

# Figure names, as the programs print them (harness.hpp's kPrograms: "shape NAME (what it is)",
# then ": peak RSS" and the like for the other figures of the run; trees.hpp's labels).
BORROWED = 'pyheap, borrowed walks'


def shape_figure(name='[^(]+', part=''):
    """The pattern of a real-shape program's figure (any program by default), or of one of its parts."""
    return r'^shape %s \(.*\)%s$' % (name.replace('-', ' '), ': ' + part if part else '')


TARGETS = [
    # The list recursion passes and returns its lists by value, as shared_ptr code does: 2.0x the
    # hand-written program as written (<= 1.2x with the borrowed walks: print_verdicts).
    (shape_figure('list recursion'), 'by hand', 'ratio', 2.0),
    (shape_figure(), 'by hand', 'ratio', 1.3),
    (shape_figure(), 'shared_ptr', 'ratio', 1.0),
    (shape_figure(), 'Boehm', 'ratio', 1.0),
    (shape_figure(part='peak RSS'), 'by hand', 'ratio', 1.5),
    (shape_figure('dom churn'), 'cppgc', 'ratio', 1.0),
] + [(shape_figure(n, 'time in automatic collections'), None, 'below', 5.0) for n in ACYCLIC] + [
    (r'^binary-trees depth \d+$', 'cppgc', 'ratio', 1.0),
    (r'^tree churn [^:]*$', 'cppgc', 'ratio', 1.0),
    (r': instructions$', 'shared_ptr', 'ratio', 1.0),
    (r'^gc full, live heap 1000000 random', 'cppgc', 'ratio', 1.0),
    (r'^gc cyclic garbage, collect\+free 1000000 ', 'CPython', 'ratio', 0.3),
]


def programs(b, sizes, shapes, deep_depth, deep_rounds):
    """run.py's (name, argv, env[, rounds]) entries for issue 20; b is BUILD/bench."""
    out = []
    for subject in SHAPE_SUBJECTS:
        prog = os.path.join(b, 'shapes_' + subject)
        for name in SHAPES:
            out.append(('shapes_%s %s' % (subject, name), [prog, name], {}))
    if borrowed_available(b):
        out.append(('shapes_pyheap list-recursion-borrowed',
                    [os.path.join(b, 'shapes_pyheap'), 'list-recursion-borrowed'], {}))
    cppgc_shapes = os.path.join(b, 'shapes_cppgc')
    if os.access(cppgc_shapes, os.X_OK):
        out.append(('shapes_cppgc dom-churn', [cppgc_shapes, 'dom-churn'], {}))
    trees = os.path.join(b, 'trees_cppgc')
    if os.access(trees, os.X_OK):
        out.append(('trees_cppgc binary 16', [trees, 'binary', '16'], {}))
        out.append(('trees_cppgc binary %d' % deep_depth, [trees, 'binary', str(deep_depth)], {}, deep_rounds))
        out.append(('trees_cppgc churn', [trees, 'churn'], {}))
    gc = os.path.join(b, 'gc_cppgc')
    if os.access(gc, os.X_OK):
        out.append(('gc_cppgc', [gc, sizes, shapes], {}))
    return out


def borrowed_available(b):
    """Whether shapes_pyheap was built with pyheap's borrowed reference (list_recursion_borrowed.hpp)."""
    prog = os.path.join(b, 'shapes_pyheap')
    try:
        names = subprocess.run([prog, '--list'], stdout=subprocess.PIPE, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return False
    return 'list-recursion-borrowed' in names


# What runs under callgrind: (figure, subject, argv relative to BUILD/bench).
CALLGRIND = [
    ('binary-trees depth 16: instructions', 'pyheap', ['trees_pyheap', 'binary', '16']),
    ('binary-trees depth 16: instructions', 'shared_ptr', ['trees_shared_ptr', 'binary', '16']),
    ('tree churn: instructions', 'pyheap', ['trees_pyheap', 'churn']),
    ('tree churn: instructions', 'shared_ptr', ['trees_shared_ptr', 'churn']),
    ('shape dom churn: instructions', 'pyheap', ['shapes_pyheap', 'dom-churn']),
    ('shape dom churn: instructions', 'shared_ptr', ['shapes_shared_ptr', 'dom-churn']),
]


def instruction_counts(b, log=sys.stderr):
    """Runs CALLGRIND's programs once each under `valgrind --tool=callgrind` and returns samples
    (unit Ir: instructions executed, the whole process). The check is the program's own checksum,
    so that the equal-work check compares pyheap's and shared_ptr's work here too."""
    samples = []
    for figure, subject, argv in CALLGRIND:
        log.write('callgrind: %s, %s\n' % (figure, subject))
        with tempfile.TemporaryDirectory() as tmp:
            cmd = ['valgrind', '--tool=callgrind', '--callgrind-out-file=' + os.path.join(tmp, 'out'),
                   os.path.join(b, argv[0])] + argv[1:]
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        m = re.search(r'Collected : (\d+)', p.stderr)
        if p.returncode != 0 or not m:
            log.write('callgrind run failed (status %d):\n%s' % (p.returncode, p.stderr[-2000:]))
            sys.exit(1)
        check = ''
        for line in p.stdout.splitlines():
            if line.strip():
                check = json.loads(line).get('check', '')
                break
        samples.append(dict(figure=figure, subject=subject, value=int(m.group(1)), unit='Ir', check=check,
                            note='valgrind --tool=callgrind ' + ' '.join(argv), threads=0))
    return samples


# The targets, in its words, for the verdict list: (what, figure pattern, subject, peer,
# bound). peer None: the subject's own value is bounded.
def verdict_rows():
    rows = []
    for name in SHAPES:
        pat = shape_figure(name)
        rss = shape_figure(name, 'peak RSS')
        hand = 2.0 if name == 'list-recursion' else 1.3
        rows.append(('%s: time / by hand' % name, pat, 'pyheap', 'by hand', hand))
        if name == 'list-recursion':
            rows.append(('%s with borrowed walks: time / by hand' % name, pat, BORROWED, 'by hand', 1.2))
        rows.append(('%s: time / shared_ptr' % name, pat, 'pyheap', 'shared_ptr', 1.0))
        rows.append(('%s: time / Boehm' % name, pat, 'pyheap', 'Boehm', 1.0))
        rows.append(('%s: peak RSS / by hand' % name, rss, 'pyheap', 'by hand', 1.5))
        if name == 'dom-churn':
            rows.append(('%s: time / cppgc' % name, pat, 'pyheap', 'cppgc', 1.0))
        if name in ACYCLIC:
            rows.append(('%s (no cycles): %% of time in automatic collections' % name,
                         shape_figure(name, 'time in automatic collections'), 'pyheap', None, 5.0))
    for label, pat, instr in (('binary-trees depth 16', r'^binary-trees depth 16$', r'^binary-trees depth 16: instructions$'),
                              ('binary-trees depth 20', r'^binary-trees depth 20$', None),
                              ('tree churn', r'^tree churn [^:]*$', r'^tree churn: instructions$'),
                              ('dom churn', shape_figure('dom churn'), r'^shape dom churn: instructions$')):
        if instr:
            rows.append(('%s: instructions / shared_ptr' % label, instr, 'pyheap', 'shared_ptr', 1.0))
        for peer in ('shared_ptr', 'Boehm', 'cppgc'):
            if label == 'dom churn':
                continue  # its times are listed with the real-shape programs
            rows.append(('%s: time / %s' % (label, peer), pat, 'pyheap', peer, 1.0))
    live = r'^gc full, live heap 1000000 random$'
    rows.append(('collector 10^6, live random graph / CPython', live, 'pyheap', 'CPython', 0.2))
    rows.append(('collector 10^6, live random graph / cppgc', live, 'pyheap', 'cppgc', 1.0))
    for shape in ('random', 'ring'):
        rows.append(('collector 10^6, cyclic garbage (%s) / CPython' % shape,
                     r'^gc cyclic garbage, collect\+free 1000000 %s$' % shape, 'pyheap', 'CPython', 0.3))
    return rows


def print_verdicts(summary, borrowed_built, out=sys.stdout):
    """summary: {(figure, subject): {'median': ...}} as run.py computes it. Prints one line per
    target of issue 20; returns the number of targets missed or not measured."""
    figures = sorted({f for f, _ in summary})
    lines = []
    missed = 0
    for what, pat, subject, peer, bound in verdict_rows():
        matches = [f for f in figures if re.search(pat, f)]
        value, shown = None, '-'
        for f in matches:
            a = summary.get((f, subject))
            if not a:
                continue
            if peer is None:
                value, shown = a['median'], '%.2f %%' % a['median']
            else:
                p = summary.get((f, peer))
                if p and p['median']:
                    value = a['median'] / p['median']
                    shown = '%.3f' % value
            break
        if value is None:
            verdict = 'not measured'
            if subject == BORROWED and not borrowed_built:
                verdict += ' (no borrowed reference in the library yet: bench/shapes/list_recursion_borrowed.hpp)'
            missed += 1
        else:
            verdict = 'met' if value <= bound else 'MISSED'
            missed += value > bound
        lines.append((what, shown, ('<= %g %%' if peer is None else '<= %g') % bound, verdict))
    out.write('issue 20 targets (this run; ratios of medians, pyheap over the peer):\n')
    widths = [max(len(r[i]) for r in lines) for i in range(3)]
    for r in lines:
        out.write('  %s  %s  %s  %s\n' % (r[0].ljust(widths[0]), r[1].rjust(widths[1]), r[2].ljust(widths[2]), r[3]))
    out.write('issue 20: %d of %d targets met\n' % (len(lines) - missed, len(lines)))
    return missed
