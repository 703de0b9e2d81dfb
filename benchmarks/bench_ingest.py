"""Benchmark: `gongkai ingest` of realistic reports, end to end — read, extract, check, resolve the organ,
store — into a fresh SQLite file or a fresh PostgreSQL database, on the machine's cores.

    .venv/bin/python benchmarks/bench_ingest.py --db sqlite              # 2,000 reports, best of 3
    .venv/bin/python benchmarks/bench_ingest.py --db postgres            # needs GONGKAI_TEST_PG_URL or --pg URL
    .venv/bin/python benchmarks/bench_ingest.py --db sqlite --stages     # also: where one report's time goes

PostgreSQL: `source scripts/services/postgres.sh` starts the test server and sets GONGKAI_TEST_PG_URL; each
run gets a database of its own, created from that URL and dropped afterwards.

Inputs: the development corpus `../shared/corpus/synthetic` (400 reports, text and HTML, every layout,
UTF-8 and GBK, Simplified and Traditional) repeated to N (default 2,000). Ingest stores a content only once,
so copy k > 0 of a report is the same report published by another organ: its organ's place name (the county,
city or province it starts with) is replaced, everywhere in the document, by another place name — written in
the document's own script and encoding — so each copy is a distinct report of a distinct organ and year,
as a crawl of many organs' sites gives. The copies are written to a temporary folder and never kept.

Each run prints the rate (reports per second over the whole `ingest` call, from listing the files to the last
commit), the CPU time per report of this process (reading files, hashing, the writer) and of the worker
processes (parse, check, organ, rows), and the 1-minute load average. On a shared machine the rate varies with
the load, the CPU times much less: compare versions with runs back to back, best of `--repeat`.

`--stages` first times the worker's steps in this process, one core, over the inputs: parse (read +
extract), check, organ resolution, the rows and JSON for the store, and sending the result to the parent
(pickling), so the share of parse in ingest's cost can be read off.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import random
import re
import resource
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "synthetic"
# The first place of an organ's name: 高平县人民政府 → 高平 (县), 广东省民政厅 → 广东 (省).
_PLACE = re.compile(r"(.{2,3}?)(省|自治区|市|县|区|街道|镇|乡)")
_PROVINCES = ("河北", "山西", "辽宁", "吉林", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南",
              "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海")
_FIRST = "安宝昌长城崇大德东丰凤福高广桂海和河红华怀黄江金靖乐临龙隆庐梅南宁平青庆瑞山上石双水顺泰通万文武西"
_SECOND = "安坝宝滨昌川城池丰峰冈港谷河湖华化江津康乐林陵宁平浦桥泉沙山水顺台塘田阳源远州庄"


def _corpus_cases(corpus: Path) -> list[tuple[Path, dict]]:
    """(source file, expected meta) of every case, in name order."""
    out = []
    for exp in sorted(corpus.glob("*.expected.json")):
        slug = exp.name.removesuffix(".expected.json")
        (src,) = [p for p in corpus.glob(f"{slug}.*") if not p.name.endswith(".json")]
        out.append((src, json.loads(exp.read_text(encoding="utf-8"))["meta"]))
    return out


def _variant(data: bytes, meta: dict, rng: random.Random, s2t: object, any_province: bool = False) -> bytes | None:
    """The report as another organ would publish it: its place name replaced everywhere (None if that
    cannot be done faithfully in the document's encoding). `any_province`: a province may get a made-up
    name too (there are only so many provinces for the copies of a provincial department's report)."""
    encoding = meta.get("encoding") or "utf-8"
    doc = data.decode(encoding)
    m = _PLACE.match(meta["organ"])
    if m is None:
        return None
    old = m.group(1)
    province = m.group(2) == "省" and not any_province
    new = rng.choice(_PROVINCES) if province else rng.choice(_FIRST) + rng.choice(_SECOND)
    if new == old:
        return None
    out = doc.replace(old, new)
    old_t, new_t = s2t.convert(old), s2t.convert(new)  # type: ignore[attr-defined]
    if old_t != old:  # a report in Traditional characters
        out = out.replace(old_t, new_t)
    if out == doc:
        return None
    try:
        return out.encode(encoding)
    except UnicodeEncodeError:
        return None


def make_inputs(folder: Path, n: int, corpus: Path = CORPUS, any_province: bool = False) -> list[str]:
    """`n` report files in `folder`: the corpus, then copies by other organs (see the module's doc);
    `any_province` for more copies than there are provinces (see `_variant`)."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    cases = _corpus_cases(corpus)
    paths: list[str] = []
    seen: set[str] = set()
    for i in range(n):
        src, meta = cases[i % len(cases)]
        copy = i // len(cases)
        data = src.read_bytes()
        rng = random.Random(f"{src.name}/{copy}")
        for _ in range(100 if copy else 0):
            other = _variant(data, meta, rng, s2t, any_province)
            if other is not None and hashlib.sha256(other).hexdigest() not in seen:
                data = other
                break
        else:
            if copy:
                raise RuntimeError(f"no distinct copy of {src.name}")
        seen.add(hashlib.sha256(data).hexdigest())
        p = folder / f"c{copy}_{src.name}"
        p.write_bytes(data)
        paths.append(str(p))
    return paths


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its ended child processes."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def _postgres_cpu() -> float | None:
    """CPU seconds of the local PostgreSQL server: its live processes and those that ended (the
    postmaster's reaped children). Counts every client's work, not only this benchmark's; None if the
    server's processes cannot be seen (another machine, another user)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, seen = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_text()
        except OSError:
            continue
        name, rest = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
        if name != "postgres":
            continue
        seen = True
        utime, stime, cutime, cstime = (int(x) for x in rest[11:15])
        total += (utime + stime) / tick
        try:
            parent = Path(f"/proc/{rest[1]}/stat").read_text()
        except OSError:
            parent = ""
        if "(postgres)" not in parent:  # the postmaster: add its ended backends
            total += (cutime + cstime) / tick
    return total if seen else None


def run(url: str, paths: list[str], workers: int | None) -> dict:
    """One ingest of `paths` into the (fresh) store at `url`."""
    from gongkai.ingest import ingest
    from gongkai.store import open_store

    store = open_store(url)
    postgres = make_url(url).get_backend_name() == "postgresql"
    server_before = _postgres_cpu() if postgres else None
    cpu_before = _cpu()
    started = time.monotonic()
    summary = ingest(store, paths, workers=workers)
    seconds = time.monotonic() - started
    parent, children = (after - before for after, before in zip(_cpu(), cpu_before, strict=True))
    store.close()  # the server's backend ends: its CPU time moves to the postmaster's children
    server_after = _postgres_cpu() if postgres else None
    store = open_store(url)
    counts = store.counts()
    store.close()
    per_report = 1000 / len(paths)
    server = {} if server_before is None or server_after is None else {
        "server_cpu_ms_per_report": round((server_after - server_before) * per_report, 2)}
    return {"backend": make_url(url).get_backend_name(), "reports": len(paths), "stored": summary.stored,
            "new_versions": summary.new_versions, "duplicates": summary.duplicates, "failed": len(summary.failed),
            "seconds": round(seconds, 2), "reports_per_second": round(len(paths) / seconds, 1),
            "parent_cpu_ms_per_report": round(parent * per_report, 2),
            "workers_cpu_ms_per_report": round(children * per_report, 2), **server,
            "load": round(os.getloadavg()[0], 1), "cells": counts["cells"], "findings": counts["findings"]}


def stages(paths: list[str]) -> dict:
    """CPU milliseconds per report of each step a worker takes, in this process (one core)."""
    import importlib

    from gongkai import parse_bytes

    prep = importlib.import_module("gongkai.ingest.prepare")  # the module (`gongkai.ingest.prepare` is a function)
    from gongkai.ingest.resolve import resolve

    prep.warm_up()
    t = dict.fromkeys(("read_hash", "parse", "check", "resolve", "rows_json", "pickle", "unpickle"), 0.0)
    sizes = []
    for path in paths:
        t0 = time.process_time()
        data = Path(path).read_bytes()
        hashlib.sha256(data).hexdigest()
        t1 = time.process_time()
        report = parse_bytes(data, path)
        t2 = time.process_time()
        found = prep._check(report)
        t3 = time.process_time()
        resolve(report.meta.organ, report.meta.year)
        t4 = time.process_time()
        p = prep.prepare_report(report, path)  # checks and resolves again: subtracted below
        t5 = time.process_time()
        blob = pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)
        t6 = time.process_time()
        pickle.loads(blob)
        t7 = time.process_time()
        sizes.append(len(blob))
        t["read_hash"] += t1 - t0
        t["parse"] += t2 - t1
        t["check"] += t3 - t2
        t["resolve"] += t4 - t3
        t["rows_json"] += (t5 - t4) - (t3 - t2) - (t4 - t3)
        t["pickle"] += t6 - t5
        t["unpickle"] += t7 - t6
        del found
    out = {k: round(v * 1000 / len(paths), 3) for k, v in t.items()}
    out["total"] = round(sum(out.values()), 3)
    out["parse_share"] = round(out["parse"] / out["total"], 2)
    out["pickled_kb"] = round(statistics.mean(sizes) / 1024, 1)
    return out


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


def run_postgres(base_url: str, paths: list[str], workers: int | None) -> dict:
    from gongkai.store import normalise_url

    base = make_url(normalise_url(base_url))
    name = f"gk_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\''))
    try:
        return run(base.set(database=name).render_as_string(hide_password=False), paths, workers)
    finally:
        _drop_database(admin, name)
        admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("-n", type=int, default=2_000, help="reports to ingest (the corpus repeated)")
    ap.add_argument("--repeat", type=int, default=3, help="runs, each into a fresh store; the best is reported")
    ap.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    ap.add_argument("--pg", default=os.environ.get("GONGKAI_TEST_PG_URL"),
                    help="PostgreSQL URL of a database to create the benchmark's databases from")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--stages", action="store_true", help="first time each step of a worker, one core")
    args = ap.parse_args()
    if args.db == "postgres" and not args.pg:
        ap.error("PostgreSQL: give --pg URL or set GONGKAI_TEST_PG_URL (source scripts/services/postgres.sh)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        paths = make_inputs(folder, args.n, args.corpus)
        size = sum(os.path.getsize(p) for p in paths) / len(paths) / 1024
        print(f"{len(paths)} reports ({size:.1f} KB on average) from {args.corpus}; CPUs: {os.cpu_count()}, "
              f"load: {os.getloadavg()[0]:.1f}", flush=True)
        if args.stages:
            print(json.dumps({"stages_ms_per_report": stages(paths)}), flush=True)
        results = []
        for i in range(args.repeat):
            if args.db == "sqlite":
                results.append(run(f"sqlite:///{Path(tmp) / f'bench{i}.db'}", paths, args.workers))
            else:
                results.append(run_postgres(args.pg, paths, args.workers))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        best = max(results, key=lambda r: r["reports_per_second"])
        print(f"best of {len(results)}: {best['reports_per_second']} reports/s into {best['backend']} "
              f"({best['parent_cpu_ms_per_report']} ms CPU per report in the writer, "
              f"{best['workers_cpu_ms_per_report']} ms in the workers)")


if __name__ == "__main__":
    main()
