#!/usr/bin/env python3
"""Instruction and cache-miss counts of the allocator calls alone, per operation, under callgrind.

    bench/callgrind_alloc.py BINARY [BINARY...] [--workloads mixed,burst,fifo] [--ll 1048576,8,64]

Each BINARY is one of the alloc_X programs (bench/alloc_workloads.cpp). Every workload runs in
its own `valgrind --tool=callgrind --cache-sim=yes` process with collection switched on only
inside the allocator's entry points (pyheap: SmallObjectAllocator::allocate/deallocate; a peer:
malloc/free), so the figures leave out the benchmark's own loop and its write to each block. The
counts are divided by the number of alloc+free pairs the workload makes (mixed: 4M steps plus the
100,000 blocks of the window, burst: 3M, fifo: 4M). The machine's timings are noisy (it is
shared); these counts are not, which is why before/after comparisons of the allocator use them.
Callgrind's cache model is L1 plus one last level (its LL, by default the machine's L3); the L2
is not modelled. --ll SIZE,ASSOC,LINE sets that last level: --ll 1048576,8,64 makes it this
machine's 1 MiB L2, so that the LL column counts L2 misses instead.
"""

import argparse
import os
import subprocess
import sys
import tempfile

PAIRS = {'mixed': 4_100_000, 'burst': 3_000_000, 'fifo': 4_000_000}
# --toggle-collect patterns. A peer's malloc may call other functions (they are counted, as the
# collection stays on until the entry point returns); a pattern must not match both a function
# and one it calls, or the nested match would switch collection off.
ENTRY = {
    'pyheap': ['*SmallObjectAllocator::allocate*', '*SmallObjectAllocator::deallocate*'],
    'peer': ['malloc', 'free'],
}


def events(path):
    names, totals = None, None
    with open(path) as f:
        for line in f:
            if line.startswith('events:'):
                names = line.split()[1:]
            elif line.startswith('totals:') or line.startswith('summary:'):
                totals = [int(x) for x in line.split()[1:]]
    return dict(zip(names, totals))


def measure(binary, workload, ll=None):
    kind = 'pyheap' if os.path.basename(binary).endswith('pyheap') else 'peer'
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'cg.out')
        argv = ['valgrind', '--tool=callgrind', '--cache-sim=yes', '--callgrind-out-file=' + out]
        if ll:
            argv.append('--LL=' + ll)
        argv += ['--toggle-collect=' + p for p in ENTRY[kind]]
        argv += [binary, 'speed', workload]
        p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            sys.exit('%s failed:\n%s' % (' '.join(argv), p.stderr))
        e = events(out)
    n = PAIRS[workload]
    return dict(Ir=e['Ir'] / n,
                D1miss=(e['D1mr'] + e['D1mw']) / n,
                LLmiss=(e['DLmr'] + e['DLmw']) / n,
                Dr=e['Dr'] / n, Dw=e['Dw'] / n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('binaries', nargs='+')
    ap.add_argument('--workloads', default='mixed,burst,fifo')
    ap.add_argument('--ll', help='the simulated last level: SIZE,ASSOC,LINE (default: the machine\'s)')
    args = ap.parse_args()
    print('| workload | program | instructions | data reads | data writes | D1 misses | LL misses |')
    print('|---|---|---|---|---|---|---|')
    for w in args.workloads.split(','):
        for b in args.binaries:
            m = measure(b, w, args.ll)
            print('| %s | %s | %.1f | %.1f | %.1f | %.2f | %.3f |' % (
                w, b, m['Ir'], m['Dr'], m['Dw'], m['D1miss'], m['LLmiss']), flush=True)
    print('(per alloc+free pair, inside the allocator calls only)')


if __name__ == '__main__':
    main()
