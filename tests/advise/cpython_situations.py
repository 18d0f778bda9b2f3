#!/usr/bin/env python3
"""Situations for `pyheap advise --python`, each with the change its finding advises.

Run as `pyheap advise --python --json cpython_situations.py --dump NAME`: the script builds
situation NAME and the dumper reads its heap; `python3 cpython_situations.py --measure NAME`
builds the same situation with tracemalloc on, applies the advised change and prints the bytes it
freed (situation_support.py, which says how situations are written and measured).
check_cpython_advice.py compares that with the advisor's estimate.

The three `stdlib_*` situations are workloads written by nobody here: ast.parse of a large
standard-library file, csv.DictReader rows kept in a list, json.loads of an array of records;
their finding must come first. expert_situations.py has the programs of issue 22.
"""
import array
import ast
import csv
import gc
import io
import json
import os
import sys
import tempfile
import weakref

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from situation_support import run, situation  # noqa: E402

N = 20_000
state = {}   # what each situation keeps alive, as a program's globals would


# --- 1. per-object attribute tables sharing one key set ------------------------------------
class Item:
    def __init__(self, i):
        self.id = 1_000_000 + i
        self.name = "item-" + str(i)
        self.price = i * 0.5
        self.stock = i


class SlottedItem:
    __slots__ = ("id", "name", "price", "stock")

    def __init__(self, item):
        self.id, self.name, self.price, self.stock = item.id, item.name, item.price, item.stock


@situation("fixed-layout", "Item")
def fixed_layout():
    state["items"] = [Item(i) for i in range(N)]

    def apply():
        items = state["items"]
        items[:] = [SlottedItem(x) for x in items]
    return apply


# --- 2. many records of one shape ------------------------------------------------------------
@situation("columns", "dict")
def columns():
    state["rows"] = [{"id": 1_000_000 + i, "name": "n" + str(i), "score": i * 0.25} for i in range(N)]

    def apply():
        rows = state.pop("rows")
        state["columns"] = {"id": array.array("q", [r["id"] for r in rows]),
                            "name": [r["name"] for r in rows],
                            "score": array.array("d", [r["score"] for r in rows])}
    return apply


# --- 3. lists of boxed numbers ---------------------------------------------------------------
@situation("typed-array", "float")
def typed_array_floats():
    state["series"] = [[i + j * 0.5 for j in range(500)] for i in range(100)]

    def apply():
        series = state["series"]
        series[:] = [array.array("d", s) for s in series]
    return apply


@situation("typed-array", "int")
def typed_array_ints():
    state["ids"] = [1_000_000 + i for i in range(50_000)]

    def apply():
        state["ids"] = array.array("i", state["ids"])  # 1,000,000 + i fits 32 bits: the advice names "i"
    return apply


# --- 4. equal strings, equal tuples ----------------------------------------------------------
@situation("intern-strings", "str")
def intern_strings():
    # Built at run time, so that no two are the same object by the compiler's constants.
    state["cities"] = ["city-" + str(i % 100) for i in range(50_000)]

    def apply():
        cities = state["cities"]
        cities[:] = [sys.intern(c) for c in cities]
    return apply


@situation("share-tuples", "tuple")
def share_tuples():
    state["points"] = [(1000 + i % 50, 2000 + (i // 50) % 40) for i in range(N)]

    def apply():
        shared = {}
        points = state["points"]
        points[:] = [shared.setdefault(p, p) for p in points]
    return apply


# --- 5. spare capacity -----------------------------------------------------------------------
@situation("spare-capacity", "list")
def spare_lists():
    buffers = []
    for _ in range(300):
        b = []
        for j in range(1000):
            b.append(j)
        while len(b) > 100:
            b.pop()
        buffers.append(b)
    state["buffers"] = buffers

    def apply():
        buffers = state["buffers"]
        buffers[:] = [b.copy() for b in buffers]
    return apply


@situation("spare-capacity", "dict")
def spare_dicts():
    tables = []
    for _ in range(100):
        d = {str(k): k for k in range(1000)}
        for k in range(990):
            del d[str(k)]
        tables.append(d)
    state["tables"] = tables

    def apply():
        tables = state["tables"]
        tables[:] = [dict(d) for d in tables]
    return apply


# --- 6. cyclic garbage -----------------------------------------------------------------------
class TreeNode:
    def __init__(self, parent):
        self.parent = parent
        self.children = []
        if parent is not None:
            parent.children.append(self)


class WeakTreeNode:
    def __init__(self, parent):
        self.parent = weakref.ref(parent) if parent is not None else None
        self.children = []
        if parent is not None:
            parent.children.append(self)


def build_trees(node_type):
    trees = []
    for _ in range(2000):
        root = node_type(None)
        for _ in range(3):
            node_type(node_type(root))
        trees.append(root)
    return trees


@situation("cyclic-garbage", "TreeNode")
def cyclic_garbage():
    gc.disable()  # the garbage must wait for the dump; the situation runs no collection itself
    build_trees(TreeNode)  # dropped at once: only their cycles hold them

    def apply():
        gc.collect()  # the old garbage goes; now the same trees with weak back-references
        build_trees(WeakTreeNode)
    return apply


# --- 7. the objects that retain most ---------------------------------------------------------
@situation("dominators", None)
def dominators():
    state["cache"] = {"k" + str(i): ("v" * 20 + str(i), 1_000_000 + i) for i in range(N)}

    def apply():
        del state["cache"]
    return apply


# --- standard-library workloads --------------------------------------------------------------
@situation("fixed-layout", None, rank=1)
def stdlib_ast():
    path = os.path.join(os.path.dirname(ast.__file__), "_pydecimal.py")
    with open(path, encoding="utf-8") as f:
        source = f.read()
    state["tree"] = ast.parse(source, path)
    del source

    def apply():
        # The finding names a node type whose objects each carry a __dict__: replace every node of
        # that type by an instance of a class with those __slots__, and every reference to it.
        kind = state["first_type"]
        nodes = list(ast.walk(state["tree"]))
        targets = [n for n in nodes if type(n).__name__ == kind]
        keys = max({tuple(vars(n)) for n in targets}, key=lambda k: sum(tuple(vars(n)) == k for n in targets))
        slotted = type(kind + "Slots", (), {"__slots__": keys})
        replacement = {}
        for n in targets:
            if tuple(vars(n)) == keys:
                s = slotted()
                for k in keys:
                    setattr(s, k, getattr(n, k))
                replacement[id(n)] = s
        for n in nodes:
            if id(n) in replacement:
                continue
            for field, value in vars(n).items():
                if id(value) in replacement:
                    setattr(n, field, replacement[id(value)])
                elif type(value) is list:
                    for i, x in enumerate(value):
                        if id(x) in replacement:
                            value[i] = replacement[id(x)]
        state["replaced"] = len(replacement)
        del nodes, targets, replacement
    return apply


@situation("columns", "dict", rank=1)
def stdlib_csv():
    cities = ["Lisbon", "Porto", "Braga", "Faro", "Coimbra", "Leiria", "Aveiro", "Viseu", "Evora", "Beja"]
    text = io.StringIO()
    w = csv.writer(text)
    w.writerow(["id", "name", "city", "country", "amount"])
    for i in range(N):
        w.writerow([100_000 + i, "customer %d" % i, cities[i % 10], "PT" if i % 3 else "ES", "%.2f" % (i * 1.37)])
    path = os.path.join(tempfile.mkdtemp(), "customers.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        f.write(text.getvalue())
    del text
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        state["fieldnames"] = reader.fieldnames
        state["rows"] = list(reader)
    os.remove(path)
    os.rmdir(os.path.dirname(path))

    def apply():
        rows = state.pop("rows")
        state["columns"] = {f: [r[f] for r in rows] for f in state["fieldnames"]}
    return apply


@situation("columns", "dict", rank=1)
def stdlib_json():
    text = json.dumps([{"id": 1_000_000 + i, "name": "user%d" % i, "score": i * 0.5, "active": i % 3 == 0,
                        "group": "g%d" % (i % 7)} for i in range(N)])
    state["records"] = json.loads(text)
    del text

    def apply():
        records = state.pop("records")
        state["columns"] = {"id": array.array("q", [r["id"] for r in records]),
                            "name": [r["name"] for r in records],
                            "score": array.array("d", [r["score"] for r in records]),
                            "active": [r["active"] for r in records],
                            "group": [r["group"] for r in records]}
    return apply


SITUATIONS = {f.__name__: f for f in (fixed_layout, columns, typed_array_floats, typed_array_ints, intern_strings,
                                      share_tuples, spare_lists, spare_dicts, cyclic_garbage, dominators,
                                      stdlib_ast, stdlib_csv, stdlib_json)}


def after_build(name):
    # fixed_layout reads the heap where it calls dump(), and makes garbage after it that the
    # advice must not see.
    if name == "fixed_layout":
        import pyheap_advise  # put on the path by the dumper that runs this script
        pyheap_advise.dump()
        state["after_the_dump"] = [Item(i) for i in range(N)]


if __name__ == "__main__":
    run(SITUATIONS, state, after_build)
