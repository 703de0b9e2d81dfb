"""Ingest writes from a thread of its own while files are read and parsed: every file is accounted for
once, progress adds up, batches land in the order they were handed over (the last version stored is the
current one), and a store that fails stops the ingest with its error instead of losing files silently."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from storekit import render, synthetic, write_reports

from gongkai.ingest import ingest
from gongkai.store import Store, ingest_log, reports


def test_every_file_is_counted_once_and_progress_adds_up(store: Store, tmp_path: Path) -> None:
    files = [str(p) for p in write_reports(tmp_path / "in", 30, distinct=True)]
    files.append(files[0])  # the same file twice: a duplicate, settled before parsing
    (tmp_path / "in" / "note.txt").write_text("今天天气很好。\n", encoding="utf-8")
    files.append(str(tmp_path / "in" / "note.txt"))
    done: list[int] = []
    s = ingest(store, files, workers=2, batch_size=4, chunk_size=3, advance=done.append)
    assert (s.stored, s.duplicates, len(s.failed)) == (30, 1, 1)
    assert sum(done) == len(files)
    assert len(s.report_ids) == len(set(s.report_ids)) == 30
    with store.reading() as conn:
        logged = dict(conn.execute(select(ingest_log.c.status, func.count()).group_by(ingest_log.c.status)).all())
    assert logged == {"stored": 30, "duplicate": 1, "failed": 1}


def _editions(folder: Path, n: int) -> list[str]:
    """`n` editions of one organ's report for one year."""
    folder.mkdir()
    paths = []
    for seed in range(n):
        p = folder / f"v{seed}.txt"
        p.write_text(render(synthetic(seed, organ="浏阳市人民政府", year=2022, fmt="2021")), encoding="utf-8")
        paths.append(str(p))
    return paths


def _versions(store: Store) -> list[tuple[str, int, bool]]:
    with store.reading() as conn:
        rows = conn.execute(select(reports.c.path, reports.c.version, reports.c.is_current)
                            .order_by(reports.c.version)).all()
    return [(Path(p).name, v, c) for p, v, c in rows]


def test_versions_follow_the_order_of_storing(store: Store, tmp_path: Path) -> None:
    s = ingest(store, _editions(tmp_path / "a", 5), workers=0, batch_size=2)  # over several batches
    assert (s.stored, s.new_versions) == (5, 4)
    assert _versions(store) == [(f"v{i}.txt", i + 1, i == 4) for i in range(5)]


def test_parallel_editions_get_one_current_version(store: Store, tmp_path: Path) -> None:
    """Workers finish in any order: each edition still gets its own number and only the last is current."""
    s = ingest(store, _editions(tmp_path / "b", 6), workers=2, batch_size=2, chunk_size=1)
    assert (s.stored, s.new_versions) == (6, 5)
    versions = _versions(store)
    assert [v for _, v, _ in versions] == [1, 2, 3, 4, 5, 6]
    assert [c for _, _, c in versions] == [False] * 5 + [True]


def test_a_failing_store_stops_the_ingest_with_its_error(store: Store, tmp_path: Path, monkeypatch) -> None:
    files = [str(p) for p in write_reports(tmp_path / "in", 12, distinct=True)]
    calls: list[int] = []

    def broken(run_id, items, failed=()):
        calls.append(len(items))
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(store, "save_batch", broken)
    with pytest.raises(RuntimeError, match="磁盘已满"):
        ingest(store, files, workers=2, batch_size=3)
    assert calls  # it was tried, and nothing was reported stored
    monkeypatch.undo()
    with store.reading() as conn:
        assert conn.execute(select(func.count()).select_from(reports)).scalar_one() == 0
    assert ingest(store, files, workers=0).stored == 12  # the next run stores them all
