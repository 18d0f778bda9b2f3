#!/usr/bin/env python3
"""Runs every benchmark program side by side, prints one table, writes JSON lines.

    bench/run.py --build BUILD_DIR [--repeat R] [--sizes 100000,1000000] [--big-size 10000000]
                 [--workers W] [--out FILE] [--cpython-deep] [--no-callgrind] [--only REGEX]

Every program is run R times, interleaved (round 1 of every program, then round 2, ...), so
a noisy moment on the machine spreads over all subjects instead of hitting one. A figure's
value is the median of its samples (a program may print several samples per run), its spread
the min..max. The ratio is pyheap's median over the peer's (below 1: pyheap is faster or
smaller). Checks: every subject of a figure must print the same graph checksum and, where both
can count, the same number of collected objects; a mismatch is a failed run (exit status 1),
since it would mean the two sides did different work.

Collectors run on W threads (default: the number of cores): pyheap's collector workers
(--workers W) and Boehm's markers (GC_MARKERS=W); CPython and cppgc collect on one. Both also run
with one thread ("pyheap, 1 worker", "Boehm, 1 marker"). pyheap's node is written the default way
(a trace hook only); it runs once more with both opt-in traits, published slots and a silent
destructor ("pyheap, ref_members (opt-in)"). The `threads` column says how many threads each side of a ratio used, as reported by
the programs themselves. The live-heap pause at --big-size (0: skip) is measured in ms, with W
threads and with one.

Issue 20's programs, peers and targets come from bench/issue20.py: the real-shape programs
(bench/shapes/), V8's cppgc beside the trees and the collector, callgrind's instruction counts
(--no-callgrind skips them), and after the table the verdict on every target of that issue.
--only REGEX runs only the programs whose name matches (a partial run, for a quick look).

Output: the table on stdout; BUILD_DIR/bench-results.jsonl gets one line per figure and subject
(median, min, max, samples, ratio against pyheap, the target and whether it is met) and
BUILD_DIR/bench-samples.jsonl every raw sample, both appended to, tagged with the run's time and
git commit.
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

import issue20

HERE = os.path.dirname(os.path.abspath(__file__))
CPYTHON = os.environ.get('PYHEAP_BENCH_PYTHON', '/usr/bin/python3')
ALLOCATORS = ('pyheap', 'glibc', 'mimalloc', 'jemalloc', 'tcmalloc')

# (figure pattern, peer, kind, bound): kind 'ratio' bounds pyheap/peer, 'below' bounds pyheap's
# own value (absolute) and 'smaller' asks for a ratio strictly below the bound.
TARGETS = [
    # issue 14 (with the same number of threads on both sides for Boehm; CPython has one)
    (r'^gc full, live heap 1000000 ring', 'Boehm', 'ratio', 1.0),
    (r'^gc full, live heap 1000000 random', 'CPython', 'ratio', 0.2),
    (r'^gc full, live heap 1000000 random', 'Boehm', 'ratio', 0.3),
    (r'^gc cyclic garbage, collect\+free 1000000 ', 'CPython', 'ratio', 0.5),
    (r'^gc young 1000, ', None, 'below', 1.0),
    (r'^alloc mixed', 'mimalloc', 'ratio', 0.8),
    (r'^alloc burst 1M', 'mimalloc', 'ratio', 1.5),                 # issue 13
    (r'^alloc burst: rss once idle', None, 'below', 1.0),           # issue 13: the purge rule ran
    (r'^alloc fifo', 'mimalloc', 'ratio', 1.0),                     # issue 13
    (r'^Ref copy\+drop', 'shared_ptr', 'ratio', 0.2),
    (r'^rss after freeing all, once idle', None, 'below', 1.0),
    (r'^footprint ', 'CPython', 'smaller', 1.0),
    (r'^tracing make\+drop .*\(sites only\)', 'untraced', 'ratio', 1.3),  # issue 6
    (r'^advise --python 1000000 objects, dump \+ read \+ advise', None, 'below', 30.0),  # issue 15
    (r'^advise --python a chain of 1000000 nodes, whole run', None, 'below', 10.0),        # issue 22
    (r'^advise --python a random graph of 1000000 nodes, whole run', None, 'below', 10.0),  # issue 22
    # issue 13: the object-model workloads (bench/trees.hpp), automatic collection on
    (r'^binary-trees depth \d+$', 'shared_ptr', 'ratio', 1.0),
    (r'^binary-trees depth \d+$', 'Boehm', 'ratio', 1.0),
    (r'^binary-trees depth \d+: peak RSS', 'shared_ptr', 'ratio', 1.1),
    (r'^tree churn [^:]*$', 'shared_ptr', 'ratio', 1.0),
    (r'^tree churn [^:]*$', 'Boehm', 'ratio', 1.0),
    (r'^tree churn .*: peak RSS', 'shared_ptr', 'ratio', 1.1),
]
# Issue 20's (bench/issue20.py) come first: where both bound one figure and peer, the newer counts.
TARGETS = issue20.TARGETS + TARGETS

# binary-trees at depth 20 takes 5 to 30 s of CPU per C++ subject: it runs in the first DEEP_ROUNDS
# rounds only, the rest in every round. CPython takes about 4 minutes of CPU at that depth: only
# with --cpython-deep (once).
DEEP_DEPTH = 20
DEEP_ROUNDS = 3


def programs(build, sizes, big, workers, cpython_deep=False):
    b = os.path.join(build, 'bench')
    shapes = 'ring,random'
    w = str(workers)
    gp = os.path.join(b, 'gc_pyheap')
    gb = os.path.join(b, 'gc_boehm')
    out = []
    for a in ALLOCATORS:
        # One process per workload: each starts from a fresh allocator (the burst's RSS figures
        # would otherwise count what the mixed workload left behind).
        for load in ('mixed', 'burst', 'fifo'):
            out.append(('alloc_%s speed %s' % (a, load), [os.path.join(b, 'alloc_' + a), 'speed', load], {}))
        out.append(('alloc_%s rss' % a, [os.path.join(b, 'alloc_' + a), 'rss'], {}))
    out.append(('cpython rss', [CPYTHON, os.path.join(HERE, 'cpython_workloads.py'), 'rss'], {}))
    out.append(('ref_copy', [os.path.join(b, 'ref_copy')], {}))
    # The collectors: W threads each (pyheap's workers, Boehm's markers), then one.
    out.append(('gc_pyheap', [gp, sizes, shapes, '--workers', w], {}))
    out.append(('gc_boehm', [gb, sizes, shapes], {'GC_MARKERS': w}))
    out.append(('cpython gc', [CPYTHON, os.path.join(HERE, 'cpython_workloads.py'), 'gc', sizes,
                               shapes], {}))
    out.append(('gc_pyheap 1 worker', [gp, sizes, shapes, '--workers', '1', '--subject',
                                       'pyheap, 1 worker'], {}))
    out.append(('gc_boehm 1 marker', [gb, sizes, shapes, '--subject', 'Boehm, 1 marker'],
                {'GC_MARKERS': '1'}))
    # The node with both opt-in traits (published slots, silent destructor) beside the default one.
    out.append(('gc_pyheap opt-in', [gp, sizes, shapes, '--workers', w, '--opt-in',
                                     '--subject', 'pyheap, ref_members (opt-in)'], {}))
    if big:
        out.append(('gc_pyheap big', [gp, str(big), shapes, '--workers', w, '--live-only'], {}))
        out.append(('gc_pyheap big 1 worker', [gp, str(big), shapes, '--workers', '1', '--live-only',
                                               '--subject', 'pyheap, 1 worker'], {}))
        out.append(('gc_boehm big', [gb, str(big), shapes, '--live-only'], {'GC_MARKERS': w}))
        out.append(('gc_boehm big 1 marker', [gb, str(big), shapes, '--live-only', '--subject',
                                              'Boehm, 1 marker'], {'GC_MARKERS': '1'}))
    out.append(('footprint', [os.path.join(b, 'footprint')], {}))
    # Traced against untraced make+drop, both timed within each run (tracing_overhead.cpp).
    out.append(('tracing_overhead', [os.path.join(b, 'tracing_overhead'), '--harness', '--runs', '3',
                                     '--ops', '1000000'], {}))
    # Polymorphic types against the same types without a vtable (object_model.cpp).
    out.append(('object_model', [os.path.join(b, 'object_model'), '--harness', '--runs', '3',
                                 '--ops', '1000000'], {}))
    out.append(('cpython footprint', [CPYTHON, os.path.join(HERE, 'cpython_workloads.py'),
                                      'footprint'], {}))
    # `pyheap advise --python` on 10^6 CPython objects (the pyheap program is built beside them).
    out.append(('advise cpython', [CPYTHON, os.path.join(HERE, 'advise_cpython.py'), '--pyheap',
                                   os.path.join(build, 'pyheap')], {}))
    # Object-model workloads (issue 13): binary-trees at two depths and the tree churn.
    for subject in ('pyheap', 'shared_ptr', 'boehm'):
        env = {'GC_MARKERS': '1'} if subject == 'boehm' else {}
        prog = os.path.join(b, 'trees_' + subject)
        out.append(('trees_%s binary 16' % subject, [prog, 'binary', '16'], env))
        out.append(('trees_%s binary %d' % (subject, DEEP_DEPTH), [prog, 'binary', str(DEEP_DEPTH)], env,
                    DEEP_ROUNDS))
        out.append(('trees_%s churn' % subject, [prog, 'churn'], env))
    py = [CPYTHON, os.path.join(HERE, 'cpython_workloads.py'), 'trees']
    out.append(('cpython trees binary 16', py + ['binary', '16'], {}))
    if cpython_deep:
        out.append(('cpython trees binary %d' % DEEP_DEPTH, py + ['binary', str(DEEP_DEPTH)], {}, 1))
    out.append(('cpython trees churn', py + ['churn'], {}))
    out += issue20.programs(b, sizes, shapes, DEEP_DEPTH, DEEP_ROUNDS)
    return out


def run_one(name, argv, env):
    e = dict(os.environ)
    e.update(env)
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)
    if p.returncode != 0:
        sys.stderr.write('%s failed (status %d):\n%s' % (name, p.returncode, p.stderr))
        sys.exit(1)
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]


def target_for(figure, peer):
    for pattern, tpeer, kind, bound in TARGETS:
        if re.search(pattern, figure) and tpeer == peer:
            return kind, bound
    return None


def fmt(v):
    if v == 0:
        return '0'
    if abs(v) >= 100:
        return '%.0f' % v
    if abs(v) >= 10:
        return '%.1f' % v
    if abs(v) >= 1:
        return '%.2f' % v
    return '%.3f' % v


def check_equal_work(samples):
    """The graph checksums (and collected counts, where known) must agree within a figure."""
    bad = []
    by_figure = {}
    for s in samples:
        if s.get('check'):
            by_figure.setdefault(s['figure'], []).append(s)
    for figure, rows in by_figure.items():
        parts = [r['check'].split('/') for r in rows]
        for k in range(max(len(p) for p in parts)):
            seen = {p[k] for p in parts if len(p) > k and p[k] != '-'}
            if len(seen) > 1:
                bad.append('%s: subjects disagree on %s' % (figure, sorted(seen)))
    return bad


def git_commit():
    try:
        return subprocess.run(['git', '-C', HERE, 'rev-parse', '--short', 'HEAD'],
                              stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ''


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--build', required=True, help='the build directory (PYHEAP_BUILD_BENCH=ON)')
    ap.add_argument('--repeat', type=int, default=7)
    ap.add_argument('--sizes', default='100000,1000000')
    ap.add_argument('--big-size', type=int, default=10000000,
                    help='live-heap pause at this size, W threads and one (0: skip)')
    ap.add_argument('--workers', type=int, default=os.cpu_count() or 1,
                    help="collector threads: pyheap's workers and Boehm's markers (default: cores)")
    ap.add_argument('--out', help='results file (default BUILD/bench-results.jsonl)')
    ap.add_argument('--cpython-deep', action='store_true',
                    help='also run CPython at binary-trees depth %d (about 4 minutes of CPU)' % DEEP_DEPTH)
    ap.add_argument('--no-callgrind', action='store_true',
                    help="skip the instruction counts (issue 20's trees and DOM churn under callgrind, ~3 min)")
    ap.add_argument('--only', help='run only the programs whose name matches this regular expression')
    args = ap.parse_args()

    started = time.time()
    run_id = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    commit = git_commit()
    progs = programs(args.build, args.sizes, args.big_size, args.workers, args.cpython_deep)
    if args.only:
        progs = [p for p in progs if re.search(args.only, p[0])]
    checker = os.path.join(args.build, 'bench', 'threads_check')
    machine = []  # what W threads got done compared with one, before and after the rounds
    if os.access(checker, os.X_OK):
        machine.append(run_one('threads_check', [checker, str(args.workers)], {})[0])
    samples = []
    for r in range(args.repeat):
        sys.stderr.write('round %d/%d\n' % (r + 1, args.repeat))
        for name, argv, env, *rounds in progs:
            if rounds and r >= rounds[0]:
                continue
            for s in run_one(name, argv, env):
                s.update(round=r, program=name, run=run_id, commit=commit)
                samples.append(s)
    if os.access(checker, os.X_OK):
        machine.append(run_one('threads_check', [checker, str(args.workers)], {})[0])
    if not args.no_callgrind:
        for s in issue20.instruction_counts(os.path.join(args.build, 'bench')):
            s.update(round=0, program='callgrind', run=run_id, commit=commit)
            samples.append(s)
    problems = check_equal_work(samples)

    figures = []
    values = {}
    meta = {}
    threads = {}
    for s in samples:
        key = (s['figure'], s['subject'])
        if s['figure'] not in figures:
            figures.append(s['figure'])
        values.setdefault(key, []).append(s['value'])
        meta[key] = s
        if s.get('threads'):
            threads.setdefault(key, set()).add(s['threads'])
    summary = {}
    for key, v in values.items():
        summary[key] = dict(median=statistics.median(v), min=min(v), max=max(v), n=len(v))

    rows = []
    results = []
    for figure in figures:
        subjects = [k[1] for k in summary if k[0] == figure]
        if 'pyheap' not in subjects:
            continue
        ph = summary[(figure, 'pyheap')]
        unit = meta[(figure, 'pyheap')]['unit']
        note = meta[(figure, 'pyheap')].get('note', '')
        own = target_for(figure, None)
        peers = [p for p in subjects if p != 'pyheap']
        def thread_count(subject):
            t = threads.get((figure, subject))
            return '/'.join(str(x) for x in sorted(t)) if t else '-'

        for peer in peers or [None]:
            line = dict(figure=figure, unit=unit, pyheap=ph, peer=peer,
                        threads=thread_count('pyheap') + ' / ' + (thread_count(peer) if peer else '-'))
            target, met = '', None
            if peer:
                pv = summary[(figure, peer)]
                line['peer_value'] = pv
                # A near-zero resident figure (all memory given back) makes a ratio meaningless.
                near_zero = pv['median'] == 0 or (unit == 'MiB' and abs(pv['median']) < 0.05)
                ratio = None if near_zero else ph['median'] / pv['median']
                line['ratio'] = ratio
                t = target_for(figure, peer)
                if t and ratio is not None:
                    kind, bound = t
                    target = ('< %g' if kind == 'smaller' else '<= %g') % bound
                    met = ratio < bound if kind == 'smaller' else ratio <= bound
            if own and (not peer or peer == peers[0]):
                target = '%s < %g %s' % ('pyheap', own[1], unit)
                met = ph['median'] < own[1]
            line.update(target=target, met=met, note=note)
            rows.append(line)
            results.append(dict(line, run=run_id, commit=commit))

    def spread(s):
        return '%s (%s..%s)' % (fmt(s['median']), fmt(s['min']), fmt(s['max']))

    header = ('figure', 'unit', 'pyheap median (min..max)', 'peer', 'peer median (min..max)',
              'pyheap/peer', 'threads', 'target', 'met')
    table = []
    for line in rows:
        pv = line.get('peer_value')
        ratio = line.get('ratio')
        table.append((line['figure'], line['unit'], spread(line['pyheap']), line['peer'] or '-',
                      spread(pv) if pv else '-', '%.3f' % ratio if ratio is not None else '-',
                      line['threads'], line['target'] or '-',
                      {True: 'yes', False: 'NO', None: '-'}[line['met']]))
    for when, m in zip(('before', 'after'), machine):
        print('machine check %s the rounds: %d threads did %.2fx the work of one in the same time '
              '(integer loop), %.2fx (streaming reads), %.2fx (prefetched random reads)' %
              (when, m['threads'], m['integer'], m['stream'], m['random']))
    widths = [max(len(str(r[i])) for r in table + [header]) for i in range(len(header))]
    print('pyheap benchmarks, %s, commit %s, %s, %d rounds, CPython from %s, collector threads %d '
          '(threads column: pyheap / peer)' %
          (run_id, commit or '?', platform.node(), args.repeat, CPYTHON, args.workers))
    print('| ' + ' | '.join(h.ljust(w) for h, w in zip(header, widths)) + ' |')
    print('|' + '|'.join('-' * (w + 2) for w in widths) + '|')
    for r in table:
        print('| ' + ' | '.join(str(c).ljust(w) for c, w in zip(r, widths)) + ' |')
    # What the programs said about their run (how the purge rule ran, how many collections...),
    # from the last round: pyheap's first, then the peers'.
    notes = {}
    for s in samples:
        if s.get('note'):
            notes[(s['figure'], s['subject'])] = s['note']
    if notes:
        print('notes (last round):')
        for (figure, subject), note in sorted(notes.items(), key=lambda kv: (kv[0][0], kv[0][1] != 'pyheap')):
            print('  %s, %s: %s' % (figure, subject, note))
    issue20.print_verdicts(summary, issue20.borrowed_available(os.path.join(args.build, 'bench')))
    elapsed = time.time() - started
    print('measured in %.0f s' % elapsed)

    out = args.out or os.path.join(args.build, 'bench-results.jsonl')
    with open(out, 'a') as f:
        for r in results:
            f.write(json.dumps(r) + '\n')
    with open(os.path.join(os.path.dirname(out), 'bench-samples.jsonl'), 'a') as f:
        for s in samples:
            f.write(json.dumps(s) + '\n')
        for when, m in zip(('before', 'after'), machine):
            f.write(json.dumps(dict(m, figure='machine check ' + when, run=run_id, commit=commit)) + '\n')
    print('results: %s (and bench-samples.jsonl beside it)' % out)
    for p in problems:
        print('UNEQUAL WORK: ' + p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
