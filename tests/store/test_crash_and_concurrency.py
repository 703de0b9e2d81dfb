"""A real `kill -9` of `gongkai ingest` mid-batch loses nothing committed and leaves no half-stored
report; the rerun completes. Two ingests into the same store at once are safe."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import func, select
from storekit import gongkai_exe, write_reports

from gongkai.ingest.prepare import prepare
from gongkai.store import Store, cells, findings, ingest_log, originals, reports


def _n_reports(store: Store) -> int:
    with store.reading() as conn:
        return conn.execute(select(func.count()).select_from(reports)).scalar_one()


def assert_consistent(store: Store, files: list[Path]) -> None:
    """Every stored report is whole: its original, every cell and finding its content gives, its log
    entry; no original without its report; one current version per organ and year, numbered 1..n."""
    by_sha = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in files}
    with store.reading() as conn:
        rows = conn.execute(select(reports.c.id, reports.c.sha256, reports.c.organ_key, reports.c.year,
                                   reports.c.version, reports.c.is_current, reports.c.n_errors,
                                   reports.c.n_warnings, reports.c.n_info)).all()
        shas = set(conn.execute(select(originals.c.sha256)).scalars())
        n_cells = dict(conn.execute(select(cells.c.report_id, func.count()).group_by(cells.c.report_id)).all())
        n_findings = dict(conn.execute(select(findings.c.report_id, func.count())
                                       .group_by(findings.c.report_id)).all())
        logged = set(conn.execute(select(ingest_log.c.report_id)
                                  .where(ingest_log.c.status.in_(["stored", "new_version"]))).scalars())
    assert shas == {r.sha256 for r in rows}, "an original without its report, or the reverse"
    assert len(rows) == len(shas)
    for r in rows:
        expected = prepare(by_sha[r.sha256].read_bytes(), str(by_sha[r.sha256]))
        assert n_cells.get(r.id, 0) == len(expected.cells), f"report {r.id}: cells half-stored"
        assert n_findings.get(r.id, 0) == len(expected.findings) == r.n_errors + r.n_warnings + r.n_info
        assert r.id in logged
    groups: dict[tuple, list] = {}
    for r in rows:
        groups.setdefault((r.organ_key, r.year), []).append(r)
    for members in groups.values():
        assert sorted(m.version for m in members) == list(range(1, len(members) + 1))
        assert sum(m.is_current for m in members) == 1
        assert max(members, key=lambda m: m.version).is_current


def _ingest_cmd(url: str, folder: Path, *extra: str) -> list[str]:
    return [gongkai_exe(), "ingest", "--db", url, str(folder), "--no-progress", "--json", *extra]


def test_kill_9_mid_batch_then_resume(store: Store, tmp_path: Path) -> None:
    files = write_reports(tmp_path / "in", 300, seed=3)
    proc = subprocess.Popen(_ingest_cmd(store.url, tmp_path / "in", "--workers", "2", "--batch", "10"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while _n_reports(store) < 40:
        assert proc.poll() is None, f"ingest ended before it could be killed: {proc.communicate()}"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # the real thing, mid-batch
    proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # its orphaned workers
    assert proc.returncode == -signal.SIGKILL
    committed = _n_reports(store)
    assert 40 <= committed < 300, "the kill should land mid-batch"
    assert_consistent(store, files)

    done = subprocess.run(_ingest_cmd(store.url, tmp_path / "in"), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["failed"] == []
    assert summary["duplicates"] == committed and summary["stored"] == 300 - committed
    assert _n_reports(store) == 300
    assert_consistent(store, files)


def test_two_ingests_at_once(store: Store, tmp_path: Path) -> None:
    files = write_reports(tmp_path / "in", 160, seed=5)  # 10 organs x few years: many versions too
    procs = [subprocess.Popen(_ingest_cmd(store.url, tmp_path / "in", "--workers", "1", "--batch", "7"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert json.loads(out)["failed"] == []
    sums = [json.loads(out) for out, _ in outs]
    assert sum(s["stored"] for s in sums) == 160
    assert sum(s["duplicates"] for s in sums) == 160
    assert _n_reports(store) == 160
    assert_consistent(store, files)
