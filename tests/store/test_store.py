"""The store on SQLite and PostgreSQL: schema from migrations, originals by SHA-256, duplicates,
versions, failures that never stop a batch, re-extraction from stored originals."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from storekit import SEEDS, render, synthetic, write_reports

from gongkai.ingest import ingest
from gongkai.ingest.reparse import reparse
from gongkai.store import Store, cells, findings, ingest_log, metadata, open_store, originals, reports
from gongkai.store.db import current_revision, head_revision


def _count(store: Store, table, *where) -> int:
    with store.reading() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_migrations_give_the_models_schema(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    assert current_revision(store.engine) == head_revision()
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    open_store(store.url).close()  # opening again is a no-op


def test_seeds_ingest_resolve_and_rerun_is_all_duplicates(store: Store) -> None:
    files = sorted(str(p) for p in SEEDS.iterdir())
    first = ingest(store, files, workers=0)
    assert (first.stored, first.duplicates, first.failed) == (5, 0, [])
    with store.reading() as conn:
        rows = {r.organ: r for r in conn.execute(select(reports))}
    places = {organ: (r.province, r.city, r.county, r.region_code) for organ, r in rows.items()}
    assert places["长沙县人民政府"] == ("湖南省", "长沙市", "长沙县", "430121")
    assert places["浏阳市人民政府"] == ("湖南省", "长沙市", "浏阳市", "430181")
    assert places["嶽陽縣人民政府"] == ("湖南省", "岳阳市", "岳阳县", "430621")
    assert places["成安县"] == ("河北省", "邯郸市", "成安县", "130424")
    office = rows["长沙市人民政府办公室"]
    assert (office.organ_kind, office.city, office.county) == ("department", "长沙市", None)
    assert office.region_code == "430100"
    assert office.parent == "长沙市人民政府"
    assert all(r.version == 1 and r.is_current for r in rows.values())
    n_cells, n_findings = _count(store, cells), _count(store, findings)
    assert n_cells > 400 and n_findings > 0

    again = ingest(store, files, workers=0)
    assert (again.stored, again.duplicates, again.failed) == (0, 5, [])
    assert (_count(store, originals), _count(store, reports), _count(store, cells), _count(store, findings)) == (
        5, 5, n_cells, n_findings)


def test_original_bytes_are_archived_by_sha256(store: Store, tmp_path: Path) -> None:
    import hashlib

    (path,) = write_reports(tmp_path / "in", 1)
    ingest(store, [str(path)], workers=0)
    with store.reading() as conn:
        row = conn.execute(select(originals)).one()
    data = path.read_bytes()
    assert bytes(row.content) == data and row.sha256 == hashlib.sha256(data).hexdigest() and row.size == len(data)


def test_same_content_in_one_batch_is_stored_once(store: Store, tmp_path: Path) -> None:
    (a,) = write_reports(tmp_path / "in", 1)
    b = tmp_path / "in" / "copy.txt"
    b.write_bytes(a.read_bytes())
    s = ingest(store, [str(a), str(b)], workers=0)
    assert (s.stored, s.duplicates) == (1, 1)
    assert _count(store, originals) == 1


def test_changed_version_becomes_current(store: Store, tmp_path: Path) -> None:
    rep = synthetic(7, organ="浏阳市人民政府", year=2022, fmt="2021")
    v1 = tmp_path / "v1.txt"
    v1.write_text(render(rep), encoding="utf-8")
    assert ingest(store, [str(v1)], workers=0).stored == 1
    rep.values["proactive"]["licensing"]["decisions"] += 1  # a corrected figure: new content, same organ/year
    v2 = tmp_path / "v2.txt"
    v2.write_text(render(rep), encoding="utf-8")
    s = ingest(store, [str(v2)], workers=0)
    assert (s.stored, s.new_versions) == (1, 1)
    with store.reading() as conn:
        rows = conn.execute(select(reports.c.path, reports.c.version, reports.c.is_current)
                            .order_by(reports.c.version)).all()
    assert [(Path(p).name, v, c) for p, v, c in rows] == [("v1.txt", 1, False), ("v2.txt", 2, True)]
    assert ingest(store, [str(v1)], workers=0).duplicates == 1  # the old content again: stored once
    with store.reading() as conn:
        current = conn.execute(select(reports.c.version).where(reports.c.is_current.is_(True))).scalars().all()
    assert current == [2]


def test_failures_never_stop_the_batch(store: Store, tmp_path: Path) -> None:
    good = write_reports(tmp_path / "in", 3)
    junk = tmp_path / "in" / "junk.bin"
    junk.write_bytes(b"\x00\x01\x02\xff" * 100)
    prose = tmp_path / "in" / "note.txt"
    prose.write_text("今天天气很好。\n", encoding="utf-8")
    missing = tmp_path / "in" / "missing.txt"
    files = [str(junk), str(good[0]), str(prose), str(missing), *map(str, good[1:])]
    s = ingest(store, files, workers=2)
    assert s.stored == 3 and len(s.failed) == 3
    reasons = {Path(f.path).name: f.reason for f in s.failed}
    assert reasons["note.txt"] == "not_a_report" and reasons["missing.txt"] == "unreadable"
    assert "junk.bin" in reasons and all(f.message for f in s.failed)
    assert _count(store, ingest_log, ingest_log.c.status == "failed") == 3
    assert "失败 3" in s.text()


def test_workers_and_inline_store_the_same(store: Store, tmp_path: Path) -> None:
    files = [str(p) for p in write_reports(tmp_path / "in", 24, distinct=True)]
    s = ingest(store, files, workers=2, batch_size=5, chunk_size=3)
    assert (s.stored, s.duplicates, s.failed) == (24, 0, [])
    with store.reading() as conn:
        per_report = dict(conn.execute(select(cells.c.report_id, func.count()).group_by(cells.c.report_id)).all())
    assert len(per_report) == 24 and min(per_report.values()) > 150


def test_reparse_uses_stored_originals(store: Store, tmp_path: Path) -> None:
    files = write_reports(tmp_path / "in", 6, distinct=True)
    ingest(store, [str(p) for p in files], workers=0)
    before = _count(store, cells)
    with store.writing() as conn:  # pretend an older extractor stored these, with less data
        conn.execute(reports.update().values(extractor_version="0.0.0+old"))
        conn.execute(cells.delete().where(cells.c.tbl == "requests"))
    for p in files:
        p.unlink()  # the sources are gone: reparse must not need them
    s = reparse(store, workers=0, outdated_only=True)
    assert (s.seen, s.updated, s.failed) == (6, 6, [])
    assert _count(store, cells) == before
    assert _count(store, reports, reports.c.extractor_version == "0.0.0+old") == 0
    assert reparse(store, workers=0, outdated_only=True).seen == 0
    assert reparse(store, workers=2).updated == 6


def test_reparse_moves_a_report_whose_organ_changes(store: Store, tmp_path: Path) -> None:
    a = synthetic(1, organ="长沙县人民政府", year=2022, fmt="2021")
    b = synthetic(2, organ="长沙县人民政府", year=2022, fmt="2021")
    for name, rep in (("a.txt", a), ("b.txt", b)):
        (tmp_path / name).write_text(render(rep), encoding="utf-8")
    ingest(store, [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], workers=0)
    with store.writing() as conn:  # as if an old extractor had misread b's organ
        conn.execute(reports.update().where(reports.c.path.like("%b.txt"))
                     .values(organ_key="误读机关", version=1, is_current=True))
        conn.execute(reports.update().where(reports.c.path.like("%a.txt")).values(is_current=True))
    reparse(store, workers=0)
    with store.reading() as conn:
        rows = conn.execute(select(reports.c.path, reports.c.organ_key, reports.c.version, reports.c.is_current)
                            .order_by(reports.c.id)).all()
    assert [(Path(p).name, k, v, c) for p, k, v, c in rows] == [
        ("a.txt", "长沙县人民政府", 1, False), ("b.txt", "长沙县人民政府", 2, True)]


def test_a_crashing_worker_fails_only_its_file(store: Store, tmp_path: Path, monkeypatch) -> None:
    import os

    import gongkai.ingest as ing

    real = ing.prepare

    def crashing(data: bytes, path: str | None):  # inherited by the forked workers
        if path and path.endswith("r00005.txt"):
            os._exit(1)
        return real(data, path)

    monkeypatch.setattr(ing, "prepare", crashing)
    files = [str(p) for p in write_reports(tmp_path / "in", 12, distinct=True)]
    s = ing.ingest(store, files, workers=2, chunk_size=4)
    assert s.stored == 11
    assert [(Path(f.path).name, f.reason) for f in s.failed] == [("r00005.txt", "worker_crashed")]


def test_override_file_settles_an_organ(store: Store, tmp_path: Path) -> None:
    organs = tmp_path / "organs.toml"
    organs.write_text('[[organ]]\nname = "星沙产业园管理委员会"\nregion = "430121"\nkind = "development_zone"\n'
                      'parent = "长沙县人民政府"\n', encoding="utf-8")
    rep = synthetic(11, organ="星沙产业园管理委员会", year=2022, fmt="2021")
    (tmp_path / "zone.txt").write_text(render(rep), encoding="utf-8")
    s = ingest(store, [str(tmp_path / "zone.txt")], workers=1, overrides=str(organs))
    assert s.stored == 1
    with store.reading() as conn:
        row = conn.execute(select(reports)).one()
    assert (row.organ_kind, row.region_code, row.county, row.city, row.parent) == (
        "development_zone", "430121", "长沙县", "长沙市", "长沙县人民政府")


def test_the_store_keeps_a_column_for_every_indicator() -> None:
    """`reports` carries each report's own indicators (peer bands read them); a new indicator needs its column."""
    from gongkai.stats.indicators import INDICATOR_KEYS

    assert set(INDICATOR_KEYS) <= {c.name for c in reports.columns}
