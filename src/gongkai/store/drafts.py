"""Drafts of organs' own reports and their audit trail in the store (SQLAlchemy Core, both backends).

A draft row is changed only with the revision it was read at (`save`): a second user saving from an older
revision is refused, never silently overwritten. Every change writes its audit entry in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from gongkai.filing.drafts import DraftError, content_from_json, content_to_json
from gongkai.store.schema import draft_audit, drafts

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from gongkai.render.official import ReportContent
    from gongkai.store import Store

__all__ = ["AuditEntry", "DraftRecord", "audit_trail", "create", "drafts_for", "find", "get", "save"]


@dataclass(frozen=True)
class DraftRecord:
    id: int
    office_key: str
    year: int
    status: str
    content: ReportContent
    acknowledged: dict[str, dict[str, str]]
    comments: list[dict[str, str]]
    revision: int
    report_id: int | None
    updated_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    user: str | None
    action: str
    status: str
    detail: dict[str, Any]


def _now() -> datetime:
    return datetime.now(UTC)


def _record(row: Any) -> DraftRecord:
    return DraftRecord(row.id, row.office_key, row.year, row.status, content_from_json(json.loads(row.content)),
                       json.loads(row.acknowledged), json.loads(row.comments), row.revision, row.report_id,
                       row.updated_at)


def _audit(conn: Connection, draft_id: int, user: str | None, action: str, status: str,
           detail: dict[str, Any]) -> None:
    conn.execute(draft_audit.insert().values(draft_id=draft_id, at=_now(), user_name=user, action=action,
                                             status=status, detail=json.dumps(detail, ensure_ascii=False)))


def create(store: Store, office_key: str, content: ReportContent, *, by: str | None,
           detail: dict[str, Any]) -> DraftRecord:
    """A new draft for the organ and year; `draft_exists` when there is one already."""
    now = _now()
    try:
        with store.writing() as conn:
            draft_id = conn.execute(drafts.insert().values(
                office_key=office_key, year=content.year, format_id=content.format_id, status="draft",
                content=json.dumps(content_to_json(content), ensure_ascii=False), acknowledged="{}", comments="[]",
                revision=1, report_id=None, created_at=now, updated_at=now).returning(drafts.c.id)).scalar_one()
            _audit(conn, draft_id, by, "create", "draft", detail)
    except IntegrityError:
        raise DraftError("draft_exists", f"该机关{content.year}年度的报告已经有草稿") from None
    found = get(store, draft_id)
    assert found is not None
    return found


def get(store: Store, draft_id: int) -> DraftRecord | None:
    with store.reading() as conn:
        row = conn.execute(select(drafts).where(drafts.c.id == draft_id)).first()
    return None if row is None else _record(row)


def find(store: Store, office_key: str, year: int) -> DraftRecord | None:
    with store.reading() as conn:
        row = conn.execute(select(drafts).where(drafts.c.office_key == office_key, drafts.c.year == year)).first()
    return None if row is None else _record(row)


def drafts_for(store: Store, office_keys: Sequence[str], year: int) -> dict[str, DraftRecord]:
    """The drafts of these organs for the year, by organ key."""
    if not office_keys:
        return {}
    with store.reading() as conn:
        rows = conn.execute(select(drafts).where(drafts.c.office_key.in_(list(office_keys)),
                                                 drafts.c.year == year)).all()
    return {r.office_key: _record(r) for r in rows}


def save(store: Store, old: DraftRecord, *, by: str | None, action: str, detail: dict[str, Any],
         content: ReportContent | None = None, status: str | None = None,
         acknowledged: dict[str, dict[str, str]] | None = None, comments: list[dict[str, str]] | None = None,
         report_id: int | None = None) -> DraftRecord:
    """Write the changed fields if the draft is still at `old.revision`, with its audit entry."""
    values: dict[str, Any] = {"revision": old.revision + 1, "updated_at": _now()}
    if content is not None:
        values["content"] = json.dumps(content_to_json(content), ensure_ascii=False)
    if status is not None:
        values["status"] = status
    if acknowledged is not None:
        values["acknowledged"] = json.dumps(acknowledged, ensure_ascii=False)
    if comments is not None:
        values["comments"] = json.dumps(comments, ensure_ascii=False)
    if report_id is not None:
        values["report_id"] = report_id
    with store.writing() as conn:
        done = conn.execute(update(drafts).where(drafts.c.id == old.id, drafts.c.revision == old.revision)
                            .values(**values)).rowcount
        if done != 1:
            raise DraftError("draft_changed", "报告刚被他人修改，请刷新后再试")
        _audit(conn, old.id, by, action, status or old.status, detail)
    new = get(store, old.id)
    assert new is not None
    return new


def audit_trail(store: Store, draft_id: int) -> list[AuditEntry]:
    with store.reading() as conn:
        rows = conn.execute(select(draft_audit).where(draft_audit.c.draft_id == draft_id)
                            .order_by(draft_audit.c.id)).all()
    return [AuditEntry(r.at, r.user_name, r.action, r.status, json.loads(r.detail)) for r in rows]
