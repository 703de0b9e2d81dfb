"""Benchmark: `gongkai ingest` through a Dask cluster against the local path, side by side on this machine, and
what one file of each kind costs (for the arithmetic of a national year in docs/cluster.md).

    .venv/bin/python benchmarks/bench_cluster.py                 # both corpora, workers = the machine's cores
    .venv/bin/python benchmarks/bench_cluster.py --workers 2 --no-costs

Inputs: the development corpus `../shared/corpus/synthetic` (text and HTML) and `../shared/corpus/documents`
(DOCX, text PDF, scanned PDF), labels (`*.expected.json`) left out. Each path ingests every input into a fresh
SQLite store: the local path with `--workers` bounded worker processes (`gongkai.ingest.ingest`), the cluster path
through a `distributed.LocalCluster` of as many worker processes of one thread (`gongkai.ingest.cluster`). The
cluster is started, and its workers warmed up (gongkai imported, one small ingest), before the clock starts: a
real cluster is started once for many runs. Printed: files/s of each path and the cluster path's overhead as the
ratio of the two times; then, with `--costs`, the time of `prepare` (read, extract, check, resolve, rows) per
file of each kind on one core of this process, median, mean and largest. OCR runs one thread per worker on
both paths (OMP_NUM_THREADS=1, as Dask sets for its workers). The machine may be shared: run it when it is
quiet, and read the ratio rather than the rates.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KINDS = {"synthetic/.txt": "text", "synthetic/.html": "HTML", "docx/.docx": "DOCX", "pdf/.pdf": "PDF",
         "scanned/.pdf": "scanned"}


def inputs(root: Path) -> list[Path]:
    """Every report of both corpora (labels left out)."""
    files = sorted((root / "synthetic").iterdir()) + sorted((root / "documents").rglob("*"))
    return [f for f in files if f.is_file() and not f.name.endswith(".expected.json")]


def kind(path: Path) -> str:
    return KINDS.get(f"{path.parent.name}/{path.suffix}", "other")


def run_local(files: list[Path], workers: int, folder: Path) -> tuple[float, dict]:
    from gongkai.ingest import ingest
    from gongkai.store import open_store

    with open_store(f"sqlite:///{folder / 'local.db'}") as store:
        started = time.monotonic()
        summary = ingest(store, [str(f) for f in files], workers=workers)
        return time.monotonic() - started, summary.to_json()


def run_cluster(files: list[Path], workers: int, folder: Path) -> tuple[float, dict, float]:
    """(seconds of the ingest, its summary, seconds to start and warm the cluster)."""
    from distributed import Client, LocalCluster

    from gongkai.ingest.cluster import ingest_cluster
    from gongkai.store import open_store

    started = time.monotonic()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as lc, \
            Client(lc, set_as_default=False) as client:
        with open_store(f"sqlite:///{folder / 'warm.db'}") as warm:  # every worker imports gongkai
            ingest_cluster(warm, [str(f) for f in files[: 2 * workers]], cluster=client)
        ready = time.monotonic() - started
        with open_store(f"sqlite:///{folder / 'cluster.db'}") as store:
            started = time.monotonic()
            summary = ingest_cluster(store, [str(f) for f in files], cluster=client)
            return time.monotonic() - started, summary.to_json(), ready


def costs(files: list[Path]) -> dict[str, dict[str, float]]:
    """Seconds of `prepare` per file of each kind, on one core of this process."""
    from gongkai.ingest.prepare import prepare, warm_up

    warm_up()
    times: dict[str, list[float]] = {}
    for f in files:
        data = f.read_bytes()
        started = time.perf_counter()
        prepare(data, str(f))
        times.setdefault(kind(f), []).append(time.perf_counter() - started)
    return {k: {"files": len(v), "median": statistics.median(v), "mean": statistics.fmean(v), "max": max(v)}
            for k, v in times.items()}


def main() -> None:
    # One OCR thread per worker on both paths (Dask's default for its workers): the paths compare fairly, and the
    # per-file costs are of one core.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=SHARED, help="the folder holding synthetic/ and documents/")
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--costs", action=argparse.BooleanOptionalAction, default=True)
    args = ap.parse_args()
    files = inputs(args.corpus)
    by_kind = {k: sum(kind(f) == k for f in files) for k in KINDS.values()}
    print(f"{len(files)} files ({', '.join(f'{k} {n}' for k, n in by_kind.items())}), {args.workers} workers, "
          f"load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        local_s, local = run_local(files, args.workers, Path(tmp))
        cluster_s, cluster, ready = run_cluster(files, args.workers, Path(tmp))
    for name, secs, summary in (("local", local_s, local), ("cluster", cluster_s, cluster)):
        print(f"{name:8} {secs:7.1f} s  {len(files) / secs:6.1f} files/s  stored {summary['stored']}, "
              f"failed {len(summary['failed'])}")
    print(f"cluster started and warmed in {ready:.1f} s (not counted); overhead ratio cluster/local = "
          f"{cluster_s / local_s:.2f}")
    result = {"files": len(files), "workers": args.workers, "local_s": round(local_s, 2),
              "cluster_s": round(cluster_s, 2), "ratio": round(cluster_s / local_s, 3)}
    if args.costs:
        per = costs(files)
        print("per-file cost on one core (prepare: read, extract, check, resolve, rows):")
        for k, c in per.items():
            print(f"  {k:8} {c['files']:4d} files  median {c['median'] * 1000:8.1f} ms  mean {c['mean'] * 1000:8.1f} ms"
                  f"  max {c['max'] * 1000:8.1f} ms")
        result["costs"] = {k: {m: round(v, 4) for m, v in c.items()} for k, c in per.items()}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
