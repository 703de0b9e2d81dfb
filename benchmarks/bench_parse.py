"""Parse throughput and memory on one core.

    .venv/bin/python benchmarks/bench_parse.py [--reports 2000] [--memory-reports 10000] [--cpu 0]

Reports are generated (`synthesize`, both formats, seeds 0…n) and rendered before timing; only
`parse_bytes` is timed. The process is pinned to one CPU. Memory: RSS after 1,000 and after
`--memory-reports` parses, and the peak (VmHWM); flat RSS means nothing accumulates per report.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable

from gongkai import parse_bytes
from gongkai.render.layouts import render_html, render_text
from gongkai.render.synthetic import synthesize

LAYOUTS: dict[str, Callable] = {
    "text (one cell per line)": lambda rep: render_text(rep, "cells"),
    "text (PDF-like rows)": lambda rep: render_text(rep, "pdf"),
    "html": render_html,
}


def _proc_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _report(i: int):
    return synthesize("2021" if i % 3 else "2019", random.Random(i))


def throughput(render: Callable, n: int) -> tuple[float, float, float]:
    """(reports per second, median ms, 95th percentile ms) over n reports, after a warm-up."""
    data = [render(_report(i)).encode("utf-8") for i in range(n)]
    for d in data[: min(200, n)]:
        parse_bytes(d)
    times = []
    gc.collect()
    for d in data:
        t = time.perf_counter()
        parse_bytes(d)
        times.append(time.perf_counter() - t)
    times.sort()
    return n / sum(times), statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000


def memory(n: int) -> tuple[int, int, int]:
    """(RSS after 1,000 parses, RSS after n parses, peak RSS) in MiB, parsing n freshly generated reports."""
    rss_1k = 0
    for i in range(n):
        parse_bytes(render_text(_report(i), "cells").encode("utf-8"))
        if i + 1 == min(1000, n):
            gc.collect()
            rss_1k = _proc_kb("VmRSS")
    gc.collect()
    return rss_1k // 1024, _proc_kb("VmRSS") // 1024, _proc_kb("VmHWM") // 1024


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=2000)
    ap.add_argument("--memory-reports", type=int, default=10000)
    ap.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: the first allowed)")
    args = ap.parse_args(argv)
    cpu = args.cpu if args.cpu is not None else min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    print(f"gongkai parse benchmark — Python {sys.version.split()[0]}, pinned to CPU {cpu} "
          f"({len(os.sched_getaffinity(0))} core), {args.reports} reports per layout\n")
    print("| layout | reports/s (1 core) | median ms | p95 ms |")
    print("|---|---:|---:|---:|")
    for name, render in LAYOUTS.items():
        rate, median, p95 = throughput(render, args.reports)
        print(f"| {name} | {rate:,.0f} | {median:.2f} | {p95:.2f} |", flush=True)
    rss_1k, rss_n, peak = memory(args.memory_reports)
    print(f"\n| memory while parsing {args.memory_reports:,} reports | MiB |")
    print("|---|---:|")
    print(f"| RSS after 1,000 | {rss_1k} |")
    print(f"| RSS after {args.memory_reports:,} | {rss_n} |")
    print(f"| peak RSS (whole run) | {peak} |")


if __name__ == "__main__":
    main()
