#!/usr/bin/env python3
"""scenario_counts.py PYHEAP WORK_DIR SCRIPT... — the heap's own figures for the viewer's
count check (check_view_counts.mjs).

For each script, writes a copy with `live` and `refs` after every statement (neither touches the
heap, so the run is the same run), runs it with `pyheap run --echo --view`, and from what the
statements printed (not from the page) writes WORK_DIR/NAME.expect.json: the page, and for the
line of every inserted statement the live nodes (`live`) or every live object's reference count
as the heap holds it (`refs`). Prints the JSON files' paths, one per line.
"""
import json
import os
import subprocess
import sys


def augment(lines):
    """The script with live/refs after each statement: its text, the line numbers of all its
    statements, and (line number, 'live' | 'refs') of the inserted ones."""
    out, statements, inserted = [], [], []
    for line in lines:
        out.append(line)
        if not line.split('#', 1)[0].strip():
            continue
        statements.append(len(out))
        for stmt in ('live', 'refs'):
            out.append(stmt)
            statements.append(len(out))
            inserted.append((len(out), stmt))
    return '\n'.join(out) + '\n', statements, inserted


def expectations(stdout, statements, inserted):
    """What each inserted statement printed: --echo starts every statement's block with '> '."""
    blocks = []
    for line in stdout.splitlines():
        if line.startswith('> '):
            blocks.append([])
        elif blocks:
            blocks[-1].append(line)
    printed = dict(zip(statements, blocks))  # line number -> the block of its statement
    checks = []
    for number, stmt in inserted:
        if number not in printed:
            break  # the script stopped on an error before this line
        words = printed[number][0].split()
        if stmt == 'live':
            assert words[0] == 'live', words
            checks.append({'line': number, 'live': words[1:]})
        else:
            assert words[:2] == ['|', 'refs'], words
            checks.append({'line': number, 'refs': {w.split('=')[0]: int(w.split('=')[1]) for w in words[2:]}})
    return checks


def main():
    pyheap, work, scripts = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(work, exist_ok=True)
    for script in scripts:
        name = os.path.splitext(os.path.basename(script))[0]
        with open(script, encoding='utf-8') as f:
            text, statements, inserted = augment(f.read().splitlines())
        copy = os.path.join(work, name + '.heap')
        page = os.path.join(work, name + '.html')
        with open(copy, 'w', encoding='utf-8') as f:
            f.write(text)
        run = subprocess.run([pyheap, 'run', '--echo', '--view', page, copy], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f'scenario_counts.py: {script}: pyheap run exited with {run.returncode}: {run.stderr}')
        checks = expectations(run.stdout, statements, inserted)
        if len(checks) != len(inserted):
            sys.exit(f'scenario_counts.py: {script}: {len(checks)} of {len(inserted)} inserted statements printed')
        path = os.path.join(work, name + '.expect.json')
        with open(path, 'w', encoding='utf-8') as f:
            json.dump({'script': script, 'page': page, 'checks': checks}, f)
        print(path)


if __name__ == '__main__':
    main()
