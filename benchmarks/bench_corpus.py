"""Parse throughput on realistic inputs: the reports of the development corpus (`../shared/corpus/synthetic`,
400 reports of ≈ 8 KB, half prose, every layout; text and HTML), on one core.

    .venv/bin/python benchmarks/bench_corpus.py [--corpus ../shared/corpus/synthetic] [--rounds 3] [--cpu 0]

The files are read into memory first; `parse_bytes` (read + extract) is timed per file, over `--rounds`
passes, and the best pass is reported (the machine is shared: the best pass is the least disturbed).
To compare two versions, run this script from each checkout on the same machine, one after the other; on a
shared machine, better count instructions (repeatable, unlike time):

    PYTHONHASHSEED=0 valgrind --tool=callgrind .venv/bin/python benchmarks/bench_corpus.py --every 5 --rounds 1
    PYTHONHASHSEED=0 valgrind --tool=callgrind .venv/bin/python benchmarks/bench_corpus.py --warm-only

The first parses every fifth report; the second only imports and parses one text and one HTML report, so the
difference of the two "Collected" totals is the cost of parsing the others (78 reports).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from gongkai import parse_bytes

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "synthetic"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cpu", type=int, default=0)
    ap.add_argument("--every", type=int, default=1, help="every N-th report only")
    ap.add_argument("--warm-only", action="store_true", help="import, parse one text and one HTML report, stop")
    a = ap.parse_args()
    os.sched_setaffinity(0, {a.cpu})
    files = sorted(p for p in Path(a.corpus).iterdir() if p.suffix in (".txt", ".html", ".htm"))
    if a.warm_only:
        for kind in (".txt", ".html"):
            first = next(p for p in files if p.suffix == kind)
            parse_bytes(first.read_bytes(), str(first))
        return
    files = files[::a.every]
    data = [(p, p.read_bytes()) for p in files]
    size = sum(len(b) for _, b in data)
    best: list[float] | None = None
    for _ in range(a.rounds):
        times = []
        for path, raw in data:
            t0 = time.perf_counter()
            parse_bytes(raw, str(path))
            times.append(time.perf_counter() - t0)
        if best is None or sum(times) < sum(best):
            best = times
    assert best is not None
    total = sum(best)
    times_ms = sorted(t * 1000 for t in best)
    print(f"{len(data)} reports, {size / len(data) / 1024:.1f} KB each on average, 1 core")
    print(f"parse_bytes: {len(data) / total:.0f} reports/s, median {statistics.median(times_ms):.2f} ms, "
          f"p95 {times_ms[int(0.95 * len(times_ms))]:.2f} ms")


if __name__ == "__main__":
    main()
