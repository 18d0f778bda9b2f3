#!/usr/bin/env python3
"""Stand-in for `pyheap run [--echo] FILE` that runs refinterp.py instead.

Used to test compare.py and differential.py: against refinterp itself they must report no
mismatch at all."""
import os
import sys

REFINTERP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'refinterp.py')

if len(sys.argv) < 2 or sys.argv[1] != 'run':
    sys.stderr.write('usage: pyheap_shim.py run [--echo] FILE\n')
    sys.exit(2)
os.execv(sys.executable, [sys.executable, '-S', REFINTERP] + sys.argv[2:])
