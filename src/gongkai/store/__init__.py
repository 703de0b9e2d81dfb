"""The store: originals, reports, cells and findings in SQLite (embedded default) or PostgreSQL.

`open_store(url)` opens (and migrates to the latest schema) the store at `url`: `--db URL`, else
`GONGKAI_DB`, else the embedded SQLite file `default_path()`. A bare path means a SQLite file.
Both backends get the same schema from the same Alembic migrations. A fault of the store (disk full,
read-only, locked, unreachable, newer schema, missing) is a `StoreError` (`gongkai.store.errors`).
"""

from __future__ import annotations

from gongkai.store.db import Store, open_store
from gongkai.store.errors import EXIT_CODES, StoreError
from gongkai.store.previous import previous_report
from gongkai.store.records import Prepared
from gongkai.store.schema import cells, findings, ingest_log, metadata, originals, reports
from gongkai.store.urls import default_path, default_url, normalise_url

__all__ = [
    "EXIT_CODES",
    "Prepared",
    "Store",
    "StoreError",
    "cells",
    "default_path",
    "default_url",
    "findings",
    "ingest_log",
    "metadata",
    "normalise_url",
    "open_store",
    "originals",
    "previous_report",
    "reports",
]

