"""Several readings per version: the same report in several media is one version (`is_best` marks the
reading chosen for it); the unique index on versions holds for best readings only.

Stores written before this revision numbered every original as its own version: the groups with more
than one reading are settled here with the rules of `gongkai.store.versions` as they were at this
revision.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reports", sa.Column("is_best", sa.Boolean, nullable=False, server_default=sa.text("true")))
    op.drop_index("ix_reports_organ_year_version", table_name="reports")
    op.create_index(
        "ux_reports_version_best",
        "reports",
        ["organ_key", "year", "version"],
        unique=True,
        sqlite_where=sa.text("is_best = 1"),
        postgresql_where=sa.text("is_best"),
    )
    from gongkai.store.versions import crowded, settle

    conn = op.get_bind()
    settle(conn, crowded(conn))


def downgrade() -> None:
    # Fails (unique index) when a version has several readings: they were one version by then.
    op.drop_index("ux_reports_version_best", table_name="reports")
    op.create_index("ix_reports_organ_year_version", "reports", ["organ_key", "year", "version"], unique=True)
    op.drop_column("reports", "is_best")
