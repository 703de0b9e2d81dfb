"""Writing a batch of prepared reports into SQLite: the parent's hot path during `gongkai ingest`.

A SQLite writer holds the database's write lock for the whole transaction (`BEGIN IMMEDIATE`), so
there is no concurrent writer to race with: no savepoints, no `ON CONFLICT` retries. The statements go
straight to the DBAPI cursor inside the caller's SQLAlchemy transaction, because SQLAlchemy's
per-statement work was most of the parent's CPU per report. Values pass through the columns' own
SQLAlchemy bind processors (dates, timestamps, booleans), so the stored data is what Core writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from sqlalchemy import Dialect

from gongkai.store.records import CELL_COLUMNS, FINDING_COLUMNS, Prepared, Saved
from gongkai.store.schema import reports

Processor = Callable[[Any], Any]
Settle = Callable[[list[Saved]], list[Saved]]
Row = tuple[Any, ...]

_ROWS_PER_INSERT = 100  # rows per multi-row INSERT (SQLite allows 32766 values in one statement)
_LOG_COLUMNS = ("run_id", "at", "path", "sha256", "status", "reason", "message", "report_id")
_LOG_COLUMNS_STORED = ("run_id", "at", "path", "sha256", "status", "report_id")
# A cell without a unit (nearly every cell) binds 0, an integer, which a unit never is: binding None
# costs Python's sqlite3 an adapter lookup, the dearest step of binding a value.
_NO_UNIT = 0
_CELL_MARKS = tuple("nullif(?, 0)" if c == "unit" else "?" for c in CELL_COLUMNS)
# Columns of `reports` the store fills in; the rest come from `Prepared.row`. report_json arrives as
# UTF-8 bytes and is stored as text (CAST reads a blob's bytes as text in the database's encoding).
_OWN_REPORT_COLUMNS = ("sha256", "path", "media_type", "version", "is_current", "created_at", "updated_at",
                       "report_json")
_OWN_REPORT_MARKS = ("?",) * 7 + ("CAST(? AS TEXT)",)

_INSERT_ORIGINAL = ("INSERT INTO originals (sha256, size, media_type, first_path, content, added_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING")
_REPORT_OF = "SELECT id FROM reports WHERE sha256 = ?"
_LATEST_VERSION = "SELECT max(version) FROM reports WHERE organ_key = ? AND year = ?"
_RETIRE_CURRENT = ("UPDATE reports SET is_current = ?, updated_at = ? "
                   "WHERE organ_key = ? AND year = ? AND is_current = 1")


def _insert_sql(table: str, columns: Sequence[str], marks: Sequence[str] | None = None, rows: int = 1) -> str:
    """`INSERT INTO table (columns) VALUES (…), (…)` for `rows` rows; `marks`: an SQL expression per
    column instead of a plain `?`."""
    one = f"({', '.join(marks or ['?'] * len(columns))})"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * rows)}"


def _insert_rows(cur: Any, table: str, columns: Sequence[str], rows: Sequence[Row],
                 marks: Sequence[str] | None = None) -> None:
    """Insert many rows, 100 to a statement: the cost of executing a statement (Python's call, the
    GIL, SQLite's reset and step) is paid per statement, not per row."""
    n = _ROWS_PER_INSERT
    whole = len(rows) - len(rows) % n
    if whole:
        sql = _insert_sql(table, columns, marks, rows=n)
        for i in range(0, whole, n):
            cur.execute(sql, list(chain.from_iterable(rows[i:i + n])))
    if whole < len(rows):
        cur.executemany(_insert_sql(table, columns, marks), rows[whole:])


class SqliteBatchWriter:
    """Stores batches through a raw sqlite3 cursor; one per store (it keeps its statements)."""

    def __init__(self, dialect: Dialect) -> None:
        procs = {}
        for col in reports.columns:
            proc = col.type.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                procs[col.name] = proc
        self._procs: dict[str, Processor] = procs
        self._true, self._false = procs["is_current"](True), procs["is_current"](False)
        # per column list of `Prepared.row`: (INSERT statement, [(position in the row, processor)])
        self._report_sql: dict[tuple[str, ...], tuple[str, list[tuple[int, Processor]]]] = {}

    def write(self, cur: Any, run_id: str, items: Sequence[tuple[Prepared, bytes | None]],
              failed: Sequence[dict[str, Any]], settle: Settle | None = None) -> list[Saved]:
        """Store `items` (each with its original), their cells and findings, and the log (`failed`
        first, then one entry per item) in the caller's write transaction; `settle` re-places the
        versions of what was stored (see `gongkai.store.versions`) before the log is written."""
        now = self._procs["created_at"](datetime.now(UTC))  # every timestamp of the store has this type
        out: list[Saved] = []
        stored: list[tuple[int, Prepared]] = []
        for p, data in items:
            saved = self._save(cur, now, p, data or b"")
            out.append(saved)
            if saved.status != "duplicate" and saved.report_id is not None:
                stored.append((saved.report_id, p))
        cells = [(rid, t, r, c, v, raw, _NO_UNIT if unit is None else unit, prov)
                 for rid, p in stored for t, r, c, v, raw, unit, prov in p.cells]
        _insert_rows(cur, "cells", CELL_COLUMNS, cells, _CELL_MARKS)
        _insert_rows(cur, "findings", FINDING_COLUMNS, [(rid, *f) for rid, p in stored for f in p.findings])
        if settle is not None:
            out = settle(out)
        log = [(run_id, now, p.path, p.sha256, saved.status, saved.report_id)
               for (p, _data), saved in zip(items, out, strict=True)]
        _insert_rows(cur, "ingest_log", _LOG_COLUMNS, [
            (run_id, now, e.get("path"), e.get("sha256"), e["status"], e.get("reason"), e.get("message"),
             e.get("report_id")) for e in failed])
        _insert_rows(cur, "ingest_log", _LOG_COLUMNS_STORED, log)
        return out

    def _save(self, cur: Any, now: Any, p: Prepared, data: bytes) -> Saved:
        """The original, then (unless its content is stored already) the report row."""
        cur.execute(_INSERT_ORIGINAL, (p.sha256, p.size, p.media_type, p.path, data, now))
        if cur.rowcount != 1:
            found = cur.execute(_REPORT_OF, (p.sha256,)).fetchone()
            return Saved("duplicate", None if found is None else found[0])
        row = p.row
        version = self._next_version(cur, now, row.get("organ_key"), row.get("year"))
        sql, procs = self._report_statement(tuple(row))
        values = list(row.values())
        for i, proc in procs:
            values[i] = proc(values[i])
        cur.execute(sql, (p.sha256, p.path, p.media_type, version, self._true, now, now, p.report_json, *values))
        return Saved("new_version" if version > 1 else "stored", cur.lastrowid, version)

    def _report_statement(self, columns: tuple[str, ...]) -> tuple[str, list[tuple[int, Processor]]]:
        """INSERT for a report whose row has these columns (a row without an organ lacks some: their
        defaults apply, as with Core), and the processors of the row's values by position."""
        hit = self._report_sql.get(columns)
        if hit is None:
            marks = _OWN_REPORT_MARKS + ("?",) * len(columns)
            hit = (_insert_sql("reports", _OWN_REPORT_COLUMNS + columns, marks),
                   [(i, self._procs[n]) for i, n in enumerate(columns) if n in self._procs])
            self._report_sql[columns] = hit
        return hit

    def _next_version(self, cur: Any, now: Any, key: str | None, year: int | None) -> int:
        """Number the new report and retire the current one of the same organ and year."""
        if key is None or year is None:
            return 1
        latest = cur.execute(_LATEST_VERSION, (key, year)).fetchone()[0]
        if latest is None:
            return 1
        cur.execute(_RETIRE_CURRENT, (self._false, now, key, year))
        return int(latest) + 1
