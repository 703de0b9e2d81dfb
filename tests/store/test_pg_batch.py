"""PostgreSQL's batch writer (a few statements and COPY per batch) stores exactly what SQLAlchemy Core
stores one file at a time: the same values and types, defaults for the columns a report row lacks, units
and NULLs, versions and the current one, duplicates, the log."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from storekit import PG_ENV, PG_SKIP, _drop_pg_database, _fresh_pg_database, render, synthetic, write_reports
from test_sqlite_batch import _odd_reports

from gongkai.ingest.prepare import prepare
from gongkai.store import Store, open_store

_IGNORED = {"id", "added_at", "created_at", "updated_at", "at", "run_id"}
_ORDER = {"originals": "sha256", "reports": "id", "cells": "report_id, tbl, row_key, col_key",
          "findings": "id", "ingest_log": "id"}


@pytest.fixture
def two_stores() -> Iterator[tuple[Store, Store]]:
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set in CI")
        pytest.skip(PG_SKIP)
    urls = [_fresh_pg_database(base), _fresh_pg_database(base)]
    stores = [open_store(u) for u in urls]
    try:
        yield stores[0], stores[1]
    finally:
        for s, u in zip(stores, urls, strict=True):
            s.close()
            _drop_pg_database(u)


def _dump(store: Store) -> dict[str, list[tuple]]:
    """Every table's rows with values and PostgreSQL types, ids and timestamps left out (cells and
    findings keyed by their report's sha256), in storing order."""
    out = {}
    with store.reading() as conn:
        sha_of = dict(conn.execute(text("SELECT id, sha256 FROM reports")).all())
        for table, order in _ORDER.items():
            cols = [r[0] for r in conn.execute(text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = :t ORDER BY ordinal_position"),
                {"t": table}) if r[0] not in _IGNORED]
            picked = ", ".join(f"{c}, pg_typeof({c})::text" for c in cols)
            rows = [tuple(r) for r in conn.execute(text(f"SELECT {picked} FROM {table} ORDER BY {order}"))]
            if "report_id" in cols:
                i = 2 * cols.index("report_id")
                rows = sorted((*r[:i], sha_of.get(r[i]), *r[i + 1:]) for r in rows) if table == "cells" else [
                    (*r[:i], sha_of.get(r[i]), *r[i + 1:]) for r in rows]
            out[table] = rows
    return out


def test_batch_writer_stores_what_core_stores(two_stores: tuple[Store, Store], tmp_path: Path) -> None:
    fast, core = two_stores
    files = write_reports(tmp_path / "in", 10, distinct=True)
    for seed in (1, 2, 3):  # three versions of one organ's report for one year: two land in one batch
        files.append(tmp_path / f"v{seed}.txt")
        files[-1].write_text(render(synthetic(seed, organ="浏阳市人民政府", year=2022, fmt="2021")), encoding="utf-8")
    items = [(prepare(p.read_bytes(), str(p)), p.read_bytes()) for p in files] + [
        (p, b"odd") for p in _odd_reports()]
    items.append(items[0])  # the same content again (stored in an earlier batch): a duplicate
    items.insert(9, items[8])  # and within one batch
    failed = [{"path": "bad.bin", "sha256": "0" * 64, "status": "failed", "reason": "unreadable", "message": "坏"}]
    batches = ((items[:12], failed), (items[12:], []))

    for batch, log in batches:
        fast.save_batch("run", batch, log)
    for batch, log in batches:
        with core.writing() as conn:
            entries = list(log)
            for p, data in batch:
                s = core.save(conn, p, data)
                entries.append({"path": p.path, "sha256": p.sha256, "status": s.status, "report_id": s.report_id})
            core.log(conn, "run", entries)

    fast_rows, core_rows = _dump(fast), _dump(core)
    for table in core_rows:
        assert fast_rows[table] == core_rows[table], table
    statuses = [r[4] for r in fast_rows["ingest_log"]]  # (path, type, sha256, type, status …)
    assert statuses.count("new_version") == 2 and statuses.count("duplicate") == 2
    with fast.reading() as conn:
        versions = conn.execute(text("SELECT path, version, is_current FROM reports WHERE path LIKE '%/v_.txt' "
                                     "ORDER BY version")).all()
    assert [(Path(p).name, v, c) for p, v, c in versions] == [("v1.txt", 1, False), ("v2.txt", 2, False),
                                                              ("v3.txt", 3, True)]
