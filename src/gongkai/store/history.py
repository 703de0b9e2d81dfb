"""The versions of one organ's report for one year, with their originals and what changed between them.

What `gongkai versions` prints (and the web application will show): each version with every original
stored for it (HTML, Word, PDF, scan), the reading the version counts, and the figures a revision
changed against the version before it (best reading against best reading).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from sqlalchemy import Connection, func, select

from gongkai.store.db import Store
from gongkai.store.schema import cells, reports
from gongkai.store.versions import CellKey


@dataclass(frozen=True)
class ReadingInfo:
    report_id: int
    sha256: str
    path: str | None
    media_type: str | None
    format: str | None
    cells_read: int
    n_errors: int
    n_warnings: int
    is_best: bool
    is_current: bool
    stored_at: datetime


@dataclass(frozen=True)
class Change:
    """One figure a version changed: `before` or `after` is None when only one of the two readings has it."""

    table: str
    row: str
    column: str
    before: float | None
    after: float | None


@dataclass
class VersionInfo:
    number: int
    readings: list[ReadingInfo]
    changes: list[Change] = field(default_factory=list)  # against the version before (none for the first)

    @property
    def best(self) -> ReadingInfo:
        return next(r for r in self.readings if r.is_best)


@dataclass
class History:
    organ: str | None
    year: int | None
    versions: list[VersionInfo]


def history(store: Store, report_id: int) -> History | None:
    """The versions of the organ and year of report `report_id` (None: no such report). A report without
    an organ or a year is its own history: one version, one reading."""
    r, c = reports.c, cells.c
    with store.reading() as conn:
        me = conn.execute(select(r.organ_key, r.year, r.organ).where(r.id == report_id)).first()
        if me is None:
            return None
        where = (r.id == report_id) if me.organ_key is None or me.year is None else (
            (r.organ_key == me.organ_key) & (r.year == me.year))
        n_cells = (select(func.count()).where(c.report_id == r.id, c.value.is_not(None))
                   .correlate(reports).scalar_subquery())
        rows = conn.execute(select(r.id, r.sha256, r.path, r.media_type, r.format, n_cells.label("n"), r.n_errors,
                                   r.n_warnings, r.is_best, r.is_current, r.created_at, r.version)
                            .where(where).order_by(r.version, r.created_at, r.id)).all()
        by_version: dict[int, list[ReadingInfo]] = {}
        for row in rows:
            by_version.setdefault(row.version, []).append(ReadingInfo(
                row.id, row.sha256, row.path, row.media_type, row.format, int(row.n), row.n_errors, row.n_warnings,
                bool(row.is_best), bool(row.is_current), row.created_at))
        versions = [VersionInfo(n, rs) for n, rs in sorted(by_version.items())]
        figures = {v.number: _figures(conn, v.best.report_id) for v in versions if any(x.is_best for x in v.readings)}
    for before, after in pairwise(versions):
        if before.number in figures and after.number in figures:
            after.changes = _changes(figures[before.number], figures[after.number])
    return History(me.organ, me.year, versions)


def _figures(conn: Connection, report_id: int) -> dict[CellKey, float]:
    c = cells.c
    rows = conn.execute(select(c.tbl, c.row_key, c.col_key, c.value)
                        .where(c.report_id == report_id, c.value.is_not(None)))
    return {(t, row, col): v for t, row, col, v in rows}


def _changes(before: dict[CellKey, float], after: dict[CellKey, float]) -> list[Change]:
    keys = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return [Change(*k, before.get(k), after.get(k)) for k in keys]
