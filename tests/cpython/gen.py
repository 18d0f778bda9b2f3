#!/usr/bin/env python3
"""Seeded random heap-script generator.

    python3 gen.py --seed N [--size M]

Prints a valid heap script of about M statements (default 80).  Every statement is checked and
executed on a real heap (refinterp's interpreter, output discarded) while it is generated, so
the generator always knows which variables are bound and to what, including rebinds done by
resurrecting finalizers, and never emits an invalid line.

The mix aims at interesting garbage: cycles, rings, self-loops, weak references (with and
without callbacks) stored inside garbage, weak references to garbage held from outside (and the
reverse), resurrecting finalizers, `final` nodes, objects that survive into older generations
before becoming garbage, partial collections, frozen objects, weak references and referents
outside the examined generations that die while young garbage is cleared (the clearing order
decides whether a callback runs), and chains deeper than CPython's trashcan depth.  About 5% of
scripts end with an invalid statement, which both sides must reject at the same line.

It never emits `gc enable`: automatic collections happen when CPython's count of container
allocations crosses a threshold, and that count includes the interpreter's own objects, so their
moments cannot match pyheap's.  `gc disable` (a no-op then) appears now and then.

A seed names a script only for this version of the generator.
"""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refinterp  # noqa: E402
from refinterp import VARS, Node, WeakRef  # noqa: E402

MAX_NODES = 40          # nodes per script, outside deep chains
MAX_WEAKS = 24          # weak reference objects per script, outside deep chains
DEEP_MIN, DEEP_MAX = 45, 170  # a deep chain crosses the trashcan depth (50) once or more
TEMPS = ('t0', 't1', 't2', 't3', 't4')


def _discard(text):
    pass


class Generator(object):
    def __init__(self, seed, size):
        self.rng = random.Random(seed)
        self.size = size
        self.lines = []
        self.nodes = 0
        self.weaks = 0
        self.frozen = False
        self.deep_chains = 0

    # -- emission ------------------------------------------------------------------------------
    def emit(self, *toks):
        toks = list(toks)
        if refinterp.check(toks) is not None:
            return False
        refinterp.execute(toks)
        self.lines.append(' '.join(toks))
        return True

    # -- state ---------------------------------------------------------------------------------
    def node_vars(self):
        return sorted(k for k, v in VARS.items() if isinstance(v, Node))

    def weak_vars(self):
        return sorted(k for k, v in VARS.items() if isinstance(v, WeakRef))

    def bound_vars(self):
        return sorted(VARS)

    def pick(self, seq):
        return self.rng.choice(seq) if seq else None

    def field(self):
        # Low fields are used more often so that overwrites (releases) happen.
        return str(self.rng.choice((0, 0, 1, 1, 2, 3, 4, 5, 6, 7)))

    def new_node(self, kind=None):
        if self.nodes >= MAX_NODES:
            return None
        if kind is None:
            r = self.rng.random()
            kind = None if r < 0.5 else ('final' if r < 0.78 else 'resurrect')
        label = 'n%d' % self.nodes
        self.nodes += 1
        if kind is None:
            self.emit('new', label)
        else:
            self.emit('new', label, kind)
        return label

    def new_weak(self, target, callback=None):
        if self.weaks >= MAX_WEAKS or target is None:
            return None
        if callback is None:
            callback = self.rng.random() < 0.65
        label = 'w%d' % self.weaks
        if callback:
            ok = self.emit('weak', label, target, 'callback')
        else:
            ok = self.emit('weak', label, target)
        if ok:
            self.weaks += 1
            return label
        return None

    def collect(self):
        r = self.rng.random()
        if r < 0.3:
            self.emit('collect')
        else:
            self.emit('collect', self.rng.choice('0012'))

    # -- primitive random statements -----------------------------------------------------------
    def op_set(self):
        x = self.pick(self.node_vars())
        if x is None:
            return
        r = self.rng.random()
        if r < 0.2:
            value = 'none'
        elif r < 0.25:
            value = x  # self-loop
        else:
            value = self.pick(self.bound_vars())
        self.emit('set', '%s.%s' % (x, self.field()), value)

    def op_get(self):
        x = self.pick(self.node_vars())
        if x is not None:
            self.emit('get', self.pick(TEMPS), '%s.%s' % (x, self.field()))

    def op_let(self):
        y = self.pick(self.bound_vars())
        if y is not None:
            target = self.pick(TEMPS) if self.rng.random() < 0.7 else self.pick(self.bound_vars())
            self.emit('let', target, y)

    def op_del(self):
        x = self.pick(self.bound_vars())
        if x is not None:
            self.emit('del', x)

    def op_deref(self):
        w = self.pick(self.weak_vars())
        if w is not None:
            self.emit('deref', self.pick(TEMPS), w)

    def op_gc(self):
        r = self.rng.random()
        if r < 0.9 and self.frozen and self.rng.random() < 0.6:
            self.emit('gc', 'unfreeze')
            self.frozen = False
        elif r < 0.9:
            self.emit('gc', 'freeze')
            self.frozen = True
        else:
            self.emit('gc', 'disable')

    # -- macros: shapes that make interesting garbage ------------------------------------------
    def m_ring(self):
        """A ring (k == 1 is a self-loop), maybe with chords, weak refs inside and outside, then
        dropped entirely or partly, maybe after aging."""
        k = self.rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6))
        ring = []
        for _ in range(k):
            label = self.new_node()
            if label is None:
                break
            ring.append(label)
        if not ring:
            return
        f = self.field()
        for i, a in enumerate(ring):
            self.emit('set', '%s.%s' % (a, f), ring[(i + 1) % len(ring)])
        for _ in range(self.rng.randrange(3)):
            self.emit('set', '%s.%s' % (self.pick(ring), self.field()), self.pick(ring))
        held_weaks = []
        for _ in range(self.rng.randrange(3)):
            w = self.new_weak(self.pick(ring))
            if w is None:
                continue
            if self.rng.random() < 0.5:
                # Store the weak reference inside the ring: it becomes part of the garbage.
                self.emit('set', '%s.%s' % (self.pick(ring), self.field()), w)
                self.emit('del', w)
            else:
                held_weaks.append(w)
        if self.rng.random() < 0.3:
            # A weak reference inside the ring to something outside it.
            outside = self.pick([v for v in self.node_vars() if v not in ring])
            w = self.new_weak(outside)
            if w is not None:
                self.emit('set', '%s.%s' % (self.pick(ring), self.field()), w)
                self.emit('del', w)
        if self.rng.random() < 0.35:
            self.emit('collect', self.rng.choice('01'))  # age it while reachable
        if self.rng.random() < 0.25:
            # Break the ring instead: reference counting frees (some of) it.
            self.emit('set', '%s.%s' % (self.pick(ring), f), 'none')
        keep = self.pick(ring) if self.rng.random() < 0.25 else None
        for a in ring:
            if a != keep:
                self.emit('del', a)
        if self.rng.random() < 0.5:
            self.collect()
        if held_weaks and self.rng.random() < 0.5:
            self.emit('deref', self.pick(TEMPS), self.pick(held_weaks))

    def m_hang(self):
        """A short chain hanging off an existing node (or a fresh one), dropped later."""
        base = self.pick(self.node_vars())
        if base is None:
            return
        prev = base
        for _ in range(self.rng.randrange(1, 5)):
            label = self.new_node()
            if label is None:
                break
            self.emit('set', '%s.%s' % (prev, self.field()), label)
            if prev != base:
                self.emit('del', prev)
            prev = label
        if self.rng.random() < 0.5:
            self.emit('set', '%s.%s' % (prev, self.field()), base)  # close a cycle
        if prev != base:
            self.emit('del', prev)

    def m_resurrect(self):
        """A resurrecting node in garbage, with a weak reference watching it."""
        label = self.new_node('resurrect')
        if label is None:
            return
        other = self.new_node() if self.rng.random() < 0.5 else None
        if other is not None:
            self.emit('set', '%s.0' % label, other)
            self.emit('set', '%s.0' % other, label)
            self.emit('del', other)
        else:
            self.emit('set', '%s.0' % label, label)
        w = self.new_weak(label, True)
        self.emit('del', label)
        self.collect()
        if w is not None:
            self.emit('deref', self.pick(TEMPS), w)

    def m_weak_outside(self):
        """Weak reference held in a cycle, to a referent that dies first or later."""
        target = self.pick(self.node_vars())
        if target is None:
            return
        a = self.new_node()
        if a is None:
            return
        self.emit('set', '%s.0' % a, a)
        w = self.new_weak(target, True)
        if w is not None:
            self.emit('set', '%s.1' % a, w)
            self.emit('del', w)
        if self.rng.random() < 0.5:
            self.emit('del', target)
        self.emit('del', a)

    def m_age(self):
        """Survive a few young collections, then become garbage in an old generation."""
        a = self.new_node()
        b = self.new_node()
        if a is None or b is None:
            return
        self.emit('set', '%s.0' % a, b)
        self.emit('set', '%s.0' % b, a)
        self.emit('collect', '0')
        if self.rng.random() < 0.6:
            self.emit('collect', '1')
        self.emit('del', a)
        self.emit('del', b)
        for _ in range(self.rng.randrange(1, 3)):
            self.emit('collect', self.rng.choice('012'))

    def m_outside(self):
        """A weak reference and its referent, both outside the generations a collection examines
        (older, or frozen), held only by young garbage: they die while the garbage is cleared, and
        the callback runs only if the referent dies first, which depends on the order in which the
        collector clears the garbage."""
        x = self.new_node()
        if x is None:
            return
        weaks = []
        for _ in range(self.rng.randrange(1, 3)):
            w = self.new_weak(x, self.rng.random() < 0.8)
            if w is not None:
                weaks.append(w)
        r = self.rng.random()
        if r < 0.35:
            self.emit('gc', 'freeze')
            self.frozen = True
        elif r < 0.8:
            self.emit('collect', self.rng.choice('0011'))
        ring = []
        for _ in range(self.rng.choice((1, 2, 2, 3, 4))):
            label = self.new_node()
            if label is not None:
                ring.append(label)
        if not ring:
            return
        for i, a in enumerate(ring):
            self.emit('set', '%s.%s' % (a, self.field()), ring[(i + 1) % len(ring)])
        for v in [x] + weaks:
            self.emit('set', '%s.%s' % (self.pick(ring), self.field()), v)
        if self.rng.random() < 0.3:
            self.emit('collect', '0')  # the ring ages too, sometimes
        for v in [x] + weaks + ring:
            if self.rng.random() < 0.9:
                self.emit('del', v)
        self.emit('collect', self.rng.choice('00012'))
        if self.frozen and self.rng.random() < 0.4:
            self.emit('gc', 'unfreeze')
            self.frozen = False
            self.collect()

    def m_deep(self):
        """A chain deeper than CPython's trashcan depth, each link watched by a weak reference
        stored next to it (before or after the link, so that it dies before or after its
        referent), dropped at once by reference counting or as a ring by the collector."""
        if self.deep_chains >= 2:
            return
        self.deep_chains += 1
        n = self.rng.randrange(DEEP_MIN, DEEP_MAX)
        tag = 'd%d_' % self.deep_chains
        link = self.rng.choice('0123')
        chain = []
        for i in range(n):
            r = self.rng.random()
            label = '%s%d' % (tag, i)
            if r < 0.08:
                self.emit('new', label, 'final')
            elif r < 0.1:
                self.emit('new', label, 'resurrect')
            else:
                self.emit('new', label)
            chain.append(label)
            if i:
                self.emit('set', '%s.%s' % (chain[i - 1], link), label)
                if self.rng.random() < 0.6:
                    w = '%sw%d' % (tag, i)
                    if self.rng.random() < 0.85:
                        self.emit('weak', w, label, 'callback')
                    else:
                        self.emit('weak', w, label)
                    # Mostly after the link: then the callback shows whether the link was freed
                    # at once or deferred by the trashcan.
                    after = '4567' if link == '3' else '34567'
                    field = self.rng.choice(after if self.rng.random() < 0.8 else '01234567')
                    self.emit('set', '%s.%s' % (chain[i - 1], field), w)
                    self.emit('del', w)
                if 0 < i - 1:
                    self.emit('del', chain[i - 1])
        ring = self.rng.random() < 0.4
        if ring:
            self.emit('set', '%s.%s' % (chain[-1], link), chain[0])
        if self.rng.random() < 0.3:
            self.emit('collect', self.rng.choice('01'))
        if n > 1:
            self.emit('del', chain[-1])
        self.emit('del', chain[0])
        if ring or self.rng.random() < 0.3:
            self.collect()

    def bad_statement(self):
        """One statement both sides must reject at the same line."""
        nodes, weaks = self.node_vars(), self.weak_vars()
        choices = ['frob', 'let t0', 'collect 3', 'gc enabled', 'new none', 'get t0 x.8',
                   'del never_bound', 'set never_bound.0 none', 'new n0', 'live now',
                   'weak', 'deref t0 never_bound', 'new 9lives', 'set %s none' % ('x' * 65)]
        if nodes:
            n = self.pick(nodes)
            choices += ['deref t0 %s' % n, 'weak %s %s' % (n, n), 'set %s.1 nothing_here' % n,
                        'new %s final' % n, 'new fresh_label maybe', 'set %s.-1 none' % n]
        if weaks:
            w = self.pick(weaks)
            choices += ['weak ww %s' % w, 'set %s.0 none' % w, 'get t0 %s.0' % w,
                        'weak ww %s callback' % w]
        return self.pick(choices)

    def step(self):
        r = self.rng.random()
        if r < 0.10:
            self.new_node()
        elif r < 0.22:
            self.op_set()
        elif r < 0.27:
            self.op_get()
        elif r < 0.31:
            self.op_let()
        elif r < 0.42:
            self.op_del()
        elif r < 0.47:
            self.new_weak(self.pick(self.node_vars()))
        elif r < 0.51:
            self.op_deref()
        elif r < 0.60:
            self.collect()
        elif r < 0.635:
            self.op_gc()
        elif r < 0.66:
            self.emit('live')
        elif r < 0.78:
            self.m_ring()
        elif r < 0.82:
            self.m_hang()
        elif r < 0.86:
            self.m_resurrect()
        elif r < 0.89:
            self.m_weak_outside()
        elif r < 0.92:
            self.m_age()
        elif r < 0.985:
            self.m_outside()
        else:
            self.m_deep()

    def run(self):
        guard = 0
        while len(self.lines) < self.size and guard < self.size * 20:
            self.step()
            guard += 1
        if self.rng.random() < 0.7:
            self.emit('live')
            self.emit('collect')
            self.emit('live')
        if self.rng.random() < 0.05:
            # Not run here: the script stops at it.
            self.lines.append(self.bad_statement())
            self.lines.append('live')
        return self.lines


def generate(seed, size=80):
    """The script for a seed, as text.  Runs the script on this process's heap as it goes, so
    call it once per process (a fresh or freshly forked one)."""
    refinterp.OUT[0] = _discard
    refinterp.start()
    lines = Generator(seed, size).run()
    return '# gen.py --seed %d --size %d\n' % (seed, size) + '\n'.join(lines) + '\n'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--size', type=int, default=80)
    args = ap.parse_args()
    sys.stdout.write(generate(args.seed, args.size))
    sys.stdout.flush()
    os._exit(0)


if __name__ == '__main__':
    main()
