#!/usr/bin/env python3
"""Programs on which `pyheap advise --python` must give the advice a memory expert gives first
(issue 22), each with the finding, its rank, what its text must say, and the change it advises,
applied and measured as cpython_situations.py's are (situation_support.py):

  1. classes whose instances point to each other: a linked list, a binary tree (fixed-layout);
  2. the largest holder of a chain is its head (dominators);
  4. garbage with two kinds of cycle, a tree's parent and a union-find root's parent = self, some
     of the same structures live (their weak references are priced);
  5. __slots__ over a class hierarchy; a class the program does not own (email.message.Message);
  6. lists of small ints, a graph as a dict of sets, a word index of (doc, pos) tuples, rows
     fetched as tuples (sqlite3), lists pre-filled with None;
  7. interning that names the field and prices the field's unique texts too;
  8. data kept in main()'s locals: read when the script ends (the heap looks empty: a note says
     so), and read with --at at the line where the data is alive;
  9. every figure in the bytes tracemalloc counts, with the advice saying how to check them;
and the README's example, examples/word_index.py, with the change it shows.
"""
import array
import email.parser
import gc
import os
import random
import sqlite3
import sys
import weakref

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from situation_support import here, run, situation  # noqa: E402

state = {}   # what each situation keeps alive, as a program's globals would


# --- 1, 2. instances that point to each other ------------------------------------------------
class Node:
    def __init__(self, value, next):
        self.value = value
        self.next = next


class SlottedNode:
    __slots__ = ("value", "next")

    def __init__(self, value, next):
        self.value = value
        self.next = next


def build_chain(node_type, values):
    head = None
    for v in values:
        head = node_type(v, head)
    return head


def chain_values(head):
    values = []
    while head is not None:
        values.append(head.value)
        head = head.next
    return values


CHAIN = 20_000  # the dominators take 2.5 s at this length until they are near-linear (issue 23)


@situation("fixed-layout", "Node", rank=1, python=("class Node: __slots__ = ('value', 'next')",),
           title=("20,000 Node objects",), holder="state.head", units="tracemalloc.get_traced_memory()[0]")
def linked_list():
    state["head"] = build_chain(Node, ["v" + str(i) for i in range(CHAIN)])

    def apply():
        values = chain_values(state["head"])
        state["head"] = build_chain(SlottedNode, reversed(values))
    return apply


@situation("dominators", None, rank=2, holder="state.head (Node)", own_holders="__main__")
def chain_head():
    state["head"] = build_chain(Node, [1000 + i for i in range(CHAIN)])

    def apply():
        del state["head"]
    return apply


class Tree:
    def __init__(self, left, right):
        self.left = left
        self.right = right


class SlottedTree:
    __slots__ = ("left", "right")

    def __init__(self, left, right):
        self.left = left
        self.right = right


def build_tree(node_type, depth):
    if depth == 0:
        return node_type(None, None)
    return node_type(build_tree(node_type, depth - 1), build_tree(node_type, depth - 1))


@situation("fixed-layout", "Tree", rank=1, python=("class Tree: __slots__ = ('left', 'right')",),
           count=2 ** 14 - 1)
def binary_tree():
    state["root"] = build_tree(Tree, 13)

    def apply():
        state["root"] = build_tree(SlottedTree, 13)
    return apply


# --- 4. two kinds of cycle ------------------------------------------------------------------
class Loop:
    """A loop of a control-flow graph: its children point back to it; its block's union-find
    node is its own parent until merged."""

    def __init__(self, parent):
        self.parent = parent
        self.children = []
        self.block = Block()
        if parent is not None:
            parent.children.append(self)


class Block:
    def __init__(self):
        self.parent = self
        self.rank = 0


class WeakLoop:
    def __init__(self, parent):
        self.parent = weakref.ref(parent) if parent is not None else None
        self.children = []
        self.block = WeakBlock()
        if parent is not None:
            parent.children.append(self)


class WeakBlock:
    def __init__(self):
        self.parent = None  # its own parent, said without a cycle
        self.rank = 0


def build_loops(loop_type):
    root = loop_type(None)
    for _ in range(3):
        loop_type(loop_type(root))
    return root


@situation("cyclic-garbage", None, rank=1, title=("Loop.parent -> Loop", "Block.parent -> itself"),
           python=("make Loop.parent a weak reference", "store None in Block.parent"))
def two_kinds_of_cycle():
    gc.disable()  # the garbage must wait for the dump; the situation runs no collection itself
    state["live"] = [build_loops(Loop) for _ in range(500)]
    for _ in range(3000):
        build_loops(Loop)  # dropped at once: only their cycles hold them

    def apply():
        state["live"] = None
        gc.collect()  # the garbage goes, and the strong live structures just dropped
        state["live"] = [build_loops(WeakLoop) for _ in range(500)]  # their weak references cost
        for _ in range(3000):
            build_loops(WeakLoop)  # freed as they are dropped
    return apply


# --- 5. __slots__ over a hierarchy, and a class of the standard library ----------------------
class Shape:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Circle(Shape):
    def __init__(self, x, y, r):
        super().__init__(x, y)
        self.r = r


class SlottedShape:
    __slots__ = ()

    def __init__(self, x, y):
        self.x = x
        self.y = y


class SlottedCircle(SlottedShape):
    __slots__ = ("x", "y", "r")

    def __init__(self, x, y, r):
        super().__init__(x, y)
        self.r = r


@situation("fixed-layout", "Circle", rank=2,
           python=("class Circle: __slots__ = ('x', 'y', 'r')", "class Shape: __slots__ = ()"))
def slots_hierarchy():
    state["circles"] = [Circle(i * 0.5, i * 0.25, 1.0 + i) for i in range(20_000)]

    def apply():
        state["circles"] = [SlottedCircle(c.x, c.y, c.r) for c in state["circles"]]
    return apply


MAIL = """From: user{i}@example.org
To: list@example.org
Subject: message {i}
Message-ID: <{i}@example.org>

Body of message {i}.
"""


@situation("fixed-layout", "Message", rank=4, title=("Message objects (email.message's class)",),
           python=("Message is email.message's class, not the program's", "class MessageData: __slots__ = ("))
def library_class():
    parser = email.parser.Parser()
    state["mails"] = [parser.parsestr(MAIL.format(i=i)) for i in range(5000)]

    def apply():
        # What the advice says: the values in a class of the program's own, the Message objects gone.
        names = tuple(vars(state["mails"][0]))
        data = type("MessageData", (), {"__slots__": names})
        copies = []
        for m in state["mails"]:
            d = data()
            for k in names:
                setattr(d, k, getattr(m, k))
            copies.append(d)
        state["mails"] = copies
    return apply


# --- 6. the missing kinds ------------------------------------------------------------------
@situation("typed-array", "int", rank=1, title=("integers 0..255",), python=("bytearray(values)",))
def small_ints():
    state["grid"] = [[(x * y) % 7 for x in range(200)] for y in range(2000)]

    def apply():
        state["grid"] = [bytearray(row) for row in state["grid"]]
    return apply


@situation("adjacency-sets", "set", rank=1, title=("state['adj'][key] holds",),
           python=("state['adj'][k] = array('h', sorted(s))",))
def graph_sets():
    rnd = random.Random(1)
    adj = {i: set() for i in range(10_000)}
    for _ in range(30_000):
        a, b = rnd.randrange(10_000), rnd.randrange(10_000)
        adj[a].add(b)
        adj[b].add(a)
    state["adj"] = adj

    def apply():
        adj = state["adj"]
        for k, s in adj.items():
            if s:  # the finding is about the sets that hold something
                adj[k] = array.array("h", sorted(s))
    return apply


@situation("packed-tuples", "tuple", rank=1, title=("state['index'][key] holds", "(int, int) tuples"),
           python=("array('h', [x for t in pairs for x in t])",))
def word_index():
    rnd = random.Random(2)
    words = ["w%d" % i for i in range(5000)]
    index = {}
    for doc in range(2000):
        for pos in range(50):
            index.setdefault(words[rnd.randrange(5000)], []).append((doc, pos))
    state["index"] = index

    def apply():
        index = state["index"]
        for w, pairs in index.items():
            index[w] = array.array("h", [x for t in pairs for x in t])
    return apply


@situation("columns", "tuple", rank=1, title=("20,000 tuples of one shape (3 items)",),
           python=("(array('q', [r[0] for r in rows]), [r[1] for r in rows], array('d', [r[2] for r in rows]))",))
def rows_as_tuples():
    db = sqlite3.connect(":memory:")
    db.execute("create table item (id integer, name text, price real)")
    db.executemany("insert into item values (?, ?, ?)", ((i, "item %d" % i, i * 0.5) for i in range(20_000)))
    state["rows"] = db.execute("select id, name, price from item").fetchall()
    db.close()

    def apply():
        rows = state.pop("rows")
        state["columns"] = (array.array("q", [r[0] for r in rows]), [r[1] for r in rows],
                            array.array("d", [r[2] for r in rows]))
    return apply


class SmallVector:
    def __init__(self):
        self.items = [None] * 16  # room for what may come
        self.size = 0


class LazyVector:
    def __init__(self):
        self.items = []
        self.size = 0


@situation("prefilled-lists", "list", rank=1, title=("SmallVector.items holds 20,000 lists of nothing but None",),
           python=("start SmallVector.items as []",))
def prefilled_none():
    state["vectors"] = [SmallVector() for _ in range(20_000)]

    def apply():
        for v in state["vectors"]:
            v.items = []
    return apply


# --- 7. interning, per field --------------------------------------------------------------
CITIES = ["Lisbon", "Porto", "Braga", "Faro", "Coimbra", "Leiria", "Aveiro", "Viseu", "Evora", "Beja"]


class Customer:
    def __init__(self, i, city):
        self.id = 1_000_000 + i
        self.name = "customer %d" % i
        self.city = city


def customer_city(i):
    # Nine in ten live in one of ten cities, each text made anew (as a parser makes them); the
    # rest in a place of their own, which interning enters in the intern table for nothing.
    if i % 10:
        return "".join(CITIES[i % 10])
    return "village %d" % i


@situation("intern-strings", "str", rank=2, title=("Customer.city holds",),
           python=("where Customer.city is set: texts = {} once, then text = texts.setdefault(text, text)",))
def intern_by_field():
    state["customers"] = [Customer(i, customer_city(i)) for i in range(30_000)]

    def apply():
        texts = state["texts"] = {}
        for c in state["customers"]:
            c.city = texts.setdefault(c.city, c.city)
    return apply


# --- 8. data in main()'s locals ------------------------------------------------------------
class Reading:
    def __init__(self, i):
        self.sensor = i % 50
        self.value = i * 0.001
        self.time = 1_700_000_000 + i


class SlottedReading:
    __slots__ = ("sensor", "value", "time")

    def __init__(self, r):
        self.sensor, self.value, self.time = r.sensor, r.value, r.time


def slot_readings(readings):
    for k, r in readings.items():
        readings[k] = SlottedReading(r)


def readings_main():
    readings = {i: Reading(i) for i in range(20_000)}  # kept in main()'s locals only
    here(slot_readings, readings)  # advise: data alive
    return len(readings)


@situation(None, "Reading", notes=("it looks like an empty interpreter's", "--at FILE:LINE"))
def main_locals_gone():
    readings_main()  # the heap is read when the script ends: the readings are gone
    return None


@situation("fixed-layout", "Reading", rank=1, at="# advise: data alive", holder="readings_main() (",
           own_holders="readings_main() (")
def main_locals_at():
    readings_main()
    return None


# --- the README's example ---------------------------------------------------------------
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "word_index.py")


@situation("packed-tuples", "tuple", rank=1, title=("(int, int) tuples",))
def readme_word_index():
    import runpy
    state["example"] = runpy.run_path(EXAMPLE)  # its globals, kept as the script's own would be

    def apply():
        state["example"]["pack"](state["example"]["index"])  # what --packed does
    return apply


SITUATIONS = {f.__name__: f for f in (linked_list, chain_head, binary_tree, two_kinds_of_cycle, slots_hierarchy,
                                      library_class, small_ints, graph_sets, word_index, rows_as_tuples,
                                      prefilled_none, intern_by_field, main_locals_gone, main_locals_at,
                                      readme_word_index)}


if __name__ == "__main__":
    run(SITUATIONS, state)
