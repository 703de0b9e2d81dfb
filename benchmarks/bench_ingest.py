"""Benchmark: ingest N generated reports (default 10,000) end to end — read, extract, check, resolve,
store — into SQLite and into PostgreSQL, and print reports per second.

    .venv/bin/python benchmarks/bench_ingest.py                 # SQLite, and PostgreSQL if GONGKAI_TEST_PG_URL
    .venv/bin/python benchmarks/bench_ingest.py -n 2000 --pg postgresql://u:p@host/db

The reports are synthetic (`gongkai.render.synthetic`), 2019 and 2021 formats, rendered in the text
layouts, spread over organs and years (so some are new versions). PostgreSQL runs into a fresh
database created for the run and dropped afterwards.

Besides the rate, each run prints the CPU time per report of this process (reading, writing the
store) and of the worker processes (reading, extracting, checking, preparing rows), and the
machine's 1-minute load average at the end (the run's own processes count about 3): on a shared
machine the rate varies with the load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from gongkai.ingest import ingest
from gongkai.render.layouts import render_text
from gongkai.render.synthetic import synthesize
from gongkai.store import normalise_url, open_store

ORGANS = ("长沙县人民政府", "浏阳市人民政府", "长沙市人民政府办公室", "长沙市教育局", "岳阳县人民政府",
          "成安县人民政府", "宁乡市财政局", "株洲市天元区人民政府", "湘潭市自然资源和规划局", "岳阳市财政局")


def generate(folder: Path, n: int) -> list[str]:
    paths = []
    for i in range(n):
        rng = random.Random(i)
        fmt = rng.choice(["2021", "2019"])
        year = rng.randint(2021, 2024) if fmt == "2021" else rng.randint(2019, 2020)
        rep = synthesize(fmt, rng, organ=rng.choice(ORGANS), year=year)
        p = folder / f"r{i:05d}.txt"
        p.write_text(render_text(rep, rng.choice(["cells", "lines", "pipes"])), encoding="utf-8")
        paths.append(str(p))
    return paths


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its ended child processes."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def run(url: str, paths: list[str], workers: int | None) -> dict:
    store = open_store(url)
    cpu_before = _cpu()
    started = time.monotonic()
    summary = ingest(store, paths, workers=workers)
    seconds = time.monotonic() - started
    parent, children = (after - before for after, before in zip(_cpu(), cpu_before, strict=True))
    counts = store.counts()
    store.close()
    per_report = 1000 / len(paths)
    return {"backend": make_url(url).get_backend_name(), "reports": len(paths), "stored": summary.stored,
            "failed": len(summary.failed), "seconds": round(seconds, 1),
            "reports_per_second": round(len(paths) / seconds, 1),
            "parent_cpu_ms_per_report": round(parent * per_report, 3),
            "workers_cpu_ms_per_report": round(children * per_report, 3),
            "load": round(os.getloadavg()[0], 1), "cells": counts["cells"], "findings": counts["findings"]}


def _drop_database(admin: Engine, name: str) -> None:
    """DROP the benchmark's database, retrying: autovacuum, busy with the freshly written tables, can
    make `WITH (FORCE)` fail for a moment (a user may not terminate its process)."""
    for attempt in range(10):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == 9:
                raise
            time.sleep(1.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--pg", default=os.environ.get("GONGKAI_TEST_PG_URL"), help="PostgreSQL URL (a database to "
                    "create the benchmark database from)")
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        t = time.monotonic()
        paths = generate(folder, args.n)
        print(f"generated {args.n} reports in {time.monotonic() - t:.1f}s; CPUs: {os.cpu_count()}, "
              f"load: {os.getloadavg()[0]:.1f}", flush=True)
        results = []
        if args.only in (None, "sqlite"):
            results.append(run(f"sqlite:///{Path(tmp) / 'bench.db'}", paths, args.workers))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        if args.only in (None, "postgresql"):
            if not args.pg:
                print("PostgreSQL skipped: give --pg URL or set GONGKAI_TEST_PG_URL")
            else:
                base = make_url(normalise_url(args.pg))
                name = f"gk_bench_{uuid.uuid4().hex[:8]}"
                admin = create_engine(base, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\''))
                try:
                    results.append(run(base.set(database=name).render_as_string(hide_password=False), paths,
                                       args.workers))
                    print(json.dumps(results[-1], ensure_ascii=False), flush=True)
                finally:
                    _drop_database(admin, name)
                    admin.dispose()


if __name__ == "__main__":
    main()
