"""The store's faults as typed errors (`gongkai.store.errors`), raised at its edge; what the command
line shows of them is tested in tests/cli/test_store_faults.py."""

from __future__ import annotations

import pickle
import socket
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from storekit import write_reports

from gongkai import parse_path
from gongkai.store import EXIT_CODES, Store, StoreError, open_store, previous_report, reports
from gongkai.store import previous as previous_module
from gongkai.store.records import Prepared


def test_missing_store_is_refused_not_created(tmp_path: Path) -> None:
    db = tmp_path / "typo" / "store.db"
    with pytest.raises(StoreError) as caught:
        open_store(str(db), create=False)
    assert caught.value.code == "store_missing" and caught.value.exit_code == 3
    assert str(db) in caught.value.message
    assert not db.parent.exists()


def test_newer_schema_is_left_alone(store: Store) -> None:
    with store.writing() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_newer'"))
    with pytest.raises(StoreError) as caught:
        open_store(store.url)
    assert caught.value.code == "store_newer_schema" and caught.value.exit_code == 4
    assert "ffff_newer" in caught.value.message
    with store.reading() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "ffff_newer"


def test_unreachable_postgresql() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreError) as caught:
        open_store(f"postgresql://u:pw@127.0.0.1:{port}/db")
    assert caught.value.code == "store_unreachable" and caught.value.exit_code == 3
    assert ":pw@" not in caught.value.message


def test_errors_cross_process_boundaries() -> None:
    """Worker processes hand a fault to the parent pickled."""
    err = StoreError("store_full", "数据库所在磁盘已满")
    back = pickle.loads(pickle.dumps(err))
    assert (back.code, back.message, back.exit_code) == ("store_full", "数据库所在磁盘已满", 6)
    assert len(set(EXIT_CODES.values()) & {0, 1, 2}) == 0


def _prepared(paths: list[Path]) -> list[tuple[Prepared, bytes]]:
    from gongkai.ingest.prepare import prepare

    return [(prepare(p.read_bytes(), str(p)), p.read_bytes()) for p in paths]


def test_disk_full_raises_at_once_and_writes_nothing(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    items = _prepared(write_reports(tmp_path / "in", 6, distinct=True))
    store.save_batch("first", items[:2])
    with store.reading() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
    store.engine.dispose()

    @event.listens_for(store.engine, "connect")
    def _limit(dbapi_conn: object, _record: object) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count={pages + 2}")  # type: ignore[attr-defined]

    with pytest.raises(StoreError) as caught:
        store.save_batch("second", items[2:])
    assert caught.value.code == "store_full" and caught.value.exit_code == 6
    with store.reading() as conn:
        assert conn.execute(select(func.count()).select_from(reports)).scalar_one() == 2
    store.close()


def test_previous_report_from_a_store_that_cannot_be_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (path,) = write_reports(tmp_path / "in", 1)
    report = parse_path(path)
    monkeypatch.setattr(previous_module, "_OPEN", {})
    newer = open_store(f"sqlite:///{tmp_path / 'newer.db'}")
    with newer.writing() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_newer'"))
    newer.close()
    with pytest.raises(StoreError) as caught:
        previous_report(report, str(tmp_path / "newer.db"))
    assert caught.value.code == "store_newer_schema"
    (tmp_path / "junk.db").write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError) as caught:
        previous_report(report, str(tmp_path / "junk.db"))
    assert caught.value.code == "store_unavailable"
    # A store named that does not exist: an error, and none is created.
    with pytest.raises(StoreError) as caught:
        previous_report(report, str(tmp_path / "absent.db"))
    assert caught.value.code == "store_missing" and not (tmp_path / "absent.db").exists()
    # The default store not made yet: simply no previous report, and none is created.
    monkeypatch.delenv("GONGKAI_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert previous_report(report) is None
    assert not (tmp_path / "data").exists()


def test_where_the_store_is(tmp_path, monkeypatch):
    """`--db` as typed: a PostgreSQL URL gets the psycopg 3 driver (its quoted password kept), a path becomes a
    SQLite URL, and without either the store lives in the user's data folder (XDG_DATA_HOME on Linux)."""
    from gongkai.store.urls import default_url, normalise_url

    assert normalise_url("postgresql://u:p%40ss@db.example:5432/reports") == \
        "postgresql+psycopg://u:p%40ss@db.example:5432/reports"
    assert normalise_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    monkeypatch.delenv("GONGKAI_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_url() == f"sqlite:///{tmp_path / 'data' / 'gongkai' / 'gongkai.db'}"
