#!/usr/bin/env python3
"""Reference interpreter for heap scripts, on real CPython objects.

    python3 refinterp.py [--echo] FILE

Prints exactly what /work/shared/specs/heap-script.md says `pyheap run` prints, so the two can
be compared (see compare.py).  The design keeps CPython's cycle-collector counts equal to the
script's own objects:

* a node is ONE gc-tracked object: an instance of a class with __slots__ (8 fields, label,
  __weakref__, tracker) and no __dict__;
* a weak reference object is ONE gc-tracked object: an instance of a weakref.ref subclass with
  __slots__ = ('label',) (subclass instances are never shared between calls);
* the weakref callback is a single module-level function, so no function object is ever part
  of garbage;
* after start-up everything the interpreter owns is frozen into the permanent generation, and
  automatic collection is disabled, so collections only ever see the script's objects.

The module can also be imported (gen.py does so) to drive an interpreter statement by statement.
"""

import gc
import os
import re
import sys
import weakref

KEYWORDS = ('none', 'final', 'resurrect', 'callback')
FIELD_NAMES = ('f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7')
NAME_RE = re.compile(r'[A-Za-z_][A-Za-z0-9_]{0,63}\Z')
FIELD_RE = re.compile(r'([A-Za-z_][A-Za-z0-9_]{0,63})\.([0-7])\Z')
SPLIT_RE = re.compile(r'[ \t]+')
GC_ARGS = ('disable', 'enable', 'freeze', 'unfreeze')

# Interpreter state. Module-level so that finalizers and callbacks (which must not be closures)
# can reach it.  VARS: variable name -> object.  LABELS: every label ever used (nodes and weak
# references share one namespace).  TRACKERS: node label -> its tracker (a bytearray, not
# gc-tracked) which the node also holds in a slot while it is alive.
VARS = {}
LABELS = set()
TRACKERS = {}


def _write(text):
    sys.stdout.write(text)


# The sink all events go to; gen.py replaces it with a no-op while it simulates.
OUT = [_write]


class Node(object):
    __slots__ = FIELD_NAMES + ('label', '__weakref__', 'tracker')

    def __init__(self, label, tracker):
        self.f0 = self.f1 = self.f2 = self.f3 = None
        self.f4 = self.f5 = self.f6 = self.f7 = None
        self.label = label
        self.tracker = tracker


class FinalNode(Node):
    __slots__ = ()

    def __del__(self):
        OUT[0]('final ' + self.label + '\n')


class ResurrectNode(Node):
    __slots__ = ()

    def __del__(self):
        OUT[0]('final ' + self.label + '\n')
        VARS[self.label] = self


def _callback(wr):
    OUT[0]('callback ' + wr.label + '\n')


class WeakRef(weakref.ref):
    __slots__ = ('label',)


NODE_CLASSES = {None: Node, 'final': FinalNode, 'resurrect': ResurrectNode}


def _tracker_refs(label):
    return sys.getrefcount(TRACKERS[label])


def _calibrate():
    # Reference count of a tracker held only by the registry, measured with the same expression
    # live uses.  A node that is alive adds exactly one reference (its tracker slot).
    TRACKERS['\0calibration'] = bytearray()
    base = _tracker_refs('\0calibration')
    del TRACKERS['\0calibration']
    return base


TRACKER_BASE = _calibrate()


def live_labels():
    return sorted(label for label in TRACKERS if _tracker_refs(label) > TRACKER_BASE)


def _is_name(tok):
    return NAME_RE.match(tok) is not None and tok not in KEYWORDS


def _field(tok):
    """(var, index) for VAR.K, or None."""
    m = FIELD_RE.match(tok)
    if m is None or m.group(1) in KEYWORDS:
        return None
    return m.group(1), int(m.group(2))


def tokenize(line):
    """Tokens of one source line (comment dropped)."""
    hash_at = line.find('#')
    if hash_at >= 0:
        line = line[:hash_at]
    return [t for t in SPLIT_RE.split(line.strip(' \t\r')) if t]


def _need_name(tok, what):
    if not _is_name(tok):
        return 'bad %s %r (want a NAME that is not a keyword, at most 64 characters)' % (what, tok)
    return None


def _need_bound(name):
    if name not in VARS:
        return 'variable %r is unbound' % name
    return None


def _need_node(name):
    err = _need_bound(name)
    if err is None and not isinstance(VARS[name], Node):
        err = 'variable %r is not bound to a node' % name
    return err


def check(toks):
    """None if the statement can run now, otherwise what is wrong with it."""
    op = toks[0]
    n = len(toks)
    if op == 'new':
        if n not in (2, 3):
            return 'new takes NAME [final|resurrect]'
        err = _need_name(toks[1], 'NAME')
        if err:
            return err
        if n == 3 and toks[2] not in ('final', 'resurrect'):
            return 'new: expected final or resurrect, got %r' % toks[2]
        if toks[1] in LABELS:
            return 'label %r is already used' % toks[1]
        return None
    if op == 'let':
        if n != 3:
            return 'let takes VAR OTHER'
        return _need_name(toks[1], 'variable') or _need_name(toks[2], 'variable') \
            or _need_bound(toks[2])
    if op == 'set':
        if n != 3:
            return 'set takes VAR.K VALUE'
        f = _field(toks[1])
        if f is None:
            return 'bad field %r (want VAR.K with K in 0..7)' % toks[1]
        if toks[2] != 'none':
            err = _need_name(toks[2], 'value')
            if err:
                return err
        err = _need_node(f[0])
        if err:
            return err
        if toks[2] != 'none':
            return _need_bound(toks[2])
        return None
    if op == 'get':
        if n != 3:
            return 'get takes VAR OTHER.K'
        err = _need_name(toks[1], 'variable')
        if err:
            return err
        f = _field(toks[2])
        if f is None:
            return 'bad field %r (want VAR.K with K in 0..7)' % toks[2]
        return _need_node(f[0])
    if op == 'del':
        if n != 2:
            return 'del takes VAR'
        return _need_name(toks[1], 'variable') or _need_bound(toks[1])
    if op == 'weak':
        if n not in (3, 4):
            return 'weak takes NAME VAR [callback]'
        err = _need_name(toks[1], 'NAME') or _need_name(toks[2], 'variable')
        if err:
            return err
        if n == 4 and toks[3] != 'callback':
            return 'weak: expected callback, got %r' % toks[3]
        if toks[1] in LABELS:
            return 'label %r is already used' % toks[1]
        err = _need_bound(toks[2])
        if err:
            return err
        if isinstance(VARS[toks[2]], WeakRef):
            return 'cannot create a weak reference to weak reference object %r' % toks[2]
        return None
    if op == 'deref':
        if n != 3:
            return 'deref takes VAR WEAK'
        err = _need_name(toks[1], 'variable') or _need_name(toks[2], 'variable') \
            or _need_bound(toks[2])
        if err:
            return err
        if not isinstance(VARS[toks[2]], WeakRef):
            return 'variable %r is not bound to a weak reference' % toks[2]
        return None
    if op == 'collect':
        if n not in (1, 2):
            return 'collect takes [GEN]'
        if n == 2 and toks[1] not in ('0', '1', '2'):
            return 'bad generation %r (want 0, 1 or 2)' % toks[1]
        return None
    if op == 'gc':
        if n != 2 or toks[1] not in GC_ARGS:
            return 'gc takes one of ' + ', '.join(GC_ARGS)
        return None
    if op == 'live':
        if n != 1:
            return 'live takes no arguments'
        return None
    return 'unknown statement %r' % op


def execute(toks):
    """Run a statement that check() accepted."""
    op = toks[0]
    if op == 'new':
        label = toks[1]
        LABELS.add(label)
        tracker = bytearray()
        TRACKERS[label] = tracker
        cls = NODE_CLASSES[toks[2] if len(toks) == 3 else None]
        VARS[label] = cls(label, tracker)
    elif op == 'let':
        VARS[toks[1]] = VARS[toks[2]]
    elif op == 'set':
        var, k = _field(toks[1])
        setattr(VARS[var], FIELD_NAMES[k], None if toks[2] == 'none' else VARS[toks[2]])
    elif op == 'get':
        var, k = _field(toks[2])
        value = getattr(VARS[var], FIELD_NAMES[k])
        if value is None:
            VARS.pop(toks[1], None)
        else:
            VARS[toks[1]] = value
    elif op == 'del':
        del VARS[toks[1]]
    elif op == 'weak':
        label = toks[1]
        LABELS.add(label)
        if len(toks) == 4:
            wr = WeakRef(VARS[toks[2]], _callback)
        else:
            wr = WeakRef(VARS[toks[2]])
        wr.label = label
        VARS[label] = wr
    elif op == 'deref':
        referent = VARS[toks[2]]()
        if referent is None:
            VARS.pop(toks[1], None)
        else:
            VARS[toks[1]] = referent
    elif op == 'collect':
        n = gc.collect(int(toks[1])) if len(toks) == 2 else gc.collect()
        OUT[0]('collected %d\n' % n)
    elif op == 'gc':
        getattr(gc, toks[1])()
    elif op == 'live':
        OUT[0](' '.join(['live'] + live_labels()) + '\n')


def start():
    """Freeze the interpreter's own objects and turn automatic collection off. Call once, after
    every import and before the first statement."""
    gc.collect()
    gc.freeze()
    gc.disable()


def _finish(status):
    # Leave without tearing the heap down through the interpreter: events belong to statements,
    # and interpreter shutdown would run finalizers and callbacks.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def main(argv):
    args = argv[1:]
    echo = False
    if args and args[0] == '--echo':
        echo = True
        args = args[1:]
    if len(args) != 1:
        sys.stderr.write('usage: refinterp.py [--echo] FILE\n')
        _finish(2)
    path = args[0]
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError:
        sys.stderr.write('%s: error: cannot read the file\n' % path)
        _finish(2)
    lines = data.decode('latin-1').split('\n')
    start()
    lineno = 0
    for line in lines:
        lineno += 1
        toks = tokenize(line)
        if not toks:
            continue
        err = check(toks)
        if err is not None:
            sys.stdout.flush()
            sys.stderr.write('%s:%d: error: %s\n' % (path, lineno, err))
            _finish(2)
        if echo:
            OUT[0]('> ' + ' '.join(toks) + '\n')
        execute(toks)
        toks = None
    _finish(0)


if __name__ == '__main__':
    main(sys.argv)
