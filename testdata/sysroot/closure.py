#!/usr/bin/env python3
"""Members to pin: the seed members (what wasm-ld-22 extracts, one
`archive(member)` per line on stdin) and, transitively, the member that
defines each symbol a pinned member references, strongly or weakly, in
the order the archives are searched. A linker that extracts more members
than wasm-ld (for weak references, say) still finds them in the pinned
copy, so the snapshots show what that linker does.

Usage: closure.py ARCHIVE... < seeds  (prints archive<TAB>member, sorted)
"""
import subprocess
import sys

archives = sys.argv[1:]
defs = {}  # symbol -> first (archive, member) defining it, in search order
refs = {}  # (archive, member) -> referenced symbols
for a in archives:
    out = subprocess.run(["llvm-nm-22", "-A", a], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        head, _, rest = line.partition(": ")
        member = head[len(a) + 1:]
        parts = rest.split()
        if len(parts) < 2:
            continue
        kind, name = parts[-2], parts[-1]
        key = (a, member)
        if kind in ("U", "w", "v"):
            refs.setdefault(key, set()).add(name)
        elif kind.isupper() and kind not in ("U",):
            defs.setdefault(name, key)

todo = []
for line in sys.stdin:
    line = line.strip()
    for a in archives:
        if line.startswith(a + "(") and line.endswith(")"):
            todo.append((a, line[len(a) + 1:-1]))
keep = set()
while todo:
    key = todo.pop()
    if key in keep:
        continue
    keep.add(key)
    for sym in refs.get(key, ()):
        if sym in defs:
            todo.append(defs[sym])
for a, m in sorted(keep):
    print(f"{a}\t{m}")
