"""Offices and their users' roles, and the registers an office keeps: requests with their events, and
normative documents (`gongkai.registers`).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _office_fk() -> sa.ForeignKey:
    return sa.ForeignKey("offices.key", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "offices",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("parent_key", sa.String(200)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "memberships",
        sa.Column("user_name", sa.String(64), sa.ForeignKey("users.name", ondelete="CASCADE"), primary_key=True),
        sa.Column("office_key", sa.String(200), _office_fk(), primary_key=True),
        sa.Column("role", sa.String(16), primary_key=True),
    )
    op.create_table(
        "register_requests",
        sa.Column("office_key", sa.String(200), _office_fk(), primary_key=True),
        sa.Column("request_id", sa.String(64), primary_key=True),
        sa.Column("received", sa.Date, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("applicant", sa.String(64), nullable=False),
        sa.Column("applicant_name", sa.Text, nullable=False),
        sa.Column("contact", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("format_id", sa.String(16), nullable=False),
        sa.Column("recorded_by", sa.String(64)),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "register_events",
        sa.Column("office_key", sa.String(200), primary_key=True),
        sa.Column("request_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(64)),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "register_documents",
        sa.Column("office_key", sa.String(200), _office_fk(), primary_key=True),
        sa.Column("number_key", sa.String(200), primary_key=True),
        sa.Column("number", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("organ", sa.Text, nullable=False),
        sa.Column("issued", sa.Date, nullable=False),
        sa.Column("effective", sa.Date),
        sa.Column("repealed", sa.Date),
        sa.Column("lapsed", sa.Date),
        sa.Column("amends", sa.Text),
        sa.Column("replaces", sa.Text),
        sa.Column("format_id", sa.String(16), nullable=False),
        sa.Column("recorded_by", sa.String(64)),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("register_documents", "register_events", "register_requests", "memberships", "offices"):
        op.drop_table(table)
