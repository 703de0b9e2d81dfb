"""Deleting one stored reading: its cells, findings, report row and original, in one write transaction,
after which the versions of its organ and year are settled again (the reading left may become current)."""

from __future__ import annotations

from sqlalchemy import delete, select

from gongkai.store.db import Store
from gongkai.store.schema import cells, findings, originals, reports
from gongkai.store.versions import settle


def delete_report(store: Store, report_id: int) -> bool:
    """Delete the reading `report_id`; False when there is none. Its original goes too: an original
    has exactly one report row (`reports.sha256` is unique), so nothing else uses its bytes."""
    with store.writing() as conn:
        row = conn.execute(select(reports.c.sha256, reports.c.organ_key, reports.c.year)
                           .where(reports.c.id == report_id)).first()
        if row is None:
            return False
        group = (row.organ_key, row.year)
        if None not in group:
            # The same organ-year lock as version numbering, so a concurrent ingest waits for the settling.
            store._lock_organ_year(conn, row.organ_key, row.year)
        # Cells and findings cascade in the schema; deleted here by name so no pragma is relied upon.
        conn.execute(delete(cells).where(cells.c.report_id == report_id))
        conn.execute(delete(findings).where(findings.c.report_id == report_id))
        conn.execute(delete(reports).where(reports.c.id == report_id))
        still_used = conn.execute(select(reports.c.id).where(reports.c.sha256 == row.sha256)).first()
        if still_used is None:
            conn.execute(delete(originals).where(originals.c.sha256 == row.sha256))
        if None not in group:
            settle(conn, [group])
    return True
