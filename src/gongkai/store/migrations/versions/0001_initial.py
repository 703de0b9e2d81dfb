"""The initial store: originals, reports, cells, findings, ingest log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "originals",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("first_path", sa.Text),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("originals.sha256"), nullable=False, unique=True),
        sa.Column("path", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("organ", sa.Text),
        sa.Column("organ_key", sa.Text),
        sa.Column("organ_canonical", sa.Text),
        sa.Column("organ_kind", sa.String(32)),
        sa.Column("organ_ambiguous", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("region_code", sa.String(6)),
        sa.Column("region_level", sa.String(16)),
        sa.Column("province", sa.Text),
        sa.Column("province_code", sa.String(6)),
        sa.Column("city", sa.Text),
        sa.Column("city_code", sa.String(6)),
        sa.Column("county", sa.Text),
        sa.Column("county_code", sa.String(6)),
        sa.Column("parent", sa.Text),
        sa.Column("parent_code", sa.String(6)),
        sa.Column("year", sa.Integer),
        sa.Column("format", sa.String(16)),
        sa.Column("published", sa.Date),
        sa.Column("media_type", sa.String(100)),
        sa.Column("recognised", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.Column("is_current", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("extractor_version", sa.String(64), nullable=False),
        sa.Column("n_errors", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("n_warnings", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("n_info", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("report_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reports_organ_year_version", "reports", ["organ_key", "year", "version"], unique=True)
    op.create_index(
        "ux_reports_current",
        "reports",
        ["organ_key", "year"],
        unique=True,
        sqlite_where=sa.text("is_current = 1"),
        postgresql_where=sa.text("is_current"),
    )
    op.create_index("ix_reports_year", "reports", ["year"])
    op.create_index("ix_reports_region", "reports", ["region_code"])
    op.create_table(
        "cells",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tbl", sa.String(32), primary_key=True),
        sa.Column("row_key", sa.String(64), primary_key=True),
        sa.Column("col_key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Float),
        sa.Column("raw", sa.Text),
        sa.Column("unit", sa.String(16)),
        sa.Column("provenance", sa.Text),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("cells", sa.Text),
        sa.Column("expected", sa.Text),
        sa.Column("actual", sa.Text),
        sa.Column("line", sa.Integer),
    )
    op.create_index("ix_findings_report", "findings", ["report_id"])
    op.create_index("ix_findings_code", "findings", ["code"])
    op.create_table(
        "ingest_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("path", sa.Text),
        sa.Column("sha256", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64)),
        sa.Column("message", sa.Text),
        sa.Column("report_id", sa.Integer),
    )
    op.create_index("ix_ingest_log_run", "ingest_log", ["run_id"])


def downgrade() -> None:
    for name in ("ingest_log", "findings", "cells", "reports", "originals"):
        op.drop_table(name)
