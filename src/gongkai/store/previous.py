"""The same organ's report of the year before, from the store: what the cross-year checks compare."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from gongkai.model import Report
from gongkai.store.db import Store, open_store
from gongkai.store.schema import reports
from gongkai.store.urls import default_url

_OPEN: dict[str, Store | None] = {}


def _store(url: str | None) -> Store | None:
    """The store at `url` (default: GONGKAI_DB, else the embedded file), opened once per process.

    The default store that does not exist yet is not created: there is simply no previous report. A store
    the user named (`--db`, GONGKAI_DB) that does not exist is `store_missing` (a mistyped path must not
    pass for "no previous report"), and one that cannot be opened (unreachable, read-only, newer schema, not
    a database) is a `StoreError` too: the command stops with its message rather than skip the cross-year
    rules unseen."""
    target = default_url(url)
    if target not in _OPEN:
        named = url is not None or bool(os.environ.get("GONGKAI_DB"))
        if not named and target.startswith("sqlite:///") and not Path(target.removeprefix("sqlite:///")).exists():
            _OPEN[target] = None
        else:
            _OPEN[target] = open_store(target, create=False)
    return _OPEN[target]


def previous_report(report: Report, url: str | None = None) -> Report | None:
    """The current stored report of the same organ (as ingest resolves it) for `year - 1`, if any."""
    year = report.meta.year
    if year is None or not report.meta.organ:
        return None
    store = _store(url)
    if store is None:
        return None
    from gongkai.ingest.resolve import resolve  # ingest builds on the store: imported when needed

    key = resolve(report.meta.organ, year - 1)["organ_key"]
    query = (select(reports.c.report_json)
             .where(reports.c.organ_key == key, reports.c.year == year - 1, reports.c.is_current.is_(True)))
    with store.reading() as conn:
        row = conn.execute(query).first()
    return None if row is None else Report.model_validate_json(row[0])
