"""The register operations the applications offer, over the store: the command line, the web pages and the
JSON API call these same functions, so a request registered one way reads the same every other way.

Forms arrive as text (`Mapping[str, str]`): a field's problem is a `RegisterError` naming the field in Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from gongkai.registers.documents import Document, table2_for_year
from gongkai.registers.due import OpenRequest, deadline_of, open_requests
from gongkai.registers.errors import RegisterError
from gongkai.registers.events import event_from_form
from gongkai.registers.requests import CHANNELS, Request, applicant_kinds, rank_in_month, tables_for_period
from gongkai.store import registers as db

if TYPE_CHECKING:
    from gongkai.registers.deadlines import Deadline
    from gongkai.store import Store
    from gongkai.store.registers import Office

__all__ = ["RequestView", "new_document", "new_request", "open_list", "record", "request_view", "year_tables"]

MAX_TEXT = 2000


def _text(form: Mapping[str, str], name: str, label: str, *, required: bool = True, most: int = MAX_TEXT) -> str:
    value = (form.get(name) or "").strip()
    if required and not value:
        raise RegisterError("field_required", f"请填写「{label}」")
    if len(value) > most:
        raise RegisterError("field_too_long", f"「{label}」过长（最多{most}个字符）")
    return value


def _date(form: Mapping[str, str], name: str, label: str, *, required: bool = True) -> date | None:
    value = _text(form, name, label, required=required, most=20)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RegisterError("bad_date", f"「{label}」应为有效日期，如2024-03-05") from None


def _not_future(day: date, what: str, today: date | None) -> None:
    """The register records what has happened: a date after today is a typing error."""
    if day > (today or date.today()):
        raise RegisterError("date_in_future", f"{what}{day.isoformat()}晚于今天，台账只登记已经发生的事")


def new_request(store: Store, office: Office, form: Mapping[str, str], *, by: str | None,
                format_id: str = "2021", today: date | None = None) -> Request:
    """Register a request from a form: 编号, 收到日期, 渠道, 申请人类型, 申请人 and contact, 申请内容."""
    received = _date(form, "received", "收到日期")
    assert received is not None
    _not_future(received, "收到日期", today)
    channel = _text(form, "channel", "渠道")
    channel = next((k for k, v in CHANNELS.items() if channel in (k, v)), channel)
    applicant = _text(form, "applicant", "申请人类型")
    request = Request(_text(form, "id", "申请编号", most=64), received, channel, applicant,
                      _text(form, "content", "申请内容"), format_id,
                      applicant_name=_text(form, "applicant_name", "申请人姓名或名称", required=False, most=200),
                      contact=_text(form, "contact", "联系方式", required=False, most=500))
    return db.add_request(store, office, request, by=by)


def record(store: Store, office: Office, request_id: str, code: str, form: Mapping[str, str], *,
           by: str | None, today: date | None = None) -> Request:
    """Record one event of a request from its form (`registers.events`); the fee is computed, and a
    per-request fee counts the applicant's requests to this office in that calendar month."""
    request = db.load_request(store, office, request_id, personal=True)
    if request is None:
        raise RegisterError("unknown_request", f"没有编号为「{request_id}」的申请")

    def rank() -> int:
        return rank_in_month(db.month_requests(store, office, request.received), request)

    event = event_from_form(code, form, format_id=request.format_id, rank_in_month=rank)
    _not_future(event.on, "事件日期", today)
    return db.record_event(store, office, request_id, event, by=by)


@dataclass(frozen=True)
class RequestView:
    """A request with what a user needs beside it: its deadline (as of today, or the one it had when closed)
    and whether it was answered late."""

    request: Request
    deadline: Deadline | None
    late: bool


def request_view(request: Request, today: date) -> RequestView:
    closed = request.closed_on
    as_of = closed if closed is not None and closed <= today else today
    try:
        deadline = deadline_of(request, max(as_of, request.received))
    except RegisterError:
        deadline = None  # a year the calendar does not cover: no deadline rather than a guessed one
    late = bool(closed and deadline and deadline.due and closed > deadline.due)
    return RequestView(request, deadline, late)


def open_list(store: Store, office: Office, today: date, *, personal: bool = False) -> list[OpenRequest]:
    return open_requests(db.load_requests(store, [office.key], personal=personal), today)


def year_tables(store: Store, office_keys: Sequence[str], year: int, *, format_id: str = "2021",
                start: date | None = None, end: date | None = None) -> dict[str, dict[str, dict[str, int]]]:
    """Tables 3 and 4 for the year (or the period `start`..`end`) from the offices' request registers, and, for
    a whole year, table 2's document rows from their document registers."""
    first, last = start or date(year, 1, 1), end or date(year, 12, 31)
    out = tables_for_period(db.load_requests(store, office_keys), first, last, format_id)
    if start is None and end is None:
        docs = db.load_documents(store, office_keys)
        if docs:
            out["proactive"] = table2_for_year(docs, year, format_id)
    return out


def new_document(store: Store, office: Office, form: Mapping[str, str], *, by: str | None,
                 format_id: str = "2021") -> Document:
    """Register a normative document from a form (文号, 标题, 类型, 制发机关, dates, what it amends or replaces)."""
    doc = Document(
        _text(form, "number", "文号", most=200), _text(form, "title", "标题"), _text(form, "kind", "文件类型"),
        _text(form, "organ", "制发机关", most=200), _date(form, "issued", "制发日期"),  # type: ignore[arg-type]
        _date(form, "effective", "施行日期", required=False), _date(form, "repealed", "废止日期", required=False),
        _date(form, "lapsed", "失效日期", required=False),
        _text(form, "amends", "修改的文件", required=False, most=200) or None,
        _text(form, "replaces", "替代的文件", required=False, most=200) or None, format_id)
    return db.add_document(store, office, doc, by=by, replace_existing=form.get("replace") == "1")


def applicant_choices(format_id: str = "2021") -> dict[str, str]:
    """Table 3's applicant columns with their printed labels (group · label), for forms."""
    from gongkai.formats import get_format

    t3 = get_format(format_id).table("requests")
    assert t3 is not None
    cols = {k: t3.column(k) for k in applicant_kinds(format_id)}
    return {k: f"{c.group}·{c.label}" if c.group else c.label for k, c in cols.items()}
