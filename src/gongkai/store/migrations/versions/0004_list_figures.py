"""The figures a list of reports shows and sorts by, kept with each report: new requests (table 3 as read)
and every indicator (as `gongkai.stats.indicators` defines them), filled here for stores written before;
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
FIGURES = ("new_requests", "disclosure_rate", "withheld_rate", "unavailable_rate", "not_processed_rate",
           "review_correction_rate", "litigation_loss_rate")


def upgrade() -> None:
    for name in FIGURES:
        op.add_column("reports", sa.Column(name, sa.Float))
    op.create_index("ix_reports_listing", "reports", [
        "is_current", "is_best", "recognised", "year", "organ_kind", "format", "n_errors", "region_code", "province",
        "city", "county", "new_requests", "disclosure_rate", "organ", "organ_canonical", "published", "n_warnings",
        "id"])
    from gongkai.ingest.prepare import list_figures

    conn = op.get_bind()
    reports = sa.table("reports", sa.column("id", sa.Integer), sa.column("format", sa.String),
                       *[sa.column(name, sa.Float) for name in FIGURES])
    cells = sa.table("cells", sa.column("report_id", sa.Integer), sa.column("tbl", sa.String),
                     sa.column("row_key", sa.String), sa.column("col_key", sa.String), sa.column("value", sa.Float))
    # Every indicator is computed from tables 3 and 4.
    formats = dict(conn.execute(sa.select(reports.c.id, reports.c.format)).all())
    by_report: dict[int, list[tuple]] = {}
    for rid, t, row, col, value in conn.execute(sa.select(cells.c.report_id, cells.c.tbl, cells.c.row_key,
                                                          cells.c.col_key, cells.c.value)
                                                .where(cells.c.tbl.in_(("requests", "review_litigation")))):
        by_report.setdefault(rid, []).append((t, row, col, value))
    for rid, found in by_report.items():
        figures = list_figures(found, formats.get(rid))  # type: ignore[arg-type]
        if any(v is not None for v in figures.values()):
            conn.execute(sa.update(reports).where(reports.c.id == rid).values(**figures))


def downgrade() -> None:
    op.drop_index("ix_reports_listing", table_name="reports")
    for name in FIGURES:
        op.drop_column("reports", name)
