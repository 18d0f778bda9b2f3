#!/usr/bin/env python3
"""CPython's side of the benchmarks, with the same seeds and the same graphs as the C++ programs.

    cpython_workloads.py gc SIZE[,SIZE...] SHAPE[,SHAPE...]   (bench/gc_pyheap.cpp's phases)
    cpython_workloads.py rss                                  (alloc_workloads.cpp's rss mode)
    cpython_workloads.py footprint                            (bench/footprint.cpp's kinds)
    cpython_workloads.py trees binary DEPTH | trees churn     (bench/trees.hpp's workloads)

Prints one JSON object per line, as the C++ programs do. Graph nodes are instances of a class
with __slots__ = ('a', 'b'): one gc-tracked object per node, no __dict__. Before a graph is built
the interpreter's own objects are frozen (gc.freeze()), so a collection examines the graph and
nothing else, as pyheap's does on a fresh heap; automatic collection is off (gc.disable()).
"""

import gc
import json
import sys
import time
import tracemalloc

MASK = (1 << 64) - 1
NO_EDGE = None
GRAPH_SEED = 2024
YOUNG_SEED = 99
YOUNG = 1000
TIMED_COLLECTIONS = 3


class SplitMix64:
    """bench_util.hpp's SplitMix64, number for number."""

    __slots__ = ('state',)

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9e3779b97f4a7c15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & MASK
        z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n


def emit(figure, value, unit, check='', note='', threads=0):
    print(json.dumps({'figure': figure, 'subject': 'CPython', 'value': value, 'unit': unit,
                      'check': check, 'note': note, 'threads': threads}), flush=True)


def make_graph(shape, n):
    """graph.hpp's make_graph: the edge list (None = empty field) and its checksum."""
    edge = [None] * (2 * n)
    if shape == 'ring':
        for i in range(n):
            edge[2 * i] = (i + 1) % n
    else:
        rng = SplitMix64(GRAPH_SEED)
        for k in range(2 * n):
            edge[k] = rng.below(n)
    checksum = 0
    for k, e in enumerate(edge):
        if e is not None:
            checksum += (k + 1) * (e + 1)
    return edge, checksum & MASK


class Node:
    __slots__ = ('a', 'b')

    def __init__(self):
        self.a = None
        self.b = None


def gc_run(n, shape):
    edge, checksum = make_graph(shape, n)
    gc.collect()
    gc.freeze()
    gc.disable()
    nodes = [Node() for _ in range(n)]
    for i in range(n):
        x = nodes[i]
        e0, e1 = edge[2 * i], edge[2 * i + 1]
        if e0 is not None:
            x.a = nodes[e0]
        if e1 is not None:
            x.b = nodes[e1]
    del edge
    x = None
    gc.collect()
    for _ in range(TIMED_COLLECTIONS):
        t0 = time.perf_counter()
        found = gc.collect()
        t = time.perf_counter() - t0
        emit('gc full, live heap %d %s' % (n, shape), t * 1e9 / n, 'ns/object',
             '%d/%d' % (checksum, found), threads=1)
    if shape == 'ring':
        rng = SplitMix64(YOUNG_SEED)
        for _ in range(TIMED_COLLECTIONS):
            first = prev = Node()
            prev.b = nodes[rng.below(n)]
            for _ in range(1, YOUNG):
                y = Node()
                y.b = nodes[rng.below(n)]
                prev.a = y
                prev = y
            y = prev = None
            t0 = time.perf_counter()
            found = gc.collect(0)
            t = time.perf_counter() - t0
            emit('gc young 1000, %d old' % n, t * 1e3, 'ms', '-/%d' % found, threads=1)
            first = None
    nodes.append(nodes)
    del nodes
    t0 = time.perf_counter()
    found = gc.collect()
    t = time.perf_counter() - t0
    emit('gc cyclic garbage, collect+free %d %s' % (n, shape), t * 1e9 / n, 'ns/object',
         '%d/%d' % (checksum, found), threads=1)
    gc.unfreeze()
    gc.enable()


def rss_mib():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * 4096 / (1024 * 1024)


def rss():
    """1M objects of 48 bytes (a two-slot instance is 48 bytes with its gc header, as the
    allocator programs' blocks), a random 90% freed, then the rest; the same shuffle as
    alloc_workloads.cpp."""
    n = 1000000
    rng = SplitMix64(1234)
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng.below(i + 1)
        order[i], order[j] = order[j], order[i]
    objs = [None] * n
    gc.disable()
    start = rss_mib()
    for i in range(n):
        objs[i] = Node()
    full = rss_mib()
    ninety = n * 9 // 10
    for i in range(ninety):
        objs[order[i]] = None
    tenth = rss_mib()
    for i in range(ninety, n):
        objs[order[i]] = None
    empty = rss_mib()
    time.sleep(0.11)  # idle as long as alloc_workloads.cpp's peers: CPython frees its arenas at once
    idle = rss_mib()
    emit('rss 1M x 48 B allocated (above start)', full - start, 'MiB')
    emit('rss after freeing random 90% (above start)', tenth - start, 'MiB')
    emit('rss after freeing all (above start)', empty - start, 'MiB')
    emit('rss after freeing all, once idle (above start)', idle - start, 'MiB', note='idle 110 ms, nothing called')


class Node4:
    __slots__ = ('a', 'b', 'c', 'd')


class Record3:
    __slots__ = ('a', 'b', 'c')


def footprint():
    """tracemalloc's traced bytes (the sizes requested from the allocator, before pymalloc's
    16-byte rounding, so CPython's figures are if anything low) per object, over COUNT kept
    objects."""
    count = 10000
    ten = tuple(range(10))

    def node4():
        x = Node4()
        x.a, x.b, x.c, x.d = 0, 1, 2, 3
        return x

    def record3():
        x = Record3()
        x.a, x.b, x.c = 0, 1, 2
        return x

    def list10():
        return list(ten)

    def dict5():
        d = {}
        for k in range(5):
            d[k] = k
        return d

    gc.disable()
    for kind, make in (('node with 4 refs', node4), ('record of 3 fields', record3),
                       ('list of 10 items', list10), ('dict of 5 items', dict5)):
        keep = [None] * count
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for i in range(count):
            keep[i] = make()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        emit('footprint ' + kind, (after - before) / count, 'bytes/object',
             note='getsizeof=%d' % sys.getsizeof(keep[0]))


# bench/trees.hpp's constants and figure names.
MIN_DEPTH = 4
CHURN_DEPTH = 6
CHURN_TREES = 20000
VALUE_MODULUS = 1009


class TreeNode:
    __slots__ = ('left', 'right')

    def __init__(self, left, right):
        self.left = left
        self.right = right


def bottom_up(depth):
    if depth <= 0:
        return TreeNode(None, None)
    return TreeNode(bottom_up(depth - 1), bottom_up(depth - 1))


def check(n):
    return 1 + check(n.left) + check(n.right) if n.left is not None else 1


class ChurnNode:
    __slots__ = ('left', 'right', 'parent', 'value')


def build(parent, depth, tree, k):
    n = ChurnNode()
    n.value = (tree + k[0]) % VALUE_MODULUS
    k[0] += 1
    n.parent = parent
    if depth > 0:
        n.left = build(n, depth - 1, tree, k)
        n.right = build(n, depth - 1, tree, k)
    else:
        n.left = n.right = None
    return n


def walk(n):
    d = 0
    p = n.parent
    while p is not None:
        d += 1
        p = p.parent
    total = n.value * d
    if n.left is not None:
        total += walk(n.left) + walk(n.right)
    return total


def peak_rss_mib():
    """VmHWM, as bench/trees.hpp reads it (getrusage's ru_maxrss survives execve)."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return -1


def trees(mode, depth):
    """bench/trees.hpp: binary-trees or the tree churn, automatic collection on (the default
    thresholds); the longest collection from gc.callbacks' start to stop."""
    pauses = []
    started = [0.0]

    def on_gc(phase, info):
        if phase == 'start':
            started[0] = time.perf_counter()
        else:
            pauses.append(time.perf_counter() - started[0])

    gc.callbacks.append(on_gc)
    start = rss_mib()
    t0 = time.process_time()
    if mode == 'binary':
        figure = 'binary-trees depth %d' % depth
        depth = max(depth, MIN_DEPTH + 2)
        total = check(bottom_up(depth + 1))
        long_lived = bottom_up(depth)
        for d in range(MIN_DEPTH, depth + 1, 2):
            for _ in range(1 << (depth - d + MIN_DEPTH)):
                total += check(bottom_up(d))
        total += check(long_lived)
    else:
        figure = 'tree churn %d x %d nodes with parent links' % (CHURN_TREES, (1 << (CHURN_DEPTH + 1)) - 1)
        total = 0
        for tree in range(CHURN_TREES):
            root = build(None, CHURN_DEPTH, tree, [0])
            total += walk(root)
            root = None
    t = time.process_time() - t0
    gc.callbacks.remove(on_gc)
    check_field = '%d/-' % (total & MASK)
    emit(figure, t, 's (CPU)', check_field, note='automatic collections: %d' % len(pauses))
    emit(figure + ': peak RSS above start', peak_rss_mib() - start, 'MiB', check_field)
    emit(figure + ': longest automatic collection', max(pauses, default=0) * 1e3, 'ms', check_field)


def main(argv):
    if len(argv) >= 2 and argv[1] == 'gc' and len(argv) == 4:
        for size in argv[2].split(','):
            for shape in argv[3].split(','):
                gc_run(int(size), shape)
    elif argv[1:] == ['rss']:
        rss()
    elif argv[1:] == ['footprint']:
        footprint()
    elif argv[1:] == ['trees', 'churn']:
        trees('churn', 0)
    elif len(argv) == 4 and argv[1:3] == ['trees', 'binary']:
        sys.setrecursionlimit(10000)
        trees('binary', int(argv[3]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
