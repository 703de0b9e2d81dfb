"""Benchmark `gongkai check --summary` over a directory of generated reports, on one core.

    .venv/bin/python benchmarks/bench_check.py            # 10,000 reports
    .venv/bin/python benchmarks/bench_check.py -n 1000 --keep /tmp/reports

Writes N synthetic reports (formats 2021/2019, every text layout and HTML, some in Traditional
characters, one in ten with a broken cell, various organs, years and dates) into a temporary
directory, then times (1) the command `gongkai check --summary DIR` pinned to one CPU, and (2) the
same work in-process, split into parse and check. Target: (1) under 20 s for 10,000 reports.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gongkai import parse_path
from gongkai.bounded import expand
from gongkai.check import check
from gongkai.check.summary import Summary
from gongkai.render.layouts import render_html, render_text
from gongkai.render.synthetic import synthesize

LAYOUTS = ("cells", "lines", "pipes", "pdf", "html")


def generate(directory: Path, n: int, seed: int = 2024) -> None:
    rng = random.Random(seed)
    for i in range(n):
        fmt = "2021" if rng.random() < 0.7 else "2019"
        rep = synthesize(fmt, rng)
        if rng.random() < 0.1:  # one broken cell
            table = rng.choice(["requests", "review_litigation"])
            row = rng.choice(list(rep.values[table]))
            col = rng.choice(list(rep.values[table][row]))
            rep.raws.setdefault(table, {}).setdefault(row, {})[col] = str(rep.values[table][row][col] + 1)
        layout = rng.choice(LAYOUTS)
        if layout == "html":
            (directory / f"{i:05d}.html").write_text(render_html(rep), "utf-8")
        else:
            text = render_text(rep, layout, traditional=rng.random() < 0.05)  # type: ignore[arg-type]
            (directory / f"{i:05d}.txt").write_text(text, "utf-8")


def in_process(directory: Path) -> tuple[float, float, Summary]:
    parse_s = check_s = 0.0
    summary = Summary()
    for path in expand([str(directory)], []):
        t0 = time.perf_counter()
        report = parse_path(path)
        t1 = time.perf_counter()
        findings = check(report)
        t2 = time.perf_counter()
        parse_s += t1 - t0
        check_s += t2 - t1
        summary.add(report.meta.year, report.meta.format, findings)
    return parse_s, check_s, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, help="write the reports here and keep them")
    ap.add_argument("--cpu", type=int, default=None, help="the CPU to pin to (default: the first allowed)")
    ap.add_argument("--skip-cli", action="store_true", help="only the in-process breakdown")
    args = ap.parse_args()
    cpu = args.cpu if args.cpu is not None else min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    tmp = None
    if args.keep:
        directory = args.keep
        directory.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory()
        directory = Path(tmp.name)
    t = time.perf_counter()
    generate(directory, args.n)
    print(f"generated {args.n} reports in {time.perf_counter() - t:.1f} s → {directory}")
    if not args.skip_cli:
        exe = Path(sys.executable).with_name("gongkai")
        t = time.perf_counter()
        res = subprocess.run([str(exe), "check", "--summary", str(directory)], capture_output=True, text=True,
                             preexec_fn=lambda: os.sched_setaffinity(0, {cpu}))
        wall = time.perf_counter() - t
        print(res.stdout.split("\n\n")[0])
        print(f"`gongkai check --summary` on CPU {cpu}: {wall:.1f} s for {args.n} reports "
              f"({wall / args.n * 1000:.2f} ms/report) — target < 20 s for 10,000")
    parse_s, check_s, summary = in_process(directory)
    n = summary.reports
    print(f"in-process on CPU {cpu}: parse {parse_s:.1f} s ({parse_s / n * 1000:.2f} ms/report), "
          f"check {check_s:.2f} s ({check_s / n * 1000:.3f} ms/report)")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
