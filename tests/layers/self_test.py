#!/usr/bin/env python3
"""The layer check must catch what it is for: run cmake/check_layers.py on small trees made here,
one clean and three broken (a lower layer including a higher one, through a public header and
through a private src/ header, and a header no layer owns), and require its verdict on each."""
import pathlib
import subprocess
import sys
import tempfile

CHECK = pathlib.Path(__file__).resolve().parents[2] / 'cmake' / 'check_layers.py'
MANIFEST = """# layer rank path
core 0 src/core/
core 0 include/pyheap/low.hpp
upper 1 src/upper/
upper 1 include/pyheap/high.hpp
"""


def run(files):
    with tempfile.TemporaryDirectory() as d:
        root = pathlib.Path(d)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        (root / 'layers.txt').write_text(MANIFEST)
        r = subprocess.run([sys.executable, CHECK, root / 'layers.txt', root], capture_output=True, text=True)
        return r.returncode, r.stdout


clean = {
    'include/pyheap/low.hpp': '#pragma once\n',
    'include/pyheap/high.hpp': '#include "pyheap/low.hpp"\n',
    'src/core/a.cpp': '#include "pyheap/low.hpp"\n#include "core/b.hpp"\n',
    'src/core/b.hpp': '#pragma once\n',
    'src/upper/c.cpp': '#include "pyheap/high.hpp"\n#include "core/b.hpp"\n',
}
cases = [
    ('clean tree', clean, 0, 'no layer includes a higher one'),
    ('public header up', {**clean, 'include/pyheap/low.hpp': '#include "pyheap/high.hpp"\n'}, 1,
     'include/pyheap/low.hpp:1: layer core includes pyheap/high.hpp of the higher layer upper'),
    ('private header up', {**clean, 'src/core/a.cpp': '// x\n#include "upper/d.hpp"\n', 'src/upper/d.hpp': ''}, 1,
     'src/core/a.cpp:2: layer core includes upper/d.hpp of the higher layer upper'),
    ('unowned file', {**clean, 'include/pyheap/stray.hpp': ''}, 1,
     'include/pyheap/stray.hpp: not assigned to a layer'),
]
failed = 0
for name, files, want_rc, want_text in cases:
    rc, out = run(files)
    ok = rc == want_rc and want_text in out
    print(f"{'ok  ' if ok else 'FAIL'} {name}: exit {rc}, output: {out.strip()}")
    failed += not ok
sys.exit(1 if failed else 0)
