#!/usr/bin/env python3
"""CPython counterpart of gc_time.cpp: builds the same graphs with real objects, times
gc.collect() on them, and prints a table beside pyheap's figures.

    python3 bench/gc_time.py --bench BUILD/bench/gc_time [--sizes 100000,1000000] [--repeat R]

Without --bench only the CPython column is printed.  The interpreter's own objects are frozen
(gc.freeze()) before each graph is built, so each collection examines the graph alone, as
pyheap's does on a fresh heap; automatic collection is off while building.  Each figure is the
best of R runs.  ratio = CPython time / pyheap time (above 1: pyheap is faster).
"""

import argparse
import gc
import subprocess
import sys
import time


class Node(object):
    __slots__ = ('a', 'b')

    def __init__(self):
        self.a = None
        self.b = None


def _timed_collect():
    t0 = time.perf_counter()
    n = gc.collect()
    return time.perf_counter() - t0, n


def _fresh():
    gc.collect()
    gc.freeze()
    gc.disable()


def run_pairs(n):
    _fresh()
    for _ in range(n // 2):
        a = Node()
        b = Node()
        a.a = b
        b.a = a
    a = b = None
    result = _timed_collect()
    gc.unfreeze()
    return result


def run_ring(n):
    _fresh()
    first = prev = Node()
    for _ in range(1, n):
        x = Node()
        prev.a = x
        prev = x
    prev.a = first
    first = prev = x = None
    result = _timed_collect()
    gc.unfreeze()
    return result


def run_tree(n):
    _fresh()
    nodes = [Node() for _ in range(n)]
    for i in range(n):
        if 2 * i + 1 < n:
            nodes[i].a = nodes[2 * i + 1]
        if 2 * i + 2 < n:
            nodes[i].b = nodes[2 * i + 2]
    root = nodes[0]
    # The list is not part of the graph (pyheap's builder holds its nodes in a std::vector):
    # drop it so the collector sees the tree alone, held by one variable.
    del nodes
    young = _timed_collect()
    old = _timed_collect()
    root = None
    gc.unfreeze()
    gc.collect()
    return young, old


def cpython_times(sizes, repeat):
    out = {}
    for n in sizes:
        best = {}
        for _ in range(repeat):
            for name, t in (('pairs', run_pairs(n)), ('ring', run_ring(n))):
                if name not in best or t[0] < best[name][0]:
                    best[name] = t
            young, old = run_tree(n)
            for name, t in (('tree', young), ('tree-old', old)):
                if name not in best or t[0] < best[name][0]:
                    best[name] = t
        for name, t in best.items():
            out[(name, n)] = t
    return out


def pyheap_times(bench, sizes, repeat):
    p = subprocess.run([bench, '--machine', '--sizes', ','.join(map(str, sizes)),
                        '--repeat', str(repeat)], check=True, stdout=subprocess.PIPE, text=True)
    out = {}
    for line in p.stdout.splitlines():
        name, n, secs, collected = line.split()
        out[(name, int(n))] = (float(secs), int(collected))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--bench', help='the gc_time program (pyheap side)')
    ap.add_argument('--sizes', default='100000,1000000')
    ap.add_argument('--repeat', type=int, default=3)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(',')]
    ph = pyheap_times(args.bench, sizes, args.repeat) if args.bench else {}
    cp = cpython_times(sizes, args.repeat)
    print('CPython %s; best of %d' % (sys.version.split()[0], args.repeat))
    print('%-9s %9s %10s %12s %12s %8s' % ('graph', 'objects', 'collected', 'pyheap ms',
                                          'CPython ms', 'ratio'))
    for n in sizes:
        for name in ('pairs', 'ring', 'tree', 'tree-old'):
            c_s, c_n = cp[(name, n)]
            if (name, n) in ph:
                p_s, p_n = ph[(name, n)]
                if p_n != c_n:
                    print('warning: %s %d: pyheap collected %d, CPython %d' % (name, n, p_n, c_n))
                print('%-9s %9d %10d %12.3f %12.3f %8.2f' % (name, n, c_n, p_s * 1e3, c_s * 1e3,
                                                            c_s / p_s if p_s else float('inf')))
            else:
                print('%-9s %9d %10d %12s %12.3f %8s' % (name, n, c_n, '-', c_s * 1e3, '-'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
