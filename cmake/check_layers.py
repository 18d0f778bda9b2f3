#!/usr/bin/env python3
"""check_layers.py MANIFEST SOURCE_DIR: no layer of the library includes a higher layer's headers.

MANIFEST (written by cmake/Layers.cmake) gives each public header and each src/ directory its
layer and rank: core 0 < containers 1 < introspect 2 < report 3. Every #include "..." of every
file under include/pyheap/ and src/ is resolved (pyheap/X.hpp against include/, anything else
against src/) and must name a file of the same or a lower rank. A file or an included header the
manifest does not place is an error too, so that a new header cannot slip past the check.
Exits 1 listing every violation, 0 with a summary otherwise.
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def load_manifest(path):
    files, dirs = {}, {}
    for line in pathlib.Path(path).read_text().splitlines():
        if not line.strip() or line.startswith('#'):
            continue
        layer, rank, where = line.split()
        (dirs if where.endswith('/') else files)[where] = (layer, int(rank))
    return files, dirs


def place(rel, files, dirs):
    if rel in files:
        return files[rel]
    for d, lr in dirs.items():
        if rel.startswith(d):
            return lr
    return None


def main():
    manifest, root = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    files, dirs = load_manifest(manifest)
    problems, checked, edges = [], 0, 0
    sources = sorted(p for top in ('include/pyheap', 'src') for p in (root / top).rglob('*')
                     if p.suffix in ('.hpp', '.cpp', '.h'))
    for path in sources:
        rel = path.relative_to(root).as_posix()
        me = place(rel, files, dirs)
        if me is None:
            problems.append(f'{rel}: not assigned to a layer (add it to a layer in CMakeLists.txt)')
            continue
        checked += 1
        for n, line in enumerate(path.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            target = f'include/{inc}' if inc.startswith('pyheap/') else f'src/{inc}'
            if not (root / target).exists():
                continue  # a header beside the file, resolved by the compiler
            edges += 1
            them = place(target, files, dirs)
            if them is None:
                problems.append(f'{rel}:{n}: includes {inc}, which no layer owns')
            elif them[1] > me[1]:
                problems.append(f'{rel}:{n}: layer {me[0]} includes {inc} of the higher layer {them[0]}')
    for p in problems:
        print(p)
    if problems:
        print(f'layer check: {len(problems)} problem(s)')
        return 1
    print(f'layer check: {checked} files, {edges} includes, no layer includes a higher one')
    return 0


if __name__ == '__main__':
    sys.exit(main())
