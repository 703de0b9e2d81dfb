"""Files whose last ingest failed, read back from `ingest_log` for `gongkai ingest --retry-failed`.

No schema of its own: every failure is already logged (path, reason, message) by the run that met it.
A path counts as failed while its latest log entry is a failure and its content (when it was read at
all) has not been stored since, under another name or by another run.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import func, select

from gongkai.bounded import real_path
from gongkai.store import Store, ingest_log, originals


class LoggedFailure(NamedTuple):
    path: str  # as stored (a name that is not UTF-8 shown as \xNN)
    reason: str | None
    message: str | None
    run_id: str


def failed_files(store: Store) -> list[LoggedFailure]:
    """The paths whose latest ingest entry is a failure, in the order they were logged."""
    log = ingest_log.c
    latest = (select(func.max(log.id).label("id")).where(log.path.is_not(None)).group_by(log.path).subquery())
    q = (select(log.path, log.reason, log.message, log.run_id)
         .join(latest, latest.c.id == log.id)
         .outerjoin(originals, originals.c.sha256 == log.sha256)
         .where(log.status == "failed", originals.c.sha256.is_(None))
         .order_by(log.id))
    with store.reading() as conn:
        return [LoggedFailure(*row) for row in conn.execute(q)]


def paths_to_retry(store: Store) -> list[str]:
    """The failed files as paths to read again (a non-UTF-8 name back to its bytes)."""
    return [real_path(f.path) for f in failed_files(store)]
