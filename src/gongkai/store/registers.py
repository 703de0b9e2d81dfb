"""Offices, their users' roles, and the registers they keep, in the store (SQLAlchemy Core, both backends).

Every write goes through the pure rules of `gongkai.registers`: a request's events are read back, replayed and
the new one applied (`requests.apply`) inside the writing transaction, so what is stored always replays. An
import is one transaction: all of it or none. Personal data (the applicant's name and contact) is returned
only when the caller asks for it (`personal=True`), which the applications do for the office's own users.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from gongkai.registers.documents import Document, check_register, number_key
from gongkai.registers.errors import RegisterError
from gongkai.registers.events import event_from_dict, event_to_dict
from gongkai.registers.requests import Event, Request, apply, replay
from gongkai.store.schema import memberships, offices, register_documents, register_events, register_requests

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from gongkai.store import Store

__all__ = ["ROLES", "Office", "add_document", "add_request", "ensure_office", "get_office", "grant",
           "import_documents", "import_requests", "list_offices", "load_documents", "load_request",
           "load_requests", "month_requests", "office_key", "record_event", "revoke", "roles_of"]

ROLES: dict[str, str] = {"drafter": "撰写人", "approver": "审核人（机关负责人）",
                         "reviewer": "上级审核人（政务公开办）"}
"""Roles in an office. Drafters and approvers keep its registers and write its report; reviewers sit in the
superior disclosure office and review what its units submit."""


@dataclass(frozen=True)
class Office:
    key: str
    name: str
    parent_key: str | None


def _now() -> datetime:
    return datetime.now(UTC)


def office_key(name: str) -> str:
    """The key reports of this organ are stored under (the canonical organ, else its folded name)."""
    from gongkai.ingest.resolve import resolve

    key = resolve(name.strip())["organ_key"]
    if not key:
        raise RegisterError("office_name", "机关名称不能为空")
    return str(key)


def ensure_office(store: Store, name: str, parent: str | None = None) -> Office:
    """The office called `name` (created when new; its superior set when given)."""
    key = office_key(name)
    parent_key = office_key(parent) if parent else None
    if parent_key == key:
        raise RegisterError("office_parent", "上级机关不能是它自己")
    with store.writing() as conn:
        row = conn.execute(select(offices).where(offices.c.key == key)).first()
        if row is None:
            conn.execute(offices.insert().values(key=key, name=name.strip(), parent_key=parent_key,
                                                 created_at=_now()))
        elif parent_key and row.parent_key != parent_key:
            conn.execute(offices.update().where(offices.c.key == key).values(parent_key=parent_key))
    office = get_office(store, key)
    assert office is not None
    return office


def get_office(store: Store, key_or_name: str) -> Office | None:
    with store.reading() as conn:
        row = conn.execute(select(offices).where(offices.c.key == key_or_name)).first()
        if row is None:
            row = conn.execute(select(offices).where(offices.c.key == office_key(key_or_name))).first()
    return None if row is None else Office(row.key, row.name, row.parent_key)


def list_offices(store: Store) -> list[Office]:
    with store.reading() as conn:
        rows = conn.execute(select(offices).order_by(offices.c.name)).all()
    return [Office(r.key, r.name, r.parent_key) for r in rows]


def grant(store: Store, user: str, office: Office, role: str) -> None:
    if role not in ROLES:
        allowed = "、".join(f"{k}（{v}）" for k, v in ROLES.items())
        raise RegisterError("unknown_role", f"未知的角色「{role}」，应为：{allowed}")
    try:
        with store.writing() as conn:
            exists = conn.execute(select(memberships.c.role).where(
                memberships.c.user_name == user, memberships.c.office_key == office.key,
                memberships.c.role == role)).first()
            if exists is None:
                conn.execute(memberships.insert().values(user_name=user, office_key=office.key, role=role))
    except IntegrityError:
        raise RegisterError("unknown_user", f"没有名为“{user}”的用户") from None


def revoke(store: Store, user: str, office: Office, role: str | None = None) -> int:
    with store.writing() as conn:
        q = delete(memberships).where(memberships.c.user_name == user, memberships.c.office_key == office.key)
        if role:
            q = q.where(memberships.c.role == role)
        return conn.execute(q).rowcount


def roles_of(store: Store, user: str) -> dict[str, set[str]]:
    """The user's roles by office key."""
    with store.reading() as conn:
        rows = conn.execute(select(memberships.c.office_key, memberships.c.role)
                            .where(memberships.c.user_name == user)).all()
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(r.office_key, set()).add(r.role)
    return out


# ---------------------------------------------------------------------------------------------------------
# Requests


def _request_row(office: Office, request: Request, by: str | None) -> dict[str, object]:
    return {"office_key": office.key, "request_id": request.id, "received": request.received,
            "channel": request.channel, "applicant": request.applicant, "applicant_name": request.applicant_name,
            "contact": request.contact, "content": request.content, "format_id": request.format_id,
            "recorded_by": by, "recorded_at": _now()}


def _event_rows(office: Office, request: Request, by: str | None, start: int = 0) -> list[dict[str, object]]:
    return [{"office_key": office.key, "request_id": request.id, "seq": i + 1, "kind": d["kind"], "on": e.on,
             "data": json.dumps(d, ensure_ascii=False), "recorded_by": by, "recorded_at": _now()}
            for i, (e, d) in enumerate((e, event_to_dict(e)) for e in request.events) if i >= start]


def _check_id(request_id: str) -> None:
    if not request_id.strip() or len(request_id) > 64:
        raise RegisterError("bad_request_id", "申请编号不能为空，最多64个字符")


def add_request(store: Store, office: Office, request: Request, *, by: str | None = None) -> Request:
    """Store a new request (with the events it already has, replayed to be sure they are valid)."""
    _check_id(request.id)
    replay(replace(request, events=()), request.events)
    try:
        with store.writing() as conn:
            conn.execute(register_requests.insert().values(**_request_row(office, request, by)))
            rows = _event_rows(office, request, by)
            if rows:
                conn.execute(register_events.insert(), rows)
    except IntegrityError:
        raise RegisterError("duplicate_id", f"申请编号「{request.id}」已经登记过") from None
    return request


def import_requests(store: Store, office: Office, requests: Sequence[Request], *, by: str | None = None) -> int:
    """Store an imported register in one transaction; numbers already registered are refused, all listed."""
    ids = [r.id for r in requests]
    for rid in ids:
        _check_id(rid)
    with store.writing() as conn:
        taken = set()
        for i in range(0, len(ids), 500):
            taken |= set(conn.execute(select(register_requests.c.request_id).where(
                register_requests.c.office_key == office.key,
                register_requests.c.request_id.in_(ids[i:i + 500]))).scalars())
        if taken:
            listed = "、".join(sorted(taken)[:20])
            raise RegisterError("duplicate_id", f"以下申请编号已经登记过，未导入任何申请：{listed}")
        if requests:
            conn.execute(register_requests.insert(), [_request_row(office, r, by) for r in requests])
            events = [row for r in requests for row in _event_rows(office, r, by)]
            if events:
                conn.execute(register_events.insert(), events)
    return len(requests)


def _build(row: object, events: Iterable[object], personal: bool) -> Request:
    request = Request(row.request_id, row.received, row.channel, row.applicant, row.content,  # type: ignore[attr-defined]
                      row.format_id,  # type: ignore[attr-defined]
                      applicant_name=row.applicant_name if personal else "",  # type: ignore[attr-defined]
                      contact=row.contact if personal else "")  # type: ignore[attr-defined]
    return replace(request, events=tuple(event_from_dict(json.loads(e.data)) for e in events))  # type: ignore[attr-defined]


def _load(conn: Connection, office_keys: Sequence[str], request_id: str | None, personal: bool) -> list[Request]:
    rq = select(register_requests).where(register_requests.c.office_key.in_(office_keys))
    eq = select(register_events).where(register_events.c.office_key.in_(office_keys))
    if request_id is not None:
        rq = rq.where(register_requests.c.request_id == request_id)
        eq = eq.where(register_events.c.request_id == request_id)
    events: dict[tuple[str, str], list[object]] = {}
    for e in conn.execute(eq.order_by(register_events.c.seq)):
        events.setdefault((e.office_key, e.request_id), []).append(e)
    rows = conn.execute(rq.order_by(register_requests.c.received, register_requests.c.request_id)).all()
    return [_build(r, events.get((r.office_key, r.request_id), []), personal) for r in rows]


def load_requests(store: Store, office_keys: Sequence[str], *, personal: bool = False) -> list[Request]:
    """Every request of these offices (a group of offices for consolidated tables), by date received."""
    with store.reading() as conn:
        return _load(conn, office_keys, None, personal)


def load_request(store: Store, office: Office, request_id: str, *, personal: bool = False) -> Request | None:
    with store.reading() as conn:
        found = _load(conn, [office.key], request_id, personal)
    return found[0] if found else None


def record_event(store: Store, office: Office, request_id: str, event: Event, *, by: str | None = None) -> Request:
    """Append `event` to the request if the rules allow it (`requests.apply`), in one transaction; two users
    recording at once cannot both append after the same last event (the sequence number is the key)."""
    try:
        with store.writing() as conn:
            found = _load(conn, [office.key], request_id, True)
            if not found:
                raise RegisterError("unknown_request", f"没有编号为「{request_id}」的申请")
            updated = apply(found[0], event)
            seq = len(found[0].events)
            conn.execute(register_events.insert(), _event_rows(office, updated, by, start=seq))
    except IntegrityError:
        raise RegisterError("concurrent_change", "该申请刚被他人修改，请刷新后重试") from None
    return updated


def month_requests(store: Store, office: Office, day: date) -> list[Request]:
    """The office's requests received in `day`'s calendar month, with applicants' names (for the per-request
    fee's rank in the month)."""
    first = day.replace(day=1)
    nxt = (first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1))
    with store.reading() as conn:
        rows = conn.execute(select(register_requests).where(
            register_requests.c.office_key == office.key, register_requests.c.received >= first,
            register_requests.c.received < nxt)).all()
    return [_build(r, [], True) for r in rows]


def count_requests(store: Store, office: Office) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(register_requests)
                                .where(register_requests.c.office_key == office.key)).scalar() or 0)


# ---------------------------------------------------------------------------------------------------------
# Documents


def _document_row(office: Office, doc: Document, by: str | None) -> dict[str, object]:
    return {"office_key": office.key, "number_key": number_key(doc.number), "number": doc.number,
            "title": doc.title, "kind": doc.kind, "organ": doc.organ, "issued": doc.issued,
            "effective": doc.effective, "repealed": doc.repealed, "lapsed": doc.lapsed, "amends": doc.amends,
            "replaces": doc.replaces, "format_id": doc.format_id, "recorded_by": by, "recorded_at": _now()}


def load_documents(store: Store, office_keys: Sequence[str]) -> list[Document]:
    with store.reading() as conn:
        rows = conn.execute(select(register_documents).where(register_documents.c.office_key.in_(office_keys))
                            .order_by(register_documents.c.issued, register_documents.c.number)).all()
    return [Document(r.number, r.title, r.kind, r.organ, r.issued, r.effective, r.repealed, r.lapsed, r.amends,
                     r.replaces, r.format_id) for r in rows]


def import_documents(store: Store, office: Office, documents: Sequence[Document], *, by: str | None = None,
                     replace_existing: bool = False) -> int:
    """Add documents (or, with `replace_existing`, update those with the same number) after checking the
    whole register they make (`check_register`), in one transaction."""
    with store.writing() as conn:
        rows = conn.execute(select(register_documents).where(register_documents.c.office_key == office.key)).all()
        current = {r.number_key: Document(r.number, r.title, r.kind, r.organ, r.issued, r.effective, r.repealed,
                                          r.lapsed, r.amends, r.replaces, r.format_id) for r in rows}
        new = {number_key(d.number): d for d in documents}
        clash = sorted(current[k].number for k in new if k in current)
        if clash and not replace_existing:
            raise RegisterError("duplicate_number", f"以下文号已经登记过：{'、'.join(clash[:20])}")
        check_register([*{**current, **new}.values()])
        if clash:
            conn.execute(delete(register_documents).where(register_documents.c.office_key == office.key,
                                                          register_documents.c.number_key.in_(list(new))))
        if documents:
            conn.execute(register_documents.insert(), [_document_row(office, d, by) for d in new.values()])
    return len(new)


def add_document(store: Store, office: Office, document: Document, *, by: str | None = None,
                 replace_existing: bool = False) -> Document:
    import_documents(store, office, [document], by=by, replace_existing=replace_existing)
    return document
