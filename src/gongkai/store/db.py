"""Opening a store (engine, SQLite pragmas, automatic migration) and writing reports atomically.

Writing one file = one original + its report + cells + findings, inside one transaction (a batch of
files shares one). Concurrency on PostgreSQL: originals are inserted with `ON CONFLICT DO NOTHING` (a
second writer of the same content sees a duplicate), and a transaction advisory lock per organ and year
serialises version numbering; unique indexes back both up, and a batch that still meets a conflict is
retried file by file. Batches are written by `pg_batch` (a few statements and COPY per batch) and, on
SQLite, where a batch holds the write lock from its start, by `sqlite_batch`, straight through the DBAPI.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, create_engine, event, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from gongkai.store import errors, pg_batch
from gongkai.store.errors import StoreError, lock_timeout, translated
from gongkai.store.records import CELL_COLUMNS, FINDING_COLUMNS, Prepared, Saved
from gongkai.store.schema import cells, findings, ingest_log, originals, reports
from gongkai.store.sqlite_batch import SqliteBatchWriter
from gongkai.store.urls import default_url
from gongkai.store.versions import Group, crowded, settle

MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 0x60_6B_A1  # advisory lock id held while migrating PostgreSQL
# Errors after which a batch is retried: a conflict with a concurrent writer (PostgreSQL: a unique index,
# a deadlock, a serialisation failure). Faults of the store itself (disk full, read-only, a lock held past
# the wait, a server gone) are not retried: `Store.writing` raises them as `StoreError` at once.
_RETRYABLE: tuple[type[Exception], ...] = (OperationalError, IntegrityError, DBAPIError, sqlite3.Error)
_CONFLICT_STATES = frozenset({"23505", "40001", "40P01"})  # unique_violation, serialization_failure, deadlock


def _is_conflict(exc: BaseException) -> bool:
    """A concurrent writer's conflict, worth retrying (never a SQLite error: SQLite has a single writer)."""
    orig = getattr(exc, "orig", exc)
    return isinstance(exc, IntegrityError) or getattr(orig, "sqlstate", None) in _CONFLICT_STATES

# Statements of the write path, built once (compiled once per dialect and cached by SQLAlchemy).
_LATEST_VERSION = select(func.max(reports.c.version)).where(
    reports.c.organ_key == bindparam("k"), reports.c.year == bindparam("y"))
_RETIRE_CURRENT = (update(reports)
                   .where(reports.c.organ_key == bindparam("k"), reports.c.year == bindparam("y"),
                          reports.c.is_current.is_(True))
                   .values(is_current=False, updated_at=bindparam("now")))


def _now() -> datetime:
    return datetime.now(UTC)


def _sqlite_engine(url: str) -> Engine:
    wait = lock_timeout()
    engine = create_engine(url, connect_args={"timeout": wait})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # pysqlite's own BEGIN handling breaks savepoints; we BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        cur.execute("PRAGMA synchronous=NORMAL")  # durable across a killed process (WAL); fast
        # Checkpoint (copy the WAL into the database, with fsyncs) every ~40 MB rather than every 4 MB, and
        # keep 32 MiB of pages cached rather than 2: a third less system time and wall time when ingesting.
        cur.execute("PRAGMA wal_autocheckpoint=10000")
        cur.execute("PRAGMA cache_size=-32768")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")  # an int, formatted: PRAGMA takes no parameters
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # A writer takes the write lock up front, so two writers queue instead of deadlocking.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("gongkai_write") else "BEGIN")

    return engine


def _postgres_engine(url: str) -> Engine:
    # A server that does not answer (a host gone, a firewall dropping packets) fails in seconds, not the OS's minutes.
    args = {} if "connect_timeout" in make_url(url).query else {"connect_timeout": 10}
    engine = create_engine(url, pool_pre_ping=True, connect_args=args)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # Originals and report JSON are compressed (TOAST) as they are stored: LZ4 does it several times
        # faster than the default pglz, reads back faster too, and is transparent to every reader (the
        # method is kept with each value). A server built without LZ4 (or before 14) keeps pglz.
        try:
            dbapi_conn.execute("SET default_toast_compression = 'lz4'")
            dbapi_conn.commit()
        except Exception:
            dbapi_conn.rollback()

    return engine


def make_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return _postgres_engine(url)


def _alembic_config(conn: Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def known_revision(revision: str) -> bool:
    """Whether this code's migrations know `revision` (an unknown one was written by a newer gongkai)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(_alembic_config()).get_revision(revision) is not None
    except (CommandError, KeyError, ValueError):
        return False


def upgrade(engine: Engine) -> None:
    """`alembic upgrade head` on this engine, once, even with several processes opening the store.
    A store stamped with a revision this code does not know is left alone (`store_newer_schema`)."""
    from alembic import command

    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is not None and not known_revision(current):
        raise errors.newer_schema(str(engine.url), current, head)
    with engine.connect().execution_options(gongkai_write=True) as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        command.upgrade(_alembic_config(conn), "head")


class Store:
    """An open store. Cheap to create; use `open_store`."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self._orig_stmt: Any = None
        self._sqlite = SqliteBatchWriter(engine.dialect) if engine.dialect.name == "sqlite" else None

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions ---------------------------------------------------------------------------

    # Both raise the store's faults as `StoreError` (the transaction is rolled back whole first). A
    # concurrent writer's conflict is left as it is, for `save_batch` to retry.

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        try:
            with self.engine.connect().execution_options(gongkai_write=True) as conn, conn.begin():
                yield conn
        except Exception as exc:
            if isinstance(exc, StoreError) or _is_conflict(exc):
                raise
            err = errors.classify(exc, self.url)
            if err is None:
                raise
            raise err from exc

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with translated(self.url), self.engine.connect() as conn, conn.begin():
            yield conn

    # --- queries --------------------------------------------------------------------------------

    def known_shas(self) -> set[str]:
        with self.reading() as conn:
            return set(conn.execute(select(originals.c.sha256)).scalars())

    def counts(self) -> dict[str, int]:
        with self.reading() as conn:
            out = {}
            for t in (originals, reports, cells, findings):
                out[t.name] = conn.execute(select(func.count()).select_from(t)).scalar_one()
            return out

    def findings_of(self, shas: Sequence[str]) -> list[tuple[Any, list[Any]]]:
        """(report row, its findings) for the reports of these originals, in the given order."""
        out = []
        with self.reading() as conn:
            for sha in shas:
                r = reports.c
                rep = conn.execute(select(r.id, r.organ, r.organ_kind, r.province, r.city, r.county, r.region_code,
                                          r.parent, r.year, r.version, r.is_best, r.is_current, r.path)
                                   .where(r.sha256 == sha)).first()
                if rep is None:
                    continue
                fs = conn.execute(select(findings).where(findings.c.report_id == rep.id).order_by(findings.c.id)).all()
                out.append((rep, fs))
        return out

    # --- writing --------------------------------------------------------------------------------

    def _original_insert(self) -> Any:
        """`INSERT … ON CONFLICT (sha256) DO NOTHING RETURNING sha256`, built once per store."""
        if self._orig_stmt is None:
            if self.backend == "postgresql":
                from sqlalchemy.dialects.postgresql import insert as dialect_insert
            else:
                from sqlalchemy.dialects.sqlite import insert as dialect_insert
            self._orig_stmt = (dialect_insert(originals).on_conflict_do_nothing(index_elements=["sha256"])
                               .returning(originals.c.sha256))
        return self._orig_stmt

    def _insert_original(self, conn: Connection, p: Prepared, data: bytes) -> bool:
        """Insert the original unless its content is stored; True when this call stored it."""
        values = {"sha256": p.sha256, "size": p.size, "media_type": p.media_type, "first_path": p.path,
                  "content": data, "added_at": _now()}
        return conn.execute(self._original_insert(), values).first() is not None

    def _lock_organ_year(self, conn: Connection, key: str, year: int) -> None:
        if self.backend == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{key}\x1f{year}",))

    def _next_version(self, conn: Connection, key: str | None, year: int | None) -> int:
        """Number the new report and retire the current one of the same organ and year."""
        if key is None or year is None:
            return 1
        self._lock_organ_year(conn, key, year)
        latest = conn.execute(_LATEST_VERSION, {"k": key, "y": year}).scalar_one()
        if latest is None:
            return 1
        conn.execute(_RETIRE_CURRENT, {"k": key, "y": year, "now": _now()})
        return int(latest) + 1

    def _insert_children(self, conn: Connection, report_id: int, p: Prepared) -> None:
        self._bulk_children(conn, [(report_id, p)])

    def _bulk_children(self, conn: Connection, stored: Sequence[tuple[int, Prepared]]) -> None:
        """Cells and findings of several reports: COPY on PostgreSQL, one executemany on SQLite."""
        cell_rows = [(rid, *c) for rid, p in stored for c in p.cells]
        finding_rows = [(rid, *f) for rid, p in stored for f in p.findings]
        self._bulk(conn, "cells", CELL_COLUMNS, cell_rows)
        self._bulk(conn, "findings", FINDING_COLUMNS, finding_rows)

    def _bulk(self, conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.backend == "postgresql":
            with conn.connection.driver_connection.cursor() as cur, cur.copy(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in columns)
        conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def save(self, conn: Connection, p: Prepared, data: bytes, *, children: bool = True) -> Saved:
        """Store one prepared report and its original in the caller's transaction (its cells and
        findings too unless `children` is False: the caller then writes them in bulk)."""
        if not self._insert_original(conn, p, data):
            existing = conn.execute(select(reports.c.id).where(reports.c.sha256 == p.sha256)).scalar()
            return Saved("duplicate", existing)
        row = p.report_columns()
        version = self._next_version(conn, row.get("organ_key"), row.get("year"))
        now = _now()
        res = conn.execute(reports.insert(), {
            "sha256": p.sha256, "path": p.path, "media_type": p.media_type, "version": version, "is_current": True,
            "created_at": now, "updated_at": now, **row,
        })
        report_id = int(res.inserted_primary_key[0])
        if children:
            self._insert_children(conn, report_id, p)
        saved = Saved("new_version" if version > 1 else "stored", report_id, version)
        return self._settled(conn, [(p, data)], [saved])[0]

    def _settled(self, conn: Connection, items: Sequence[tuple[Prepared, bytes | None]],
                 out: list[Saved]) -> list[Saved]:
        """Settle the versions of the organ-year groups where this batch added a reading to others
        (`versions.settle`), and say what became of each new reading: a report of its own (`stored`), a
        revision (`new_version`) or another original of a report stored already (`same_report`)."""
        groups = {(p.row.get("organ_key"), p.row.get("year"))
                  for (p, _data), s in zip(items, out, strict=True) if s.status == "new_version"}
        if not groups:
            return out
        placed = settle(conn, groups)
        restated = []
        for s in out:
            at = placed.get(s.report_id) if s.status != "duplicate" and s.report_id is not None else None
            if at is None:
                restated.append(s)
                continue
            status = "same_report" if not at.first_of_version else "new_version" if at.version > 1 else "stored"
            restated.append(Saved(status, s.report_id, at.version))
        return restated

    def log(self, conn: Connection, run_id: str, entries: Sequence[dict[str, Any]]) -> None:
        if entries:
            now = _now()
            blank = dict.fromkeys(("path", "sha256", "status", "reason", "message", "report_id"))
            conn.execute(ingest_log.insert(), [{**blank, "run_id": run_id, "at": now, **e} for e in entries])

    def save_batch(self, run_id: str, items: Sequence[tuple[Prepared, bytes | None]],
                   failed: Sequence[dict[str, Any]] = ()) -> list[Saved]:
        """Store a batch in one transaction (on PostgreSQL one savepoint per file) with its log entries.

        Returns one `Saved` per item, in order. A conflict with a concurrent writer is retried; if the
        whole transaction is lost (deadlock, serialisation), each file is retried in its own. A fault of
        the store (`StoreError`) is raised at once, the batch not written."""
        with translated(self.url):  # a conflict still there after the retries
            return self._save_batch(run_id, items, failed)

    def _save_batch(self, run_id: str, items: Sequence[tuple[Prepared, bytes | None]],
                    failed: Sequence[dict[str, Any]]) -> list[Saved]:
        try:
            return self._save_batch_once(run_id, items, failed)
        except _RETRYABLE:
            if len(items) <= 1 and not failed:
                return self._retry_single(run_id, items)
        out: list[Saved] = []
        for item in items:
            out += self._retry_single(run_id, [item])
        if failed:
            with self.writing() as conn:
                self.log(conn, run_id, failed)
        return out

    def _retry_single(self, run_id: str, items: Sequence[tuple[Prepared, bytes | None]]) -> list[Saved]:
        for attempt in range(8):
            try:
                return self._save_batch_once(run_id, items, ())
            except _RETRYABLE:
                if attempt == 7:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _save_batch_once(self, run_id: str, items: Sequence[tuple[Prepared, bytes | None]],
                         failed: Sequence[dict[str, Any]]) -> list[Saved]:
        if self._sqlite is not None:  # the only writer (BEGIN IMMEDIATE): no race to guard against
            with self.writing() as conn, closing(conn.connection.driver_connection.cursor()) as cur:
                return self._sqlite.write(cur, run_id, items, failed, lambda out: self._settled(conn, items, out))
        with self.writing() as conn, conn.connection.driver_connection.cursor() as cur:
            return pg_batch.write(cur, run_id, items, failed, lambda out: self._settled(conn, items, out))

    # --- re-extraction --------------------------------------------------------------------------

    def iter_originals(self, batch: int = 200,
                       only_outdated: str | None = None) -> Iterator[list[tuple[str, str | None, bytes]]]:
        """(sha256, first path, bytes) of stored originals, in batches; `only_outdated`: skip reports
        already extracted by that extractor version."""
        last = ""
        while True:
            with self.reading() as conn:
                q = (select(originals.c.sha256, originals.c.first_path, originals.c.content)
                     .where(originals.c.sha256 > last).order_by(originals.c.sha256).limit(batch))
                if only_outdated is not None:
                    q = q.where(~originals.c.sha256.in_(
                        select(reports.c.sha256).where(reports.c.extractor_version == only_outdated)))
                rows = [(r[0], r[1], bytes(r[2])) for r in conn.execute(q)]
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    def replace_extraction(self, conn: Connection, p: Prepared) -> tuple[int | None, bool, set[Group]]:
        """Re-extracted data for a stored original: replace its report's fields, cells and findings.
        Returns (report id, whether organ or year changed, the organ-year groups to settle: `settle_groups`
        once the batch is replaced)."""
        old = conn.execute(select(reports.c.id, reports.c.organ_key, reports.c.year)
                           .where(reports.c.sha256 == p.sha256)).first()
        if old is None:
            return None, False, set()
        report_id = int(old.id)
        conn.execute(cells.delete().where(cells.c.report_id == report_id))
        conn.execute(findings.delete().where(findings.c.report_id == report_id))
        row = p.report_columns()
        new_group = (row.get("organ_key"), row.get("year"))
        moved = new_group != (old.organ_key, old.year)
        values = dict(row, updated_at=_now())
        if moved:  # out of both groups' unique indexes until settled; a lone reading is version 1
            values.update(version=1, is_best=False, is_current=False)
            if None in new_group:
                values.update(is_best=True, is_current=True)
        conn.execute(update(reports).where(reports.c.id == report_id).values(**values))
        self._insert_children(conn, report_id, p)
        return report_id, moved, {(old.organ_key, old.year), new_group}

    def settle_groups(self, conn: Connection, groups: set[Group], moved: set[Group]) -> None:
        """Re-place the versions of organ-year groups after their readings changed: those a reading left
        or joined (`moved`), and those of `groups` with several readings (the best one may change)."""
        wanted = sorted({g for g in moved if None not in g} | set(crowded(conn, groups)))
        for key, year in wanted:
            self._lock_organ_year(conn, key, year)
        settle(conn, wanted)


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another backend or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def open_store(url: str | None = None, *, migrate: bool = True, create: bool = True) -> Store:
    """Open the store at `url` (see `gongkai.store.default_url`), bringing its schema up to date.

    `create=False` (commands that only read): a SQLite file that does not exist is `store_missing`
    rather than a new empty store. Every fault is a `StoreError` (see `gongkai.store.errors`)."""
    resolved = default_url(url)
    with translated(resolved):
        path = _sqlite_file(resolved)
        if path is not None and not path.exists():
            if not create:
                raise errors.missing(resolved)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise errors.from_os(exc, resolved) from exc
        engine = make_engine(resolved)
        try:
            if migrate:
                upgrade(engine)
            else:
                engine.connect().close()  # fail here, on opening, not at the first query
        except BaseException:
            engine.dispose()
            raise
    return Store(resolved, engine)
