#!/usr/bin/env python3
"""pyheap_advise: writes a CPython 3.11 heap as a graph file that `pyheap advise` reads.

Two ways to use it:

  pyheap advise --python SCRIPT [ARGS...]   runs SCRIPT under this module (as `python3 SCRIPT`
                                            would) and dumps the heap when the script ends;
  import pyheap_advise; pyheap_advise.dump("app.heapsnapshot")
                                            dumps the heap at a chosen point of a program
                                            (under `pyheap advise --python` the path may be
                                            left out: the command's own file is used, and the
                                            end-of-script dump is skipped).

The file is a V8 .heapsnapshot (Chrome DevTools and memlab open it) with one extra top-level
section, "pyheap", holding what the advisor needs beyond it: per node the Python type, length,
allocated slots and a few layout facts, where the object was allocated (with --trace), and the
count of references held from outside the walked objects. docs/design.md ("The advisor")
describes the format; pyheap's own snapshots carry the same section.

What is walked: every object the collector tracks (gc.get_objects()) and every object reachable
from them through gc.get_referents (strings, numbers, untracked tuples and dicts...), each once.
Sizes are sys.getsizeof; the advisor turns them into the bytes tracemalloc counts (each
allocation as requested), with CPython 3.11's layout rules. A few layout facts Python does not expose (a dict's
table size and kind, a class's shared attribute names, the order of an instance's attributes)
are read from the objects' memory with ctypes, for CPython 3.11 only; they are checked against
sys.getsizeof and against a probe class first, and left out (the advisor then infers them) when
the check fails.

The locals of the frames being run are put in _frames, where the walk finds them and the
advisor names them ("main() (app.py:12).records"). `python3 pyheap_advise.py --at FILE:LINE
SCRIPT` dumps when that line is about to run instead of when the script ends.

Roots: nothing in CPython lists what holds an object from outside the objects walked (C
variables, the interpreter state, the frames being run), so it is computed as the collector's
subtract_refs does: sys.getrefcount minus the references found in the walk. Objects with such
outside references are the roots; objects without a path from a root are garbage that only the
collector can free.

The walk is done with the collector disabled (a collection in the middle would untrack objects
under our feet) and never runs a collection itself: garbage waiting for the collector is part of
what is reported.
"""
import array
import ctypes
import gc
import json
import os
import struct
import sys
import time
import types

FORMAT_VERSION = 1
OUTPUT_ENV = "PYHEAP_ADVISE_OUT"   # set by `pyheap advise --python`: where dump() writes

_MANAGED_DICT = 1 << 4             # Py_TPFLAGS_MANAGED_DICT (3.11)
_MAX_NAME = 1000                   # longer texts are cut in node names (as pyheap's snapshots)
_WORD = struct.calcsize("P")

# Roles: what the advisor understands of an object (the same words as pyheap's snapshots).
_ROLE_BY_TYPE = {str: "str", int: "int", float: "float", tuple: "tuple", list: "list", dict: "dict",
                 array.array: "array", set: "set", frozenset: "set", type: "type",
                 types.ModuleType: "module"}

# V8 node types (indexes into meta.node_types[0]) and edge types (meta.edge_types[0]).
_V8_STRING, _V8_OBJECT, _V8_NUMBER, _V8_SYNTHETIC = 2, 3, 7, 9
_ELEMENT, _PROPERTY, _INTERNAL = 1, 2, 3

_META = {
    "node_fields": ["type", "name", "id", "self_size", "edge_count", "trace_node_id", "detachedness"],
    "node_types": [["hidden", "array", "string", "object", "code", "closure", "regexp", "number", "native",
                    "synthetic", "concatenated string", "sliced string", "symbol", "bigint", "object shape"],
                   "string", "number", "number", "number", "number", "number"],
    "edge_fields": ["type", "name_or_index", "to_node"],
    "edge_types": [["context", "element", "property", "internal", "hidden", "shortcut", "weak"],
                   "string_or_number", "node"],
    "trace_function_info_fields": ["function_id", "name", "script_name", "script_id", "line", "column"],
    "trace_node_fields": ["id", "function_info_index", "count", "size", "children"],
    "sample_fields": ["timestamp_us", "last_assigned_id"],
    "location_fields": ["object_index", "script_id", "line", "column"],
}
# Per node in the "pyheap" section; docs/design.md gives each field's meaning per role.
_EXTRA_FIELDS = ["type", "length", "capacity", "aux", "aux2", "site", "external"]

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_dumped = False
_tracing_started_here = False  # by the launcher's --trace
# While a dump runs: the locals of every frame being run outside this module, by frame
# ("main() (app.py:12)" -> its f_locals), so that the advisor names them as a module's globals
# are named (docs/design.md, "The advisor"). A module global, so that the walk reaches it.
_frames = {}
_CO_GENERATOR_LIKE = 0x20 | 0x80 | 0x200  # CO_GENERATOR, CO_COROUTINE, CO_ASYNC_GENERATOR


class _Layout:
    """CPython 3.11 object layouts read with ctypes, enabled only if a probe reads back right."""

    def __init__(self):
        self.ok = False
        if sys.implementation.name != "cpython" or sys.version_info[:2] != (3, 11):
            return
        try:
            # ht_cached_keys is the fifth pointer from the end of PyHeapTypeObject in 3.11
            # (ht_cached_keys, ht_module, _ht_tpname, _spec_cache.getitem follow it).
            self.cached_keys_offset = type.__basicsize__ - 4 * _WORD

            class Probe:
                def __init__(self):
                    self.first = 1
                    self.second = 2

            probe = Probe()
            probe_names = self.class_keys(Probe)
            order = self.instance_order(probe)
            d = {"a": 1, "b": 2}
            del d["a"]
            log2, kind, nentries = self.dict_keys(d)
            self.ok = (probe_names == [b"first", b"second"] and order == [0, 1] and
                       (log2, kind, nentries) == (3, 1, 2) and
                       sys.getsizeof(d) == 64 + dict_keys_bytes(log2, kind))
        except Exception:  # any surprise: fall back to what sys.getsizeof tells
            self.ok = False

    @staticmethod
    def dict_keys(d):
        """(log2 size, kind 0 general / 1 unicode / 2 split, entries used or deleted)."""
        keys = ctypes.c_void_p.from_address(id(d) + 4 * _WORD).value
        if not keys:
            return 0, 1, 0
        _refcnt, log2, _log2_index, kind, _version, _usable, nentries = struct.unpack(
            "<qBBBxIqq", ctypes.string_at(keys, 32))
        return log2, kind, nentries

    def class_keys(self, cls):
        """The shared attribute names of a class with a managed dict (as UTF-8 bytes)."""
        keys = ctypes.c_void_p.from_address(id(cls) + self.cached_keys_offset).value
        if not keys:
            return []
        _refcnt, _log2, log2_index, kind, _version, usable, nentries = struct.unpack(
            "<qBBBxIqq", ctypes.string_at(keys, 32))
        if kind != 2 or nentries < 0 or nentries > 64:
            raise ValueError("not a split keys table")
        entries = keys + 32 + (1 << log2_index)
        names = []
        for i in range(nentries):
            key = ctypes.c_void_p.from_address(entries + 2 * _WORD * i).value
            names.append(ctypes.cast(key, ctypes.py_object).value.encode("utf-8", "surrogatepass"))
        self.last_usable = usable
        return names

    @staticmethod
    def dict_address(o, t):
        """Address of the __dict__ of an object whose type has tp_dictoffset (0: none yet)."""
        offset = t.__dictoffset__
        if offset < 0:  # counted from the end of a variable-size object (_PyObject_GetDictPtr)
            items = abs(ctypes.c_ssize_t.from_address(id(o) + 2 * _WORD).value)
            offset += (t.__basicsize__ + items * t.__itemsize__ + _WORD - 1) // _WORD * _WORD
        return ctypes.c_void_p.from_address(id(o) + offset).value or 0

    @staticmethod
    def instance_values(o):
        """Address of an instance's values array (0 once its __dict__ was made)."""
        return ctypes.c_void_p.from_address(id(o) - 4 * _WORD).value or 0

    def instance_order(self, o):
        """The shared-key positions of an instance's attributes, in insertion order."""
        values = self.instance_values(o)
        if not values:
            return None
        prefix = ctypes.string_at(values - 2, 2)
        count = prefix[0]
        if count == 0:
            return []
        order = ctypes.string_at(values - 2 - count, count)
        return list(reversed(order))


def dict_keys_bytes(log2, kind):
    """Bytes of a 3.11 dict keys table of 2**log2 slots (the C++ side has the same rule)."""
    size = 1 << log2
    index = 1 if log2 < 8 else 2 if log2 < 16 else 4 if log2 < 32 else 8
    usable = (size * 2) // 3
    return 32 + size * index + usable * (24 if kind == 0 else 16)


class _TypeInfo:
    __slots__ = ("name", "module", "role", "keys", "usable", "slots", "dictoffset", "index")


def _type_info(t, layout, cache, type_list):
    info = cache.get(id(t))
    if info is not None:
        return info
    info = _TypeInfo()
    info.name = getattr(t, "__qualname__", t.__name__)
    info.module = getattr(t, "__module__", "") or ""
    info.keys = None
    info.usable = 0
    info.slots = None
    info.dictoffset = 0
    role = _ROLE_BY_TYPE.get(t)
    if role is None:
        if isinstance(t, type) and issubclass(t, type):
            role = "type"
        elif t.__flags__ & _MANAGED_DICT:
            role = "instance"
            if layout.ok:
                try:
                    info.keys = layout.class_keys(t)
                    info.usable = layout.last_usable
                except Exception:
                    info.keys = None
        elif t.__dictoffset__ > 0 and info.module != "builtins":
            role = "instance"
            info.dictoffset = t.__dictoffset__
        else:
            slots = []
            for klass in t.__mro__:
                names = klass.__dict__.get("__slots__")
                if names is None:
                    continue
                if isinstance(names, str):
                    names = (names,)
                for n in names:
                    if n in ("__dict__", "__weakref__"):
                        continue
                    mangled = "_" + klass.__name__.lstrip("_") + n if n.startswith("__") and not n.endswith("__") else n
                    desc = klass.__dict__.get(mangled)
                    if type(desc).__name__ == "member_descriptor":
                        slots.append((mangled.encode("utf-8", "surrogatepass"), desc))
            if slots and t.__dictoffset__ == 0:
                role = "record"
                info.slots = slots
            else:
                role = "other"
    info.role = role
    info.index = len(type_list)
    type_list.append(info)
    cache[id(t)] = info
    return info


def _text_name(s):
    if len(s) > _MAX_NAME:
        return s[:_MAX_NAME] + "..."
    return s


def _number_name(o):
    if type(o) is float:
        return repr(o)
    if -10 ** 18 < o < 10 ** 18:
        return str(o)
    return "int of %d bits" % o.bit_length()


class _Graph:
    """The walk's result: objects, their edges and facts, as flat arrays of numbers."""

    def __init__(self):
        self.objs = []
        self.index = {}                     # id -> node position in objs
        self.types = []                     # _TypeInfo, by first appearance
        self.type_cache = {}
        self.type_of = array.array("l")     # per object: _TypeInfo.index
        # Per object: the first edge and the edge count; edges as three parallel arrays. An edge
        # name is an element index, a type's attribute name (index into attr_names) or a dict
        # key (the key's object position): kinds, below, say which.
        self.first_edge = array.array("l")
        self.edge_kind = array.array("b")   # _ELEMENT / _PROPERTY / _INTERNAL
        self.edge_name_kind = array.array("b")  # 0 index, 1 attr name, 2 key object, 3 fixed text
        self.edge_name = array.array("q")
        self.edge_to = array.array("l")
        self.attr_names = []                # bytes
        self.attr_name_ids = {}
        self.length = array.array("q")
        self.capacity = array.array("q")
        self.aux = array.array("q")
        self.aux2 = array.array("q")


_FIXED = [b"(class)", b"(dict)"]
_CLASS_EDGE, _DICT_EDGE = 0, 1


def _attr_name_id(g, name):
    i = g.attr_name_ids.get(name)
    if i is None:
        i = g.attr_name_ids[name] = len(g.attr_names)
        g.attr_names.append(name)
    return i


def _walk(objs, layout):
    """objs: gc.get_objects(), taken before any object of the walk was made (so none is in it)."""
    g = _Graph()
    g.objs = objs
    index = g.index
    for i, o in enumerate(objs):
        index[id(o)] = i
    first_edge, edge_kind, edge_name_kind, edge_name, edge_to = (
        g.first_edge, g.edge_kind, g.edge_name_kind, g.edge_name, g.edge_to)
    length, capacity, aux, aux2, type_of = g.length, g.capacity, g.aux, g.aux2, g.type_of
    getsizeof = sys.getsizeof
    get_referents = gc.get_referents
    types_cache, type_list = g.type_cache, g.types

    def target(x):
        j = index.get(id(x))
        if j is None:
            j = index[id(x)] = len(objs)
            objs.append(x)
        return j

    def edge(kind, name_kind, name, x):
        edge_kind.append(kind)
        edge_name_kind.append(name_kind)
        edge_name.append(name)
        edge_to.append(target(x))

    i = 0
    while i < len(objs):
        o = objs[i]
        i += 1
        t = type(o)
        info = _type_info(t, layout, types_cache, type_list)
        type_of.append(info.index)
        first_edge.append(len(edge_to))
        role = info.role
        n = cap = a = a2 = 0
        if role == "str":
            n = len(o)
            a = hash(o)
        elif role == "int":
            a = 1 if _INT64_MIN <= o <= _INT64_MAX else 0
        elif role == "list":
            n = len(o)
            cap = (getsizeof(o) - getsizeof([])) // _WORD
            for k in range(n):
                edge(_ELEMENT, 0, k, o[k])
        elif role == "tuple":
            n = len(o)
            for k in range(n):
                edge(_ELEMENT, 0, k, o[k])
        elif role == "dict":
            n = len(o)
            if layout.ok:
                cap, a, a2 = layout.dict_keys(o)
            else:
                cap = a = a2 = -1
            k = 0
            for key, value in dict.items(o):
                kj = target(key)
                if type(key) is str:
                    edge(_INTERNAL, 2, kj, key)
                    edge(_PROPERTY, 2, kj, value)
                else:
                    edge(_INTERNAL, 2, kj, key)
                    edge(_ELEMENT, 0, k, value)
                k += 1
        elif role == "instance":
            refs = get_referents(o)
            names = info.keys
            done = False
            if names is not None:  # a managed dict: values in shared-key order, then the class
                values = layout.instance_values(o)
                if values:
                    order = layout.instance_order(o)
                    positions = sorted(order)
                    if len(positions) == len(refs) - 1 and (not positions or positions[-1] < len(names)):
                        for p, v in zip(positions, refs):
                            edge(_PROPERTY, 1, _attr_name_id(g, names[p]), v)
                        edge(_INTERNAL, 3, _CLASS_EDGE, refs[-1])
                        n = len(positions)
                        # Values slots: the class's current rule (nentries + usable), see
                        # docs/design.md; instances made while the class was young have more.
                        cap = len(names) + info.usable
                        a = ctypes.string_at(values - 1, 1)[0]  # the order prefix's size
                        done = True
                elif len(refs) == 2 and type(refs[0]) is dict:  # its __dict__ was made
                    edge(_INTERNAL, 3, _DICT_EDGE, refs[0])
                    edge(_INTERNAL, 3, _CLASS_EDGE, refs[1])
                    n = len(refs[0])
                    done = True
            elif info.dictoffset:
                ptr = layout.dict_address(o, t) if layout.ok else 0
                for k, x in enumerate(refs):
                    if ptr and id(x) == ptr:
                        edge(_INTERNAL, 3, _DICT_EDGE, x)
                        n = len(x)
                    elif x is t:
                        edge(_INTERNAL, 3, _CLASS_EDGE, x)
                    else:
                        edge(_ELEMENT, 0, k, x)
                done = True
            if not done:
                for k, x in enumerate(refs):
                    edge(_ELEMENT, 0, k, x)
            del refs
        elif role == "record":
            for name, desc in info.slots:
                try:
                    v = desc.__get__(o, t)
                except AttributeError:
                    continue
                edge(_PROPERTY, 1, _attr_name_id(g, name), v)
                n += 1
                del v
            if t.__flags__ & (1 << 9):  # a heap type: its instances hold a reference to it
                edge(_INTERNAL, 3, _CLASS_EDGE, t)
        elif role == "array":
            n = len(o)
            a = ord(o.typecode)
            a2 = o.itemsize
            cap = (getsizeof(o) - getsizeof(array.array(o.typecode))) // o.itemsize
            for k, x in enumerate(get_referents(o)):
                edge(_INTERNAL, 3, _CLASS_EDGE, x)
        elif role == "set":
            n = len(o)
            extra = getsizeof(o) - getsizeof(set())
            cap = extra // (2 * _WORD) if extra > 0 else 8
            for k, x in enumerate(get_referents(o)):
                edge(_ELEMENT, 0, k, x)
        elif role != "float":
            refs = get_referents(o)
            # An object with a __dict__ (a module, a function, an instance of a builtin type):
            # its dict is its own, as an instance's is (a "(dict)" edge). Read, not asked for:
            # asking makes an empty dict where there was none.
            own = layout.dict_address(o, t) if t.__dictoffset__ != 0 and role != "type" and layout.ok else 0
            for k, x in enumerate(refs):
                if own and id(x) == own and type(x) is dict:
                    edge(_INTERNAL, 3, _DICT_EDGE, x)
                else:
                    edge(_ELEMENT, 0, k, x)
            del refs
        length.append(n)
        capacity.append(cap)
        aux.append(a)
        aux2.append(a2)
        del o
    first_edge.append(len(edge_to))
    return g


def _reference_counts(objs):
    """sys.getrefcount of each object, less the references this walk holds."""
    probe = [object()]
    calibration = list(map(sys.getrefcount, probe))[0]
    # The probe has no owner but its list: what is counted beyond that is the walk's own hold.
    held = calibration
    return array.array("q", (c - held for c in map(sys.getrefcount, objs)))


def _sites(objs):
    import tracemalloc
    if not tracemalloc.is_tracing():
        return None, [""]
    site_ids, sites = {}, [""]
    get = tracemalloc.get_object_traceback
    out = array.array("l")
    for o in objs:
        tb = get(o)
        if tb is None:
            out.append(0)
            continue
        frame = tb[0]
        key = frame.filename + ":" + str(frame.lineno)
        j = site_ids.get(key)
        if j is None:
            j = site_ids[key] = len(sites)
            sites.append(key)
        out.append(j)
    return out, sites


def _write(path, g, refcounts, sites, site_list, layout):
    objs = g.objs
    count = len(objs)
    strings, string_ids = [], {}

    def sid(s):
        j = string_ids.get(s)
        if j is None:
            j = string_ids[s] = len(strings)
            strings.append(s)
        return j

    attr_ids = [sid(n.decode("utf-8", "surrogatepass")) for n in g.attr_names]
    fixed_ids = [sid(n.decode()) for n in _FIXED]

    # In-degree from walked objects (strong edges: all of ours are), for the outside references.
    indegree = array.array("q", bytes(8 * count))
    for j in g.edge_to:
        indegree[j] += 1

    # Nodes 0 and 1 are synthetic: the root, and the group of objects held from outside.
    base = 2
    roots = [j for j in range(count) if refcounts[j] - indegree[j] > 0]
    edge_count = len(g.edge_to) + len(roots) + 1

    with open(path, "w", encoding="utf-8") as f:  # the text is ASCII; utf-8's codec is loaded
        f.write('{"snapshot":{"meta":%s,"node_count":%d,"edge_count":%d,"trace_function_count":0},\n"nodes":['
                % (json.dumps(_META), count + base, edge_count))
        f.write("%d,%d,1,0,1,0,0,\n%d,%d,3,0,%d,0,0" % (_V8_SYNTHETIC, sid(""), _V8_SYNTHETIC,
                                                          sid("(held from outside the walked objects)"), len(roots)))
        type_name_ids = [sid(t.name) for t in g.types]
        roles = [t.role for t in g.types]
        first_edge = g.first_edge
        getsizeof = sys.getsizeof
        chunk = []
        for j in range(count):
            o = objs[j]
            role = roles[g.type_of[j]]
            if role == "str":
                v8, name = _V8_STRING, sid(_text_name(o))
            elif role == "int" or role == "float":
                v8, name = _V8_NUMBER, sid(_number_name(o))
            else:
                v8, name = _V8_OBJECT, type_name_ids[g.type_of[j]]
                if role == "module":
                    name = sid("module " + str(getattr(o, "__name__", "?")))
                elif role == "type":
                    name = sid("class " + str(getattr(o, "__qualname__", "?")))
            try:
                size = getsizeof(o)
            except Exception:
                size = 0
            chunk.append("%d,%d,%d,%d,%d,0,0" % (v8, name, 2 * (j + base) + 1, size, first_edge[j + 1] - first_edge[j]))
            if len(chunk) >= 4096:
                f.write(",\n" + ",\n".join(chunk))
                chunk = []
        del o
        if chunk:
            f.write(",\n" + ",\n".join(chunk))
        f.write('],\n"edges":[')
        f.write("%d,0,%d" % (_ELEMENT, 1 * 7))
        f.write("".join(",\n%d,%d,%d" % (_ELEMENT, k, (j + base) * 7) for k, j in enumerate(roots)))
        kinds, name_kinds, names, tos = g.edge_kind, g.edge_name_kind, g.edge_name, g.edge_to
        key_names = {}
        chunk = []
        for e in range(len(tos)):
            nk = name_kinds[e]
            if nk == 0:
                name = names[e]
            elif nk == 1:
                name = attr_ids[names[e]]
            elif nk == 3:
                name = fixed_ids[names[e]]
            else:
                key_j = names[e]
                cached = key_names.get((key_j, kinds[e]))
                if cached is None:
                    key = objs[key_j]
                    text = _text_name(key) if type(key) is str else _number_name(key) if type(key) in (int, float) else type(key).__qualname__
                    cached = sid(("(key) " + text) if kinds[e] == _INTERNAL else text)
                    key_names[(key_j, kinds[e])] = cached
                    del key
                name = cached
            chunk.append(",\n%d,%d,%d" % (kinds[e], name, (tos[e] + base) * 7))
            if len(chunk) >= 8192:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk))
        f.write('],\n"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[],\n"strings":')
        f.write(json.dumps(strings))
        f.write(',\n"pyheap":{"version":%d,"runtime":"cpython","runtime_version":%s,"layout_read":%s,'
                '"node_fields":%s,\n"types":%s,\n"sites":%s,\n"nodes":['
                % (FORMAT_VERSION, json.dumps(sys.version.split()[0]), "true" if layout.ok else "false",
                   json.dumps(_EXTRA_FIELDS),
                   json.dumps([{"name": t.name, "module": t.module, "role": t.role} for t in g.types]),
                   json.dumps(site_list)))
        f.write("-1,0,0,0,0,0,1,\n-1,0,0,0,0,0,1")
        chunk = []
        for j in range(count):
            ext = refcounts[j] - indegree[j]
            chunk.append(",\n%d,%d,%d,%d,%d,%d,%d" % (g.type_of[j], g.length[j], g.capacity[j], g.aux[j], g.aux2[j],
                                                     sites[j] if sites is not None else 0, ext if ext > 0 else 0))
            if len(chunk) >= 8192:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk))
        f.write("]}}\n")


def _running_frames():
    """(label, frame) for every frame being run outside this module, each thread innermost first.
    Module-level frames are left out: their locals are their module's globals."""
    here = os.path.abspath(__file__)
    current = sys._getframe(0)
    out, labels = [], set()
    for ident, top in sorted(sys._current_frames().items(), key=lambda item: item[1] is not current):
        f = top
        while f is not None:
            code = f.f_code
            if code.co_name != "<module>" and os.path.abspath(code.co_filename) != here:
                label = "%s() (%s:%d)" % (getattr(code, "co_qualname", code.co_name),
                                          os.path.basename(code.co_filename), f.f_lineno)
                n = 2
                unique = label
                while unique in labels:
                    unique = "%s #%d" % (label, n)
                    n += 1
                labels.add(unique)
                out.append((unique, f))
            f = f.f_back
    return out


def _discount_frame_references(g, refcounts):
    """A frame's fast locals hold references the walk cannot see (the frame is not an object it
    walks); the frame's f_locals dict in _frames stands for them, and holds one reference of its
    own to each value. Counted once: each value, and each such dict (which its frame holds), one
    reference less. Generators' and coroutines' frames are walked through their objects: left as
    they are."""
    index = g.index
    for _label, f in _running_frames():
        code = f.f_code
        if code.co_flags & _CO_GENERATOR_LIKE:
            continue
        d = f.f_locals
        j = index.get(id(d))
        if j is not None:
            refcounts[j] -= 1
        cells = set(code.co_cellvars) | set(code.co_freevars)
        for name in code.co_varnames:
            if name in cells or name not in d:
                continue
            j = index.get(id(d[name]))
            if j is not None:
                refcounts[j] -= 1


def dump(path=None):
    """Writes the heap of this process to path (a .heapsnapshot), as it is now.

    Returns the path. Without a path: the file `pyheap advise --python` asked for, else
    python.heapsnapshot in the current directory."""
    global _dumped, _frames
    if path is None:
        path = os.environ.get(OUTPUT_ENV) or "python.heapsnapshot"
    enabled = gc.isenabled()
    gc.disable()
    started = time.perf_counter()
    try:
        # The running frames' locals are put where the walk finds them, before it starts.
        _frames = {label: f.f_locals for label, f in _running_frames()}
        # First, before this function makes any other object: what it makes later is then in no
        # list the walk starts from, and nothing walked refers to it.
        objs = gc.get_objects()
        layout = _Layout()
        g = _walk(objs, layout)
        del objs
        refcounts = _reference_counts(g.objs)
        _discount_frame_references(g, refcounts)
        sites, site_list = _sites(g.objs)
        if _tracing_started_here:
            # Started by --trace for the sites, which are read now: tracemalloc would otherwise
            # record every allocation of the writing, which makes it many times slower.
            import tracemalloc
            tracemalloc.stop()
        _write(path, g, refcounts, sites, site_list, layout)
        objects = len(g.objs)
        del g
    finally:
        _frames = {}
        if enabled:
            gc.enable()
    _dumped = True
    if os.environ.get("PYHEAP_ADVISE_TIMING"):
        sys.stderr.write("pyheap_advise: %d objects dumped in %.2f s\n" % (objects, time.perf_counter() - started))
    return path


def _dump_at(where):
    """Arranges for dump() when the line FILE:LINE is about to run for the first time (a frame
    of code from FILE: the same path, or the same file name when FILE has no directory)."""
    file, _, line = where.rpartition(":")
    line = int(line)
    bare = os.path.dirname(file) == ""
    wanted = os.path.basename(file) if bare else os.path.abspath(file)

    def matches(code):
        name = code.co_filename
        return (os.path.basename(name) if bare else os.path.abspath(name)) == wanted

    def local(frame, event, arg):
        if event == "line" and frame.f_lineno == line and not _dumped:
            sys.settrace(None)
            dump()
            return None
        return local

    def calls(frame, event, arg):
        if event == "call" and matches(frame.f_code) and not _dumped:
            return local
        return None

    sys.settrace(calls)


def _run_script(argv):
    """python3 pyheap_advise.py [--trace] [--at FILE:LINE] SCRIPT ARGS...: runs SCRIPT as __main__,
    then dump() (or dump() where FILE:LINE is about to run, if it is)."""
    trace = False
    at = None
    while argv and argv[0].startswith("--"):
        if argv[0] == "--trace":
            trace = True
            argv = argv[1:]
        elif argv[0] == "--at" and len(argv) > 1:
            at = argv[1]
            file, _, line = at.rpartition(":")
            if not file or not line.isdigit():
                sys.stderr.write("pyheap_advise: --at wants FILE:LINE, not %s\n" % at)
                return 2
            argv = argv[2:]
        elif argv[0] == "--":
            argv = argv[1:]
            break
        else:
            sys.stderr.write("pyheap_advise: unknown option %s\n" % argv[0])
            return 2
    if not argv:
        sys.stderr.write("usage: pyheap_advise.py [--trace] [--at FILE:LINE] SCRIPT [ARGS...]\n")
        return 2
    script = argv[0]
    try:
        with open(script, "rb") as f:
            source = f.read()
    except OSError as e:
        sys.stderr.write("pyheap_advise: cannot read %s: %s\n" % (script, e.strerror))
        return 2
    sys.argv = list(argv)
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    main = types.ModuleType("__main__")
    main.__file__ = script
    main.__builtins__ = __builtins__
    sys.modules["__main__"] = main
    if trace:
        import tracemalloc
        global _tracing_started_here
        _tracing_started_here = True
        tracemalloc.start(1)
    code = compile(source, script, "exec")
    status = 0
    if at is not None:
        _dump_at(at)
    try:
        exec(code, main.__dict__)
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if status != 0:
            return status
    finally:
        sys.settrace(None)
    del code, source
    if not _dumped:
        if at is not None:
            sys.stderr.write("pyheap_advise: %s was never reached: the heap is read as the script ends\n" % at)
        dump()
    return status


if __name__ == "__main__":
    # This file is __main__ here; the script must find the same module under its own name when it
    # imports it (to call dump()), so the launcher runs from that import.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import pyheap_advise
    sys.exit(pyheap_advise._run_script(sys.argv[1:]))
