"""`gongkai ingest` / `reparse` on a Dask cluster (a LocalCluster of worker processes on this machine): what the
cluster stores equals, row for row, what the single-machine ingest stores; a worker killed mid-run loses nothing;
two cluster ingests at once stay correct; a file that hangs or kills its process is reported and the rest stored."""

from __future__ import annotations

import functools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from storekit import PG_ENV, _drop_pg_database, _fresh_pg_database, gongkai_exe, write_reports

from gongkai.bounded import Limits
from gongkai.ingest import ingest
from gongkai.ingest.prepare import prepare
from gongkai.render.layouts import render_html, render_text
from gongkai.render.synthetic import synthesize
from gongkai.store import Store, cells, findings, ingest_log, open_store, originals, reports

distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")
cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the test's work hooks travel to the workers

SEEDS = Path(__file__).parents[1] / "fixtures" / "seeds"
PLACES = ("长沙县", "浏阳市", "宁乡市", "岳阳县", "株洲市天元区", "湘潭县", "衡阳县", "邵东市")
BUREAUS = ("教育局", "财政局", "民政局", "交通运输局", "卫生健康局", "水利局", "农业农村局", "司法局", "生态环境局",
           "商务局")
N_TEXT = 240


# --- fixtures -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A client of a LocalCluster: two worker processes of one thread each (their nannies restart a killed one)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc, \
            distributed.Client(lc, set_as_default=False) as client:
        yield client


def _organ_year(i: int) -> tuple[str, int]:
    """Distinct organ and year for report i (no two in one version group: storing order cannot matter)."""
    organs = [p + b for b in BUREAUS for p in PLACES]
    return organs[i % len(organs)], 2019 + i // len(organs) * 2


def _report(i: int) -> Any:
    organ, year = _organ_year(i)
    return synthesize("2019" if year < 2021 else "2021", random.Random(i), organ=organ, year=year)


def _documents(folder: Path, first: int) -> list[Path]:
    """A DOCX or two, and with LibreOffice a text PDF and the same report scanned (pictures, read by OCR)."""
    from gongkai.render.docx import synthetic_page, to_docx

    out = []
    for k in range(2):
        p = folder / f"word{k}.docx"
        p.write_bytes(to_docx(synthetic_page(_report(first + k))))
        out.append(p)
    if shutil.which("soffice") is None:
        return out
    import pypdfium2

    from gongkai.render.pdf import scanned_pdf, to_pdf

    pdf = to_pdf(synthetic_page(_report(first + 2)))
    (folder / "text.pdf").write_bytes(pdf)
    scan = to_pdf(synthetic_page(_report(first + 3)))
    pages = [page.render(scale=150 / 72).to_pil() for page in pypdfium2.PdfDocument(scan)]
    (folder / "scan.pdf").write_bytes(scanned_pdf(pages, dpi=150))
    return [*out, folder / "text.pdf", folder / "scan.pdf"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A few hundred reports of every kind: scraped text in three layouts, HTML, DOCX, PDF, a scan, the seeds."""
    folder = tmp_path_factory.mktemp("corpus")
    files = []
    for i in range(N_TEXT):
        rep = _report(i)
        if i % 4 == 3:
            p = folder / f"page{i:04d}.html"
            p.write_text(render_html(rep), encoding="utf-8")
        else:
            p = folder / f"text{i:04d}.txt"
            p.write_text(render_text(rep, ("cells", "lines", "pipes")[i % 4]), encoding="utf-8")
        files.append(p)
    files += _documents(folder, N_TEXT)
    for seed in sorted(SEEDS.iterdir()):
        files.append(folder / seed.name)
        shutil.copy(seed, files[-1])
    (folder / "notes.txt").write_text("这不是年度报告，只是一段说明。\n", encoding="utf-8")  # fails the same everywhere
    return [*files, folder / "notes.txt"]


@pytest.fixture(scope="module")
def reference(corpus: list[Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the single-machine ingest (in this process) stores of the corpus."""
    with open_store(f"sqlite:///{tmp_path_factory.mktemp('local') / 'local.db'}") as store:
        ingest(store, [str(p) for p in corpus], workers=0)
        return snapshot(store)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cluster.db'}"
        return
    url = _pg_database()
    try:
        yield url
    finally:
        _drop_pg_database(url)


def _pg_database() -> str:
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set in CI")
        pytest.skip(f"PostgreSQL tests need {PG_ENV}")
    return _fresh_pg_database(base)


# --- what is stored -------------------------------------------------------------------------------

def snapshot(store: Store) -> dict[str, Any]:
    """Everything an ingest stores, keyed by content and path (ids, timestamps and run ids left out)."""
    skip = {"id", "created_at", "updated_at"}
    with store.reading() as conn:
        sha_of = dict(conn.execute(select(reports.c.id, reports.c.sha256)).all())
        return {
            "originals": {r.sha256: tuple(r) for r in conn.execute(
                select(originals.c.sha256, originals.c.size, originals.c.media_type, originals.c.first_path,
                       originals.c.content))},
            "reports": {r.sha256: {k: v for k, v in r._mapping.items() if k not in skip}
                        for r in conn.execute(select(reports))},
            "cells": sorted(((sha_of[r.report_id], *tuple(r)[1:]) for r in conn.execute(select(cells))), key=repr),
            "findings": sorted(((sha_of[r.report_id], r.code, r.severity, r.message, r.cells, r.expected, r.actual,
                                 r.line) for r in conn.execute(select(findings))), key=repr),
            "log": Counter((r.path, r.sha256, r.status, r.reason, r.message) for r in conn.execute(
                select(ingest_log.c.path, ingest_log.c.sha256, ingest_log.c.status, ingest_log.c.reason,
                       ingest_log.c.message))),
        }


def assert_same(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert got["originals"].keys() == want["originals"].keys()
    assert got["originals"] == want["originals"]
    for sha, row in want["reports"].items():
        assert got["reports"][sha] == row, f"report {row['path']} differs"
    assert got["reports"].keys() == want["reports"].keys()
    assert got["cells"] == want["cells"]
    assert got["findings"] == want["findings"]
    assert got["log"] == want["log"]


def assert_versions_consistent(store: Store) -> None:
    """One current reading per organ and year, versions numbered 1..n, each original stored once with its report."""
    with store.reading() as conn:
        rows = conn.execute(select(reports.c.sha256, reports.c.organ_key, reports.c.year, reports.c.version,
                                   reports.c.is_current, reports.c.is_best)).all()
        shas = list(conn.execute(select(originals.c.sha256)).scalars())
    assert sorted(shas) == sorted(r.sha256 for r in rows)
    groups: dict[tuple[Any, Any], list[Any]] = {}
    for r in rows:
        groups.setdefault((r.organ_key, r.year), []).append(r)
    for members in groups.values():
        assert sorted({m.version for m in members}) == list(range(1, max(m.version for m in members) + 1))
        assert sum(m.is_current for m in members) == 1


# --- work hooks (run in the workers' bounded children) ----------------------------------------------

def _kill_worker_once(item: tuple[str | None, bytes], victim: str, marker: str) -> Any:
    """On `victim`, the first time: SIGKILL the Dask worker process running this file (the child's parent)."""
    if item[0] is not None and item[0].endswith(victim) and not os.path.exists(marker):
        Path(marker).write_text("killed", encoding="utf-8")
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(60)  # dies with its parent
    return prepare(item[1], item[0])


def _misbehave(item: tuple[str | None, bytes]) -> Any:
    """A file named hang… never finishes; one named crash… kills its own process; the rest are read."""
    name = os.path.basename(item[0] or "")
    if name.startswith("hang"):
        time.sleep(3600)
    if name.startswith("crash"):
        os._exit(3)
    return prepare(item[1], item[0])


# --- tests ----------------------------------------------------------------------------------------

def test_cluster_stores_what_the_local_ingest_stores(cluster: Any, corpus: list[Path], reference: dict[str, Any],
                                                     empty_url: str) -> None:
    from gongkai.ingest.cluster import ingest_cluster

    assert len(reference["reports"]) >= len(corpus) - 1  # every report read; only the note is refused
    with open_store(empty_url) as store:
        summary = ingest_cluster(store, [str(p) for p in corpus], cluster=cluster)
        assert summary.read == len(corpus)
        assert summary.stored == len(reference["reports"])
        assert [f.reason for f in summary.failed] == ["not_a_report"]
        assert_same(snapshot(store), reference)
        again = ingest_cluster(store, [str(p) for p in corpus], cluster=cluster)  # resumable: all known
        assert (again.stored, again.duplicates) == (0, len(reference["reports"]))


def test_killing_a_worker_mid_run_loses_nothing(cluster: Any, corpus: list[Path], reference: dict[str, Any],
                                                tmp_path: Path) -> None:
    from gongkai.ingest.cluster import ingest_cluster, reparse_cluster

    before = set(cluster.scheduler_info()["workers"])
    marker = tmp_path / "killed"
    victim = corpus[len(corpus) // 2].name
    work = functools.partial(_kill_worker_once, victim=victim, marker=str(marker))
    with open_store(f"sqlite:///{tmp_path / 'kill.db'}") as store:
        summary = ingest_cluster(store, [str(p) for p in corpus], cluster=cluster, work=work)
        assert marker.exists(), "the worker was not killed"
        assert [f.reason for f in summary.failed] == ["not_a_report"]
        assert summary.stored == len(reference["reports"])
        assert_same(snapshot(store), reference)
        # the nanny replaced the killed worker: a new address
        deadline = time.monotonic() + 60
        while len(cluster.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert set(cluster.scheduler_info()["workers"]) != before

        # reparse through the cluster: every report re-extracted, the same data (the extractor has not changed)
        rs = reparse_cluster(store, cluster=cluster, batch_size=50)
        assert (rs.seen, rs.updated, rs.failed) == (len(reference["originals"]), len(reference["reports"]), [])
        got = snapshot(store)
        assert got["cells"] == reference["cells"] and got["findings"] == reference["findings"]


def test_a_file_that_hangs_or_crashes_is_reported_and_the_rest_stored(cluster: Any, tmp_path: Path) -> None:
    from gongkai.ingest.cluster import ingest_cluster

    files = write_reports(tmp_path / "in", 12, seed=11, distinct=True)
    shutil.copy(files[0], tmp_path / "in" / "hang.txt")
    (tmp_path / "in" / "hang.txt").write_text(files[0].read_text("utf-8") + "\n挂起", encoding="utf-8")
    (tmp_path / "in" / "crash.txt").write_text(files[1].read_text("utf-8") + "\n崩溃", encoding="utf-8")
    with open_store(f"sqlite:///{tmp_path / 'hang.db'}") as store:
        started = time.monotonic()
        summary = ingest_cluster(store, [str(tmp_path / "in")], cluster=cluster, work=_misbehave,
                                 limits=Limits(timeout=3))
        assert time.monotonic() - started < 60
        failed = {Path(f.path or "").name: f for f in summary.failed}
        assert failed.keys() == {"hang.txt", "crash.txt"}
        assert failed["hang.txt"].reason == "timeout" and "超时" in failed["hang.txt"].message
        assert failed["crash.txt"].reason == "worker_crashed"
        assert summary.stored == 12
        text = summary.text()
        assert "失败 2" in text and "hang.txt" in text and "集群" in text


def test_originals_under_an_fsspec_url(cluster: Any, tmp_path: Path) -> None:
    from gongkai.ingest.cluster import ingest_cluster

    files = write_reports(tmp_path / "bucket" / "2024", 6, seed=5, distinct=True)
    url = (tmp_path / "bucket").as_uri()
    with open_store(f"sqlite:///{tmp_path / 'url.db'}") as store:
        summary = ingest_cluster(store, [url], cluster=cluster)
        assert (summary.read, summary.stored, summary.failed) == (6, 6, [])
        paths = sorted(r["path"] for r in snapshot(store)["reports"].values())
        assert paths == sorted(f.as_uri() for f in files)


def test_two_cluster_ingests_at_once_into_postgresql(cluster: Any, tmp_path: Path) -> None:
    url = _pg_database()
    try:
        files = write_reports(tmp_path / "all", 160, seed=7)  # organs and years repeat: several versions
        for name, part in (("a", files[:110]), ("b", files[50:])):
            (tmp_path / name).mkdir()
            for f in part:
                shutil.copy(f, tmp_path / name / f.name)
        address = cluster.scheduler.address
        runs = [subprocess.Popen([gongkai_exe(), "ingest", "--db", url, str(tmp_path / name), "--cluster", address,
                                  "--no-progress", "--json", "--batch", "10"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for name in ("a", "b")]
        outs = [r.communicate(timeout=300) for r in runs]
        for r, (_out, err) in zip(runs, outs, strict=True):
            assert r.returncode == 0, err
        results = [json.loads(out) for out, _err in outs]
        assert [r["cluster"]["scheduler"] for r in results] == [address, address]
        assert sum(r["stored"] for r in results) == 160  # each content stored once, by one of them
        assert [r["stored"] + r["duplicates"] for r in results] == [110, 110]
        with open_store(url) as store:
            assert store.counts()["reports"] == 160
            assert_versions_consistent(store)
    finally:
        _drop_pg_database(url)


def test_cluster_that_cannot_be_reached_is_a_clear_error(tmp_path: Path) -> None:
    files = write_reports(tmp_path / "in", 1, seed=1)
    done = subprocess.run([gongkai_exe(), "ingest", "--db", f"sqlite:///{tmp_path / 'x.db'}", str(files[0]),
                           "--no-progress"], env={**os.environ, "GONGKAI_CLUSTER": "tcp://127.0.0.1:9"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "无法连接集群调度器 tcp://127.0.0.1:9" in done.stderr
