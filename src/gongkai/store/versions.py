"""Versions of one organ's report for one year: the same report in several media is one version with
several originals; a revision (figures that differ) is a new version.

An organ often publishes its report as a web page, a Word file and a PDF, and a crawler may also keep a
scan. Those are one report: counting them as three versions would make the last one ingested current,
however badly it was read. So after every write, the reports of each organ and year touched are
*settled* (`settle`):

- Two readings are **the same report** when no figure read in both differs, and either their titles
  agree (folded: spacing, full-width forms, Traditional characters do not count) or, without a title,
  every figure and the meta (organ, publication date) are identical.
- Readings are grouped in the order they were stored; each group is one **version**, numbered 1, 2, …
  in the order its first reading was stored. A reading joins the first earlier version it is the same
  report as.
- In each version the **best reading** (`is_best`) is the most complete (most figures read), then the
  most exact (fewest errors, then warnings), then the medium read without layout guesses (text and web
  pages, then Word and spreadsheets, then PDF, then pictures), then the first stored.
- The **current** report (`is_current`, what statistics and exports count) is the best reading of the
  latest version.

Settling reads only the reports of the groups given (nearly always one report: nothing to do), under
the same organ-year lock as version numbering, inside the writer's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select, tuple_, update

from gongkai.normalize import fold
from gongkai.store.schema import cells, reports

Group = tuple[str, int]  # (organ_key, year)
CellKey = tuple[str, str, str]

_NOT_TITLE = re.compile(r"[\s\W_]+")
# Media read without guessing the layout first (lower is better); anything else ranks after PDF.
_MEDIA_RANK = (
    ("text/", 0), ("application/xhtml", 0),
    ("application/vnd.openxmlformats", 1), ("application/msword", 1), ("application/vnd.ms-", 1),
    ("application/vnd.oasis.opendocument", 1), ("application/rtf", 1),
    ("application/pdf", 2),
    ("image/", 3),
)


def media_rank(media_type: str | None) -> int:
    for prefix, rank in _MEDIA_RANK:
        if (media_type or "").startswith(prefix):
            return rank
    return 2


def title_key(title: str | None) -> str:
    """A title as compared: folded, without spaces or punctuation."""
    return _NOT_TITLE.sub("", fold(title or ""))


@dataclass
class Reading:
    """One stored reading of a report, as settling compares it."""

    id: int
    title: str | None
    organ: str | None
    published: Any
    media_type: str | None
    n_errors: int
    n_warnings: int
    created_at: Any
    stored: tuple[int, bool, bool] = (1, True, True)  # (version, is_best, is_current) as stored now
    figures: dict[CellKey, float] = field(default_factory=dict)

    def rank(self) -> tuple[Any, ...]:
        """Sort key of the best reading of a version: smaller is better."""
        return (-len(self.figures), self.n_errors, self.n_warnings, media_rank(self.media_type),
                self.created_at, self.id)


def differing(a: dict[CellKey, float], b: dict[CellKey, float]) -> list[CellKey]:
    """Cells read in both readings with different figures."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sorted(k for k, v in small.items() if k in large and large[k] != v)


def same_report(a: Reading, b: Reading) -> bool:
    """Whether two readings of one organ's report for one year are the same report (see the module)."""
    if differing(a.figures, b.figures):
        return False
    ta, tb = title_key(a.title), title_key(b.title)
    if ta or tb:
        return ta == tb
    return a.figures == b.figures and (a.organ, a.published) == (b.organ, b.published)


@dataclass(frozen=True)
class Placement:
    """Where settling put one reading."""

    version: int
    is_best: bool
    is_current: bool
    first_of_version: bool  # the first stored reading of its version (the others are more originals of it)


def place(readings: Sequence[Reading]) -> dict[int, Placement]:
    """Versions, best readings and the current one for the readings of one organ and year (a pure
    function: `settle` loads and writes)."""
    ordered = sorted(readings, key=lambda r: (r.created_at, r.id))
    versions: list[list[Reading]] = []
    for r in ordered:
        home = next((v for v in versions if all(same_report(r, other) for other in v)), None)
        if home is None:
            versions.append([r])
        else:
            home.append(r)
    out: dict[int, Placement] = {}
    for n, members in enumerate(versions, 1):
        best = min(members, key=Reading.rank)
        for r in members:
            out[r.id] = Placement(n, r is best, r is best and n == len(versions), r is members[0])
    return out


def _load(conn: Connection, groups: Sequence[Group]) -> dict[Group, list[Reading]]:
    r = reports.c
    where = tuple_(r.organ_key, r.year).in_(groups)
    rows = conn.execute(select(r.id, r.organ_key, r.year, r.title, r.organ, r.published, r.media_type, r.n_errors,
                               r.n_warnings, r.created_at, r.version, r.is_best, r.is_current).where(where)).all()
    by_id = {row.id: Reading(row.id, row.title, row.organ, row.published, row.media_type, row.n_errors,
                             row.n_warnings, row.created_at, (row.version, bool(row.is_best), bool(row.is_current)))
             for row in rows}
    c = cells.c
    for rid, t, row_key, col_key, value in conn.execute(
            select(c.report_id, c.tbl, c.row_key, c.col_key, c.value)
            .where(c.report_id.in_(list(by_id)), c.value.is_not(None))):
        by_id[rid].figures[(t, row_key, col_key)] = value
    out: dict[Group, list[Reading]] = {}
    for row in rows:
        out.setdefault((row.organ_key, row.year), []).append(by_id[row.id])
    return out


def settle(conn: Connection, groups: Iterable[Group]) -> dict[int, Placement]:
    """Re-place the reports of these organ-year groups (the caller holds their locks, in its write
    transaction); returns the placement of every report of the groups."""
    wanted = sorted({g for g in groups if g[0] is not None and g[1] is not None})
    if not wanted:
        return {}
    placed: dict[int, Placement] = {}
    loaded = _load(conn, wanted)
    now = datetime.now(UTC)
    r = reports.c
    for group in wanted:
        readings = loaded.get(group, [])
        placement = place(readings)
        placed.update(placement)
        changed = [x.id for x in readings if x.stored != (
            placement[x.id].version, placement[x.id].is_best, placement[x.id].is_current)]
        if not changed:
            continue
        # Clear first, so that no statement meets the unique indexes half way (one best per version,
        # one current per organ and year).
        conn.execute(update(reports).where(r.id.in_(changed)).values(is_best=False, is_current=False))
        for rid in changed:
            p = placement[rid]
            conn.execute(update(reports).where(r.id == rid)
                         .values(version=p.version, is_best=p.is_best, is_current=p.is_current, updated_at=now))
    return placed


def crowded(conn: Connection, groups: Iterable[Group] | None = None) -> list[Group]:
    """The groups among these (None: the whole store) with more than one reading: the only ones whose
    placement can differ from a lone reading's (version 1, best, current)."""
    r = reports.c
    q = (select(r.organ_key, r.year).where(r.organ_key.is_not(None), r.year.is_not(None))
         .group_by(r.organ_key, r.year).having(func.count() > 1))
    if groups is not None:
        wanted = sorted({g for g in groups if g[0] is not None and g[1] is not None})
        if not wanted:
            return []
        q = q.where(tuple_(r.organ_key, r.year).in_(wanted))
    return [(k, y) for k, y in conn.execute(q).all()]


__all__ = ["Placement", "Reading", "crowded", "differing", "media_rank", "place", "same_report", "settle",
           "title_key"]
