#!/usr/bin/env python3
"""The CPython half of `pyheap tour`: builds the same data as the C++ side, with the same values,
and prints the bytes each representation costs as one flat JSON object on stdout.

Bytes are measured with tracemalloc, which sees every allocation made through CPython's
allocators (objects, their GC headers, list item arrays, dict keys and values, array buffers).
It records the size each caller asked for; pymalloc hands out blocks rounded up to 16 bytes
(ALIGNMENT on 64-bit builds) for requests up to 512 bytes, and pyheap counts its own blocks the
same way, so each traced allocation is rounded like that here. Larger requests go to malloc and
are counted as requested on both sides.

A measurement is the difference of two such sums, each taken after gc.collect(), with the data
alive in between. Only the figures are printed; the C++ side does the talking.
"""
import argparse
import array
import collections
import gc
import operator
import json
import sys
import time
import tracemalloc

PYMALLOC_MAX = 512   # SMALL_REQUEST_THRESHOLD in Objects/obmalloc.c
ALIGNMENT = 16       # ALIGNMENT there, on 64-bit builds


def block_size(requested):
    if requested > PYMALLOC_MAX:
        return requested
    return max(1, requested + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT


def traced_blocks():
    """Blocks currently allocated through CPython's allocators, in pymalloc's block sizes."""
    snapshot = tracemalloc.take_snapshot()
    # A million traces: count the sizes in C (Counter over the raw (domain, size, ...) tuples
    # when this tracemalloc has them), then round each distinct size once.
    raw = getattr(snapshot.traces, "_traces", None)
    sizes = collections.Counter(map(operator.itemgetter(1), raw) if raw is not None
                                else (t.size for t in snapshot.traces))
    # The snapshot's own objects are freed here, before the caller allocates anything else.
    del snapshot, raw
    return sum(block_size(size) * count for size, count in sizes.items())


def bytes_held():
    """traced_blocks() after collecting garbage."""
    gc.collect()
    return traced_blocks()


def measure(build):
    """(bytes the value returned by build() holds, the value)."""
    before = bytes_held()
    value = build()
    return bytes_held() - before, value


class User:
    """A plain class: each instance has a __dict__ (key-sharing in 3.11, PEP 412)."""

    def __init__(self, id, name, score):
        self.id = id
        self.name = name
        self.score = score


class SlottedUser:
    """The same fields declared in __slots__: no __dict__, values inline in the object."""
    __slots__ = ("id", "name", "score")

    def __init__(self, id, name, score):
        self.id = id
        self.name = name
        self.score = score


class Node:
    __slots__ = ("next", "payload")


# The values both sides use. ids start at one million so that none is one of the small ints both
# runtimes cache (-5..256): every id is an object of its own, as for most real ids.
def user_id(i):
    return 1_000_000 + i


def user_name(i):
    return "user-" + str(i)


def user_score(i):
    return i * 0.25


def lesson_records(n):
    out = {}
    out["records.dict_instances"], _ = measure(
        lambda: [User(user_id(i), user_name(i), user_score(i)) for i in range(n)])
    out["records.slots"], _ = measure(
        lambda: [SlottedUser(user_id(i), user_name(i), user_score(i)) for i in range(n)])

    def columns():
        # pyheap's Table is one object holding one column per field: numbers unboxed in arrays,
        # objects in a list. The CPython counterpart: a dict of column name -> array('q') /
        # list of str / array('d'), appended to row by row as Table.append_row does.
        table = {"id": array.array("q"), "name": [], "score": array.array("d")}
        for i in range(n):
            table["id"].append(user_id(i))
            table["name"].append(user_name(i))
            table["score"].append(user_score(i))
        return table
    out["records.columns"], _ = measure(columns)
    return out


def lesson_floats(n):
    def boxed():
        values = []
        for i in range(n):
            values.append(i * 0.5)
        return values

    def unboxed():
        values = array.array("d")
        for i in range(n):
            values.append(i * 0.5)
        return values
    return {"floats.list": measure(boxed)[0], "floats.array": measure(unboxed)[0]}


def lesson_strings(n, distinct):
    # Built at run time ("city-" + str(k)), so that no two are the same object by constant
    # folding or the compiler's interning of literals.
    return {
        "strings.plain": measure(lambda: ["city-" + str(i % distinct) for i in range(n)])[0],
        "strings.interned": measure(lambda: [sys.intern("city-" + str(i % distinct)) for i in range(n)])[0],
    }


def lesson_cycles(n):
    """A chain of n nodes freed by reference counting the moment its head is dropped, then the
    same chain closed into a ring, which keeps its memory until the collector runs."""
    out = {}
    gc.disable()  # only the explicit collect below may run (bytes_held's own collects aside)

    def build_chain():
        head = first = None
        for i in range(n):
            node = Node()
            node.payload = i * 0.5
            node.next = head
            head = node
            if first is None:
                first = node
        return head, first

    base = bytes_held()
    head, first = build_chain()
    first = None
    out["cycle.chain_built"] = bytes_held() - base
    head = None
    out["cycle.chain_after_del"] = bytes_held() - base

    # For the ring, bytes are measured without gc.collect() until the collection itself.
    base = bytes_held()
    head, first = build_chain()
    first.next = head  # close the ring: now every node is referenced by another
    first = None
    out["cycle.ring_built"] = traced_blocks() - base
    head = None
    out["cycle.ring_after_del"] = traced_blocks() - base
    out["cycle.gen0_count_before"] = gc.get_count()[0]
    start = time.perf_counter()
    out["cycle.collected"] = gc.collect()
    out["cycle.collect_seconds"] = time.perf_counter() - start
    out["cycle.ring_after_collect"] = traced_blocks() - base
    out["cycle.gen2_collections"] = gc.get_stats()[2]["collections"]
    gc.enable()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--floats", type=int, default=1_000_000)
    parser.add_argument("--strings", type=int, default=100_000)
    parser.add_argument("--distinct", type=int, default=100)
    parser.add_argument("--nodes", type=int, default=100_000)
    args = parser.parse_args()

    tracemalloc.start(1)
    out = {"python.version": sys.version.split()[0], "python.implementation": sys.implementation.name}
    out.update(lesson_records(args.records))
    out.update(lesson_floats(args.floats))
    out.update(lesson_strings(args.strings, args.distinct))
    out.update(lesson_cycles(args.nodes))
    tracemalloc.stop()
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
