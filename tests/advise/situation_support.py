"""What the situation files (cpython_situations.py, expert_situations.py) share: how a situation
says what advice it expects, and the two ways it is run.

A situation is a function decorated with @situation(kind, type, ...): it builds its objects in
`state` (as a program's globals would) and returns the function that applies the advised change
(or None, when it measures inside itself with here()). A situation file is run two ways:

  SITUATIONS_FILE --dump NAME      under `pyheap advise --python`: builds NAME; the dumper reads
                                   the heap when the script ends (or where it calls dump(), or at
                                   the line --at names);
  SITUATIONS_FILE --measure NAME   with python3 alone: builds NAME with tracemalloc on, measures,
                                   applies the change, measures again and prints the bytes freed
                                   as JSON.

Bytes are measured as the advisor prints them: tracemalloc.get_traced_memory()[0] after
gc.collect() (garbage situations: as they are, uncollected), the measure docs/design.md and the
advice's own "how to check" name.
"""
import gc
import json
import os
import sys
import tracemalloc


class Expect:
    """What the advice must say about a situation.

    kind, type: the finding (type None: any); rank: its place among the findings, 1 first (None:
    any; the dominators finding is always last); title, python: texts its title and its Python
    change must contain; holder: a text the first holder (dominators: the first object) must
    contain; at: a marker in the situation's source, the line --at names (the heap is read
    there); notes: texts the advice's notes must contain (with kind None: only the notes are
    checked); units: a text the advice's units must contain; own_holders: a text every holder
    of every finding must contain (none of the interpreter's); count: the finding's count."""

    def __init__(self, kind, type=None, rank=None, title=(), python=(), holder=None, at=None, notes=(),
                 units=None, own_holders=None, count=None):
        self.kind, self.type, self.rank = kind, type, rank
        self.title, self.python, self.holder = tuple(title), tuple(python), holder
        self.at, self.notes, self.units, self.own_holders, self.count = at, tuple(notes), units, own_holders, count


def situation(kind, type=None, **expected):
    def mark(fn):
        fn.expect = Expect(kind, type, **expected)
        return fn
    return mark


def traced():
    """The bytes tracemalloc counts, after a collection."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def traced_as_is():
    """The same, garbage included."""
    return tracemalloc.get_traced_memory()[0]


_measuring = False
_freed = None


def here(apply, *args):
    """At the line an --at situation names: under --measure, measure, apply(*args) and measure there."""
    global _freed
    if _measuring:
        before = traced()
        apply(*args)
        _freed = before - traced()


def run(situations, state, after_build=None):
    """The command line of a situation file. after_build(name), if given, runs after a --dump build."""
    global _measuring
    mode, name = sys.argv[1], sys.argv[2]
    fn = situations[name]
    if mode == "--dump":
        fn()
        if after_build:
            after_build(name)
        return
    tracemalloc.start(1)
    _measuring = True
    garbage = fn.expect.kind == "cyclic-garbage"
    measure = traced_as_is if garbage else traced
    # The type the advisor put first (for the workloads where following the advice needs it).
    state["first_type"] = os.environ.get("PYHEAP_ADVISE_FIRST_TYPE")
    apply = fn()
    if apply is None:
        freed = _freed
    else:
        before = measure()
        apply()
        freed = before - measure()
    json.dump({"situation": name, "freed": freed, "replaced": state.get("replaced")}, sys.stdout)
