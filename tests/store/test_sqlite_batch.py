"""SQLite's batch writer (raw DBAPI statements) stores exactly what SQLAlchemy Core stores: the same
values and types, defaults for the columns a report row lacks, units and NULLs, versions, the log."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from pathlib import Path

from storekit import render, synthetic, write_reports

from gongkai.ingest.prepare import prepare
from gongkai.ingest.resolve import resolve
from gongkai.store import Prepared, open_store

_IGNORED = {"id", "added_at", "created_at", "updated_at", "at", "run_id"}


def _dump(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows with values and SQLite storage types, ids and timestamps left out (cells
    and findings keyed by their report's sha256), in storing order."""
    con = sqlite3.connect(db)
    sha_of = dict(con.execute("SELECT id, sha256 FROM reports"))
    out = {}
    for table, order in (("originals", "rowid"), ("reports", "id"), ("cells", "rowid"), ("findings", "id"),
                         ("ingest_log", "id")):
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] not in _IGNORED]
        picked = ", ".join(f"{c}, typeof({c})" for c in cols)
        rows = con.execute(f"SELECT {picked} FROM {table} ORDER BY {order}").fetchall()
        if "report_id" in cols:
            i = 2 * cols.index("report_id")
            rows = [(*r[:i], sha_of.get(r[i]), *r[i + 1:]) for r in rows]
        out[table] = rows
    con.close()
    return out


def _odd_reports() -> list[Prepared]:
    """Rows the generated corpus lacks: no organ (fewer columns), no publication date, a cell with a
    unit, a legacy cell without raw text or provenance, findings with and without JSON values."""
    out = []
    for i, organ in enumerate((None, "长沙县人民政府")):
        row = {"title": f"报告{i}", "organ": organ, "year": 2022, "format": "2021",
               "published": None if organ is None else date(2023, 1, 20), "recognised": True,
               "extractor_version": "test", "n_errors": 1, "n_warnings": 0, "n_info": 1, **resolve(organ, 2022)}
        cells = [("proactive", "fees", "amount", 12.5, "12.5", "万元", '{"line":3}'),
                 ("legacy", "requests_received", "value", 7.0, None, None, None),
                 ("requests", "total", "granted", 0.0, "0", None, '{"line":9}')]
        findings = [("a.b", "error", "问题", '["requests.total.granted"]', "1", "2", 9),
                    ("c.d", "info", "提示", "[]", None, None, None)]
        sha = hashlib.sha256(f"odd {i}".encode()).hexdigest()
        out.append(Prepared(sha, f"odd{i}.txt", 3, "text/plain", row=row, report_json=f'{{"名":"报告{i}"}}'.encode(),
                            cells=cells, findings=findings))
    return out


def test_batch_writer_stores_what_core_stores(tmp_path: Path) -> None:
    files = write_reports(tmp_path / "in", 10)
    for seed in (1, 2):  # two versions of one organ's report for one year
        files.append(tmp_path / f"v{seed}.txt")
        files[-1].write_text(render(synthetic(seed, organ="浏阳市人民政府", year=2022, fmt="2021")), encoding="utf-8")
    items = [(prepare(p.read_bytes(), str(p)), p.read_bytes()) for p in files] + [
        (p, b"odd") for p in _odd_reports()]
    items.append(items[0])  # the same content again: a duplicate
    failed = [{"path": "bad.bin", "sha256": "0" * 64, "status": "failed", "reason": "unreadable", "message": "坏"}]

    fast = open_store(f"sqlite:///{tmp_path / 'fast.db'}")
    fast.save_batch("run", items[:7], failed)
    fast.save_batch("run", items[7:], [])
    fast.close()

    core = open_store(f"sqlite:///{tmp_path / 'core.db'}")
    for batch, log in ((items[:7], failed), (items[7:], [])):
        with core.writing() as conn:
            entries = list(log)
            for p, data in batch:
                s = core.save(conn, p, data)
                entries.append({"path": p.path, "sha256": p.sha256, "status": s.status, "report_id": s.report_id})
            core.log(conn, "run", entries)
    core.close()

    fast_rows, core_rows = _dump(tmp_path / "fast.db"), _dump(tmp_path / "core.db")
    assert [len(fast_rows[t]) for t in fast_rows] == [len(core_rows[t]) for t in core_rows]
    for table in core_rows:
        assert fast_rows[table] == core_rows[table], table
    assert any(r[4] == "new_version" for r in fast_rows["ingest_log"])  # (path, sha256, status …) with types
    assert {r[12:14] for r in fast_rows["cells"]} == {(None, "null"), ("万元", "text")}  # unit, its type
