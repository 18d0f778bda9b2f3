#!/usr/bin/env python3
"""A deliberately wrong `pyheap run [--echo] FILE`: runs refinterp.py, then miscounts every
non-zero `collected N` and loses every `callback` event.  compare.py and differential.py must
report mismatches against it."""
import os
import subprocess
import sys

REFINTERP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'refinterp.py')

if len(sys.argv) < 2 or sys.argv[1] != 'run':
    sys.stderr.write('usage: pyheap_broken_shim.py run [--echo] FILE\n')
    sys.exit(2)
p = subprocess.run([sys.executable, '-S', REFINTERP] + sys.argv[2:],
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
out = []
for line in p.stdout.splitlines():
    if line.startswith('callback '):
        continue
    if line.startswith('collected ') and line != 'collected 0':
        line = 'collected %d' % (int(line.split()[1]) + 1)
    out.append(line + '\n')
sys.stdout.write(''.join(out))
sys.stderr.write(p.stderr)
sys.exit(p.returncode)
