"""Writing a batch of prepared reports into PostgreSQL in a handful of statements, whatever its size.

One statement per file and table (with a savepoint around each file) cost ~10 round trips per report:
most of the parent's CPU and much of the server's. Here a batch is: the originals in one INSERT from
arrays (`ON CONFLICT DO NOTHING`: content stored before, or by a concurrent writer, is a duplicate),
one advisory lock per organ and year taken in one statement in a fixed order (so concurrent writers
queue instead of deadlocking), the latest versions in one query, the retired current versions in one
UPDATE, report ids drawn from the sequence, then the reports, cells, findings and log by COPY. The
batch is one transaction: a conflict that slips through fails it whole, and the caller retries its
files one at a time (`Store.save_batch`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from psycopg import sql
from sqlalchemy import BigInteger, Boolean, Date, DateTime, Float, Integer, LargeBinary, Table

from gongkai.store.records import CELL_COLUMNS, FINDING_COLUMNS, Prepared, Saved
from gongkai.store.schema import cells, findings, ingest_log, reports

Row = tuple[Any, ...]

_INSERT_ORIGINALS = (
    "INSERT INTO originals (sha256, size, media_type, first_path, content, added_at) "
    "SELECT s, z, m, p, c, %b FROM unnest(%b::text[], %b::bigint[], %b::text[], %b::text[], %b::bytea[]) "
    "AS u(s, z, m, p, c) ON CONFLICT (sha256) DO NOTHING RETURNING sha256")
_REPORTS_OF = "SELECT sha256, id FROM reports WHERE sha256 = ANY(%s::text[])"
# The same lock key as `Store._lock_organ_year` (re-extraction takes it one group at a time). A function
# scan yields the array's elements in order, so the locks are taken in the order given.
_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(%s::text[]) AS k"
_LATEST = ("SELECT u.k, u.y, (SELECT max(r.version) FROM reports r WHERE r.organ_key = u.k AND r.year = u.y) "
           "FROM unnest(%s::text[], %s::int[]) AS u(k, y)")
_RETIRE = ("UPDATE reports SET is_current = false, updated_at = %s WHERE is_current "
           "AND (organ_key, year) IN (SELECT k, y FROM unnest(%s::text[], %s::int[]) AS u(k, y))")
_IDS = "SELECT nextval(pg_get_serial_sequence('reports', 'id')) FROM generate_series(1, %s)"
_LOG_COLUMNS = ("run_id", "at", "path", "sha256", "status", "reason", "message", "report_id")
_OWN = ("id", "sha256", "path", "media_type", "version", "is_current", "created_at", "updated_at", "report_json")


def _server_default(text: str) -> Any:
    """A column's server default as the value COPY must send (COPY has no DEFAULT)."""
    return {"true": True, "false": False}.get(text, int(text) if text.lstrip("-").isdigit() else None)


# Columns of `reports` a prepared row may fill, and the value of each when the row lacks it.
_ROW_COLUMNS = tuple(c.name for c in reports.columns if c.name not in _OWN)
_ROW_DEFAULTS = {c.name: (_server_default(str(c.server_default.arg)) if c.server_default is not None else None)
                 for c in reports.columns if c.name in _ROW_COLUMNS}
_REPORT_COLUMNS = _OWN + _ROW_COLUMNS


def _pg_type(table: Table, column: str) -> str:
    """The PostgreSQL type a binary COPY sends for a column (varchar is sent as text)."""
    t = table.c[column].type
    for kind, name in ((Boolean, "bool"), (BigInteger, "int8"), (Integer, "int4"), (Float, "float8"),
                       (Date, "date"), (DateTime, "timestamptz"), (LargeBinary, "bytea")):
        if isinstance(t, kind):
            return name
    return "text"


def _copy(cur: Any, table: Table, columns: Sequence[str], rows: Sequence[Row], *, binary: bool = False) -> None:
    """COPY rows in; `binary` for the big tables: no text to format and parse for every value."""
    if not rows:
        return
    statement = sql.SQL("COPY {} ({}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")).format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns)))
    with cur.copy(statement) as copy:
        if binary:
            copy.set_types([_pg_type(table, c) for c in columns])
        for row in rows:
            copy.write_row(row)


def _lock_key(key: str, year: int) -> str:
    return f"{key}\x1f{year}"


def write(cur: Any, run_id: str, items: Sequence[tuple[Prepared, bytes | None]],
          failed: Sequence[dict[str, Any]], settle: Callable[[list[Saved]], list[Saved]] | None = None
          ) -> list[Saved]:
    """Store `items` (each with its original), their cells and findings, and the log (`failed` first,
    then one entry per item) in the caller's transaction, through a psycopg cursor; `settle` re-places
    the versions of what was stored (see `gongkai.store.versions`) before the log is written."""
    now = datetime.now(UTC)
    # The first of several items with the same content stores it; the others are its duplicates.
    first: dict[str, int] = {}
    for i, (p, _data) in enumerate(items):
        first.setdefault(p.sha256, i)
    order = sorted(first.values(), key=lambda i: items[i][0].sha256)  # one lock order for every writer
    inserted: set[str] = set()
    if order:
        cols: list[list[Any]] = [[], [], [], [], []]
        for i in order:
            p, data = items[i]
            for col, v in zip(cols, (p.sha256, p.size, p.media_type, p.path, data or b""), strict=True):
                col.append(v)
        cur.execute(_INSERT_ORIGINALS, (now, *cols))
        inserted = {r[0] for r in cur.fetchall()}
    new = [i for i in sorted(first.values()) if items[i][0].sha256 in inserted]
    existing: dict[str, int] = {}
    others = [items[i][0].sha256 for i in first.values() if items[i][0].sha256 not in inserted]
    if others:
        cur.execute(_REPORTS_OF, (others,))
        existing = {sha: rid for sha, rid in cur.fetchall()}

    # Versions: the latest stored per organ and year (under its lock), then this batch's in order.
    keyed = {i: (k, y) for i in new if (k := items[i][0].row.get("organ_key")) is not None
             and (y := items[i][0].row.get("year")) is not None}
    keys = sorted(set(keyed.values()))
    latest: dict[tuple[str, int], int] = {}
    if keys:
        cur.execute(_LOCK, (sorted(_lock_key(k, y) for k, y in keys),))
        cur.fetchall()
        cur.execute(_LATEST, ([k for k, _ in keys], [y for _, y in keys]))
        latest = {(k, y): v for k, y, v in cur.fetchall() if v is not None}
        if latest:
            cur.execute(_RETIRE, (now, [k for k, _ in latest], [y for _, y in latest]))
    ids: list[int] = []
    if new:
        cur.execute(_IDS, (len(new),))
        ids = [r[0] for r in cur.fetchall()]
    versions: dict[int, int] = {}
    last_of: dict[tuple[str, int], int] = {}
    for i in new:
        key = keyed.get(i)
        if key is None:
            versions[i] = 1
        else:
            versions[i] = latest[key] = latest.get(key, 0) + 1
            last_of[key] = i
    current = {i for i in new if i not in keyed} | set(last_of.values())
    id_of = dict(zip(new, ids, strict=True))
    report_rows = []
    for i in new:
        p = items[i][0]
        row = p.row
        report_rows.append((id_of[i], p.sha256, p.path, p.media_type, versions[i], i in current, now, now,
                            p.report_json.decode(), *[row.get(c, d) for c, d in _ROW_DEFAULTS.items()]))
    _copy(cur, reports, _REPORT_COLUMNS, report_rows, binary=True)
    _copy(cur, cells, CELL_COLUMNS, [(id_of[i], *c) for i in new for c in items[i][0].cells], binary=True)
    _copy(cur, findings, FINDING_COLUMNS, [(id_of[i], *f) for i in new for f in items[i][0].findings])

    out: list[Saved] = []
    for i, (p, _data) in enumerate(items):
        if i in id_of:
            out.append(Saved("new_version" if versions[i] > 1 else "stored", id_of[i], versions[i]))
        else:
            j = first[p.sha256]
            out.append(Saved("duplicate", id_of[j] if j in id_of and j != i else existing.get(p.sha256)))
    if settle is not None:
        out = settle(out)
    log = [(run_id, now, e.get("path"), e.get("sha256"), e["status"], e.get("reason"), e.get("message"),
            e.get("report_id")) for e in failed]
    log += [(run_id, now, p.path, p.sha256, s.status, None, None, s.report_id)
            for (p, _data), s in zip(items, out, strict=True)]
    _copy(cur, ingest_log, _LOG_COLUMNS, log)
    return out
