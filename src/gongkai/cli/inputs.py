"""Turn the PATH arguments of a command into files: files, directories (recursively), globs,
and list files (`@list.txt`, one path per line)."""

from __future__ import annotations

import glob
from collections.abc import Iterator
from pathlib import Path


def expand(paths: list[str]) -> Iterator[str]:
    for arg in paths:
        if arg.startswith("@") and Path(arg[1:]).is_file():
            lines = Path(arg[1:]).read_text("utf-8").splitlines()
            yield from expand([ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")])
            continue
        p = Path(arg)
        if p.is_dir():
            yield from (str(f) for f in sorted(p.rglob("*")) if f.is_file() and not f.name.startswith("."))
        elif not p.exists() and any(ch in arg for ch in "*?["):
            yield from sorted(f for f in glob.glob(arg, recursive=True) if Path(f).is_file())
        else:
            yield arg
