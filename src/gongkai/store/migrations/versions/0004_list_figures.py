"""The figures a list of reports shows and sorts by, kept with each report: new requests (table 3 as read)
and the disclosure rate (as `gongkai.stats.indicators` defines it), filled here for stores written before;
and an index covering what the list filters, sorts and shows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reports", sa.Column("new_requests", sa.Float))
    op.add_column("reports", sa.Column("disclosure_rate", sa.Float))
    op.create_index("ix_reports_listing", "reports", [
        "is_current", "is_best", "recognised", "year", "organ_kind", "format", "n_errors", "region_code", "province",
        "city", "county", "new_requests", "disclosure_rate", "organ", "organ_canonical", "published", "n_warnings",
        "id"])
    from gongkai.ingest.prepare import list_figures

    conn = op.get_bind()
    reports = sa.table("reports", sa.column("id", sa.Integer), sa.column("format", sa.String),
                       sa.column("new_requests", sa.Float), sa.column("disclosure_rate", sa.Float))
    cells = sa.table("cells", sa.column("report_id", sa.Integer), sa.column("tbl", sa.String),
                     sa.column("row_key", sa.String), sa.column("col_key", sa.String), sa.column("value", sa.Float))
    formats = dict(conn.execute(sa.select(reports.c.id, reports.c.format)).all())
    by_report: dict[int, list[tuple]] = {}
    for rid, t, row, col, value in conn.execute(sa.select(cells.c.report_id, cells.c.tbl, cells.c.row_key,
                                                          cells.c.col_key, cells.c.value)
                                                .where(cells.c.tbl == "requests")):
        by_report.setdefault(rid, []).append((t, row, col, value))
    for rid, found in by_report.items():
        figures = list_figures(found, formats.get(rid))  # type: ignore[arg-type]
        if any(v is not None for v in figures.values()):
            conn.execute(sa.update(reports).where(reports.c.id == rid).values(**figures))


def downgrade() -> None:
    op.drop_index("ix_reports_listing", table_name="reports")
    op.drop_column("reports", "disclosure_rate")
    op.drop_column("reports", "new_requests")
