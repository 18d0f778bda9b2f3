"""A word index as many are written: for every word of a few standard-library packages' sources,
the (file, line) pairs it appears at, a dict of lists of tuples.

    build/pyheap advise --python examples/word_index.py

prints what to change to make its heap smaller and what each change saves. The README applies
the first change (--packed) and measures both with tracemalloc (--measure prints
tracemalloc.get_traced_memory()[0] at the point the advice reads the heap: the script's end).
"""
import array
import gc
import glob
import os
import re
import sys
import tracemalloc

if "--measure" in sys.argv:
    tracemalloc.start()

LIBRARY = os.path.dirname(os.__file__)
PACKAGES = ["email", "json", "xml/etree", "http", "logging"]
WORD = re.compile(r"[A-Za-z_]\w+")

files = sorted(f for p in PACKAGES for f in glob.glob(os.path.join(LIBRARY, p, "*.py")))
index = {}
for number, path in enumerate(files):
    with open(path, encoding="utf-8") as f:
        for line, text in enumerate(f, 1):
            for word in WORD.findall(text):
                index.setdefault(word, []).append((number, line))
occurrences = sum(len(pairs) for pairs in index.values())


def pack(index):
    """pyheap advise's first finding, as it says: one flat array per word once the index is
    built, (file, line) at [2i], [2i + 1]."""
    for word, pairs in index.items():
        index[word] = array.array("h", [x for t in pairs for x in t])


if "--packed" in sys.argv:
    pack(index)

print("%d files, %d words, %d occurrences" % (len(files), len(index), occurrences))
if "--measure" in sys.argv:
    gc.collect()
    print("traced: %d bytes" % tracemalloc.get_traced_memory()[0])
