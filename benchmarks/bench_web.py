"""Benchmark: the web application's answers over a store of 10,000 realistic reports.

    .venv/bin/python benchmarks/bench_web.py                 # build the store once (kept), then time
    .venv/bin/python benchmarks/bench_web.py --store /tmp/gk-web-10k.db --rounds 20

Inputs: `../shared/corpus/synthetic` repeated to N distinct reports of distinct organs (the same inputs as
`bench_ingest.py`: each copy is another organ's report), ingested into a SQLite store (kept at `--store`, so
later runs only time). Requests go through the ASGI application in this process (FastAPI's TestClient: no
network, no server), so the figures are the application's own time: SQL, templates, JSON.

Timed (median and worst of `--rounds`): the corpus page `/` (first page, sorted by organ), the same sorted by
disclosure rate, filtered by a province, and `/api/reports` with the same; a report page and its API; and, when
the compare page exists, `/compare` and `/api/compare` over two regions. Targets (issue 13): list < 300 ms,
comparison < 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_ingest import make_inputs


def build(store_path: Path, n: int) -> None:
    from gongkai.ingest import ingest
    from gongkai.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        paths = make_inputs(Path(tmp), n, any_province=True)
        with open_store(f"sqlite:///{store_path}") as store:
            started = time.monotonic()
            summary = ingest(store, paths)
            print(f"stored {summary.stored} reports in {time.monotonic() - started:.0f} s → {store_path}")


def timed(client, path: str, rounds: int) -> tuple[float, float, int]:
    times = []
    status = 0
    for _ in range(rounds):
        started = time.perf_counter()
        res = client.get(path)
        times.append(time.perf_counter() - started)
        status = res.status_code
    return statistics.median(times) * 1000, max(times) * 1000, status


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, default=Path(tempfile.gettempdir()) / "gongkai-bench-web-10k.db")
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    if not args.store.exists():
        build(args.store, args.n)
    from fastapi.testclient import TestClient

    from gongkai.web import WebSettings, create_app

    with TestClient(create_app(WebSettings(db_url=f"sqlite:///{args.store}", secret_key="bench"))) as client:
        count = client.get("/api/reports?per_page=1").json()["count"]
        some = client.get("/api/reports?per_page=1&sort=new_requests&desc=true").json()["items"][0]["id"]
        provinces = client.get("/api/choices").json()["provinces"]
        province = provinces[0] if provinces else ""
        paths = ["/", "/?sort=disclosure_rate&desc=true", f"/?region={province}", "/api/reports",
                 "/api/reports?sort=disclosure_rate&desc=true", f"/api/reports?region={province}&sort=new_requests",
                 f"/reports/{some}", f"/api/reports/{some}"]
        if len(provinces) >= 2:
            paths += [f"/compare?region={provinces[0]}&region={provinces[1]}",
                      f"/api/compare?region={provinces[0]}&region={provinces[1]}"]
        print(f"{count} reports stored; {args.rounds} rounds each (median / worst, ms)")
        for path in paths:
            median, worst, status = timed(client, path, args.rounds)
            print(f"  {median:7.1f} / {worst:7.1f}  [{status}]  {path}")


if __name__ == "__main__":
    main()
