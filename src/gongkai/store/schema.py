"""The store's tables (SQLAlchemy Core). The Alembic migrations in `migrations/versions` create
exactly these; a test compares the two on SQLite and PostgreSQL.

One original (content-addressed by SHA-256) gives one report row (a *reading*); a report's cells and
findings hang off it and are written in the same transaction, so a report is either wholly stored or
absent. Readings of one organ and year are grouped into versions (`versions.py`): the same report in
several media is one version with several readings, one of them the best.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

originals = Table(
    "originals",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("first_path", Text),
    Column("content", LargeBinary, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), ForeignKey("originals.sha256"), nullable=False, unique=True),
    Column("path", Text),
    Column("title", Text),
    Column("organ", Text),  # as printed
    Column("organ_key", Text),  # what versions are grouped by: canonical organ, else the folded name
    Column("organ_canonical", Text),
    Column("organ_kind", String(32)),
    Column("organ_ambiguous", Boolean, nullable=False, server_default=text("false")),
    Column("region_code", String(6)),
    Column("region_level", String(16)),
    Column("province", Text),
    Column("province_code", String(6)),
    Column("city", Text),
    Column("city_code", String(6)),
    Column("county", Text),
    Column("county_code", String(6)),
    Column("parent", Text),
    Column("parent_code", String(6)),
    Column("year", Integer),
    Column("format", String(16)),
    Column("published", Date),
    Column("media_type", String(100)),
    Column("recognised", Boolean, nullable=False, server_default=text("true")),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Column("is_current", Boolean, nullable=False, server_default=text("true")),
    # The best reading of its version (another original of the same report may be read worse): see versions.py
    Column("is_best", Boolean, nullable=False, server_default=text("true")),
    Column("extractor_version", String(64), nullable=False),
    Column("n_errors", Integer, nullable=False, server_default=text("0")),
    Column("n_warnings", Integer, nullable=False, server_default=text("0")),
    Column("n_info", Integer, nullable=False, server_default=text("0")),
    # Figures a list of reports shows and sorts by (the web application's 报告库), and the report's own
    # indicators (the peers' P25–P75 bands of a comparison), kept with the report so that a page or a band over
    # 10,000 reports needs no cells: table 3's new requests as read, and every indicator of
    # `gongkai.stats.indicators.INDICATORS` (None when a cell it needs was not read; a test holds the two lists
    # equal).
    Column("new_requests", Float),
    Column("disclosure_rate", Float),
    Column("withheld_rate", Float),
    Column("unavailable_rate", Float),
    Column("not_processed_rate", Float),
    Column("review_correction_rate", Float),
    Column("litigation_loss_rate", Float),
    Column("report_json", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # One version may have several originals (the same report as HTML, DOCX, PDF): one best reading each.
    Index(
        "ux_reports_version_best",
        "organ_key",
        "year",
        "version",
        unique=True,
        sqlite_where=text("is_best = 1"),
        postgresql_where=text("is_best"),
    ),
    Index(
        "ux_reports_current",
        "organ_key",
        "year",
        unique=True,
        sqlite_where=text("is_current = 1"),
        postgresql_where=text("is_current"),
    ),
    Index("ix_reports_year", "year"),
    # Everything a list of reports filters, sorts and shows (the web application's 报告库): the list and its
    # count read this index alone, never the wide rows with their JSON (13 ms against 177 ms for a page of
    # 10,000 reports sorted by disclosure rate, SQLite; benchmarks/bench_web.py).
    Index("ix_reports_listing", "is_current", "is_best", "recognised", "year", "organ_kind", "format", "n_errors",
          "region_code", "province", "city", "county", "new_requests", "disclosure_rate", "organ", "organ_canonical",
          "published", "n_warnings", "id"),
    Index("ix_reports_region", "region_code"),
)

cells = Table(
    "cells",
    metadata,
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("tbl", String(32), primary_key=True),
    Column("row_key", String(64), primary_key=True),
    Column("col_key", String(64), primary_key=True),
    Column("value", Float),
    Column("raw", Text),
    Column("unit", String(16)),
    Column("provenance", Text),  # JSON
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(64), nullable=False),
    Column("severity", String(8), nullable=False),
    Column("message", Text, nullable=False),
    Column("cells", Text),  # JSON list of cell references
    Column("expected", Text),  # JSON
    Column("actual", Text),  # JSON
    Column("line", Integer),
    Index("ix_findings_report", "report_id"),
    Index("ix_findings_code", "code"),
)

ingest_log = Table(
    "ingest_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("path", Text),
    Column("sha256", String(64)),
    Column("status", String(16), nullable=False),  # stored | new_version | same_report | duplicate | failed | reparsed
    Column("reason", String(64)),
    Column("message", Text),
    Column("report_id", Integer),
    Index("ix_ingest_log_run", "run_id"),
)

# Who may sign in to the web application and write (store, delete). Passwords only as argon2 hashes.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Offices that keep registers and write reports in gongkai, and who works for which (registers, drafts).
# `key` is the organ key reports of that organ are stored under (`ingest.resolve`), so an office's register,
# its drafts and its published reports meet. `parent_key` is the superior disclosure office it files with.
offices = Table(
    "offices",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("parent_key", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A user's role in an office: drafter (撰写), approver (机关负责人审核), reviewer (上级政务公开办审核).
memberships = Table(
    "memberships",
    metadata,
    Column("user_name", String(64), ForeignKey("users.name", ondelete="CASCADE"), primary_key=True),
    Column("office_key", String(200), ForeignKey("offices.key", ondelete="CASCADE"), primary_key=True),
    Column("role", String(16), primary_key=True),
)

# The request register (依申请公开台账): one row per request, its events in order. The applicant's name and
# contact are personal data, shown only to the office's users.
register_requests = Table(
    "register_requests",
    metadata,
    Column("office_key", String(200), ForeignKey("offices.key", ondelete="CASCADE"), primary_key=True),
    Column("request_id", String(64), primary_key=True),
    Column("received", Date, nullable=False),
    Column("channel", String(32), nullable=False),
    Column("applicant", String(64), nullable=False),
    Column("applicant_name", Text, nullable=False),
    Column("contact", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("format_id", String(16), nullable=False),
    Column("recorded_by", String(64)),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

register_events = Table(
    "register_events",
    metadata,
    Column("office_key", String(200), primary_key=True),
    Column("request_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("on", Date, nullable=False),
    Column("data", Text, nullable=False),  # the event's fields as JSON (registers.events.event_to_dict)
    Column("recorded_by", String(64)),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

# The normative-documents register (政策文件库). `number_key` is the number folded (registers.documents.number_key).
register_documents = Table(
    "register_documents",
    metadata,
    Column("office_key", String(200), ForeignKey("offices.key", ondelete="CASCADE"), primary_key=True),
    Column("number_key", String(200), primary_key=True),
    Column("number", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("organ", Text, nullable=False),
    Column("issued", Date, nullable=False),
    Column("effective", Date),
    Column("repealed", Date),
    Column("lapsed", Date),
    Column("amends", Text),
    Column("replaces", Text),
    Column("format_id", String(16), nullable=False),
    Column("recorded_by", String(64)),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

# An organ's report being written and carried through the filing workflow (`gongkai.filing`): one per organ and
# year. `content` is the draft's cells and sections as JSON; `revision` grows with every change, so two users
# saving at once cannot overwrite each other unseen.
drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_key", String(200), ForeignKey("offices.key", ondelete="CASCADE"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("format_id", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("acknowledged", Text, nullable=False),  # {finding key: {reason, by, at}}
    Column("comments", Text, nullable=False),  # the reviewer's comments of the last return, per cell or section
    Column("revision", Integer, nullable=False),
    Column("report_id", Integer),  # the published report in the corpus
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ux_drafts_office_year", "office_key", "year", unique=True),
)

# Every change and every step of a draft: who, when, what (the cell-level diff, the comments, the reason).
draft_audit = Table(
    "draft_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("draft_id", Integer, ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_name", String(64)),
    Column("action", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("detail", Text, nullable=False),
    Index("ix_draft_audit_draft", "draft_id", "id"),
)
