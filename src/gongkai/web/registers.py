"""The registers in the web application (依申请公开台账, 政策文件库): pages and a JSON API over the same functions
the command line uses (`gongkai.registers.service`, the spreadsheets, `gongkai.store.registers`), so a request
registered one way reads the same every other way.

Registers hold personal data (the applicant's name and contact). Every route needs a signed-in user who keeps
that office's registers (role drafter or approver); anyone else is refused (403) and sees nothing of them.
Writes also need the session's CSRF token, like every other write of the application (`require_writer`,
`verify_csrf`: the form field `csrf_token`, or the header `X-CSRF-Token` for JSON clients).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any, NamedTuple
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from gongkai.registers import requests as rq
from gongkai.registers import service
from gongkai.registers.deadlines import Deadline, zh_date
from gongkai.registers.documents import Document, document_kinds
from gongkai.registers.due import OpenRequest, open_requests
from gongkai.registers.errors import RegisterError
from gongkai.registers.events import EVENT_TYPES, event_to_dict, field_choices
from gongkai.store import Store
from gongkai.store import registers as db
from gongkai.store.registers import Office
from gongkai.web.app import TEMPLATES
from gongkai.web.auth import current_user, read_form, require_user, require_writer, verify_csrf
from gongkai.web.deps import get_settings, get_store
from gongkai.web.settings import WebSettings

router = APIRouter()
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[WebSettings, Depends(get_settings)]
WRITING = [Depends(require_writer), Depends(verify_csrf)]

KEEPERS = frozenset({"drafter", "approver"})
DENIED = "您不是该机关的撰写人或审核人，无权查看或登记其台账（台账含申请人的个人信息）"
FORMAT = "2021"
MAX_JSON = 64 * 1024  # bytes of a JSON request body
MAX_SHEET = 20 * 1024 * 1024  # bytes of an uploaded register (the spreadsheet readers' own limit)
LIST_LIMIT = 1000  # requests shown on the office page; the export holds them all
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSRF_NOTE = "须为该机关的撰写人或审核人；须在请求头 X-CSRF-Token 中附上本会话的防跨站令牌（GET /api/csrf 获取）。"


# --- who may see an office's registers ------------------------------------------------------------------

def keeper_office(store: Store, user: str, office_key: str) -> Office | None:
    """The office when `user` keeps its registers (drafter or approver), else None: a reviewer of the superior
    office, a user of another office and an unknown office are all refused alike."""
    if not db.roles_of(store, user).get(office_key, set()) & KEEPERS:
        return None
    return db.get_office(store, office_key)


def api_office(request: Request, office_key: str, store: StoreDep) -> Office:
    """API routes: 401 when signed out, 403 unless the user keeps this office's registers."""
    office = keeper_office(store, require_user(request), office_key)
    if office is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, DENIED)
    return office


OfficeDep = Annotated[Office, Depends(api_office)]


class Access(NamedTuple):
    user: str
    office: Office


def page_access(request: Request, store: Store, office_key: str) -> Access | Response:
    """Pages: the signed-in keeper and the office, or the response instead (to sign in, or refused)."""
    user = current_user(request)
    if user is None:
        return RedirectResponse(f"/login?next={quote(request.url.path, safe='/')}", status.HTTP_303_SEE_OTHER)
    office = keeper_office(store, user, office_key)
    if office is None:
        return page(request, "registers/denied.html", status.HTTP_403_FORBIDDEN, title="无权查看台账")
    return Access(user, office)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, {"user": current_user(request), "nav": "registers",
                                                          **context}, status_code=status_code)


def office_url(office: Office, *parts: str) -> str:
    return "/".join([f"/registers/{quote(office.key, safe='')}", *(quote(p, safe="") for p in parts)])


# --- labels and JSON views ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Labels:
    """The Chinese words of one format's choices, for pages and JSON."""

    applicants: dict[str, str]
    outcomes: dict[str, str]
    results: dict[str, str]
    doc_kinds: dict[str, str]


@cache
def labels(format_id: str = FORMAT) -> Labels:
    from gongkai.formats import get_format

    table2 = get_format(format_id).table("proactive")
    kinds = {k: table2.row(k).label for k in document_kinds(format_id)} if table2 else {}
    return Labels(service.applicant_choices(format_id), field_choices("outcome", format_id),
                  field_choices("result", format_id), kinds)


def event_code(event: rq.Event) -> str:
    return next(code for code, t in EVENT_TYPES.items() if type(event) is t.cls)


def event_json(event: rq.Event) -> dict[str, Any]:
    """`event_to_dict`, with `event` always the event's code (a consultation's own `kind` field would hide it)."""
    code = event_code(event)
    return {"event": code, "label": EVENT_TYPES[code].label, **event_to_dict(event)}


def event_details(event: rq.Event, format_id: str) -> str:
    """An event's fields in words, for the request page."""
    etype = EVENT_TYPES[event_code(event)]
    parts = []
    for f in etype.fields:
        value = getattr(event, f.name)
        if f.name == "on" or value in (None, ""):
            continue
        if f.kind == "choice":
            value = field_choices(f.choices, format_id).get(str(value), value)
        parts.append(f"{f.label}：{value}")
    if isinstance(event, rq.FeeNotice):
        parts.append(f"金额：{event.amount_yuan}元")
    return "；".join(parts)


def waiting_for(request: rq.Request) -> str:
    """What an open request without a running deadline waits for."""
    kinds = {type(e) for e in request.events}
    if rq.CorrectionNotice in kinds and rq.Corrected not in kinds:
        return "等待申请人补正"
    if rq.FeeNotice in kinds and rq.FeePaid not in kinds:
        return "等待申请人缴费"
    return "等待申请人"


def deadline_json(d: Deadline | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"due": d.due.isoformat() if d.due else None, "due_zh": zh_date(d.due) if d.due else None,
            "days_left": d.days_left, "overdue": d.overdue, "as_of": d.as_of.isoformat(), "steps": list(d.steps)}


def request_summary(r: rq.Request) -> dict[str, Any]:
    """One request for lists (with the applicant: these views are for the office's keepers only)."""
    lab = labels(r.format_id)
    outcome = r.outcome
    return {"id": r.id, "received": r.received.isoformat(), "received_zh": zh_date(r.received),
            "channel": r.channel, "channel_label": rq.CHANNELS.get(r.channel, r.channel),
            "applicant": r.applicant, "applicant_label": lab.applicants.get(r.applicant, r.applicant),
            "applicant_name": r.applicant_name, "contact": r.contact, "content": r.content,
            "format_id": r.format_id, "closed_on": r.closed_on.isoformat() if r.closed_on else None,
            "closed_zh": zh_date(r.closed_on) if r.closed_on else None,
            "outcome": outcome, "outcome_label": lab.outcomes.get(outcome, outcome) if outcome else None}


def request_json(view: service.RequestView) -> dict[str, Any]:
    r = view.request
    return {**request_summary(r), "deadline": deadline_json(view.deadline), "late": view.late,
            "events": [event_json(e) for e in r.events]}


def open_json(o: OpenRequest) -> dict[str, Any]:
    return {**request_summary(o.request), "deadline": deadline_json(o.deadline), "waiting": o.waiting,
            "waiting_for": waiting_for(o.request) if o.waiting else None}


def document_json(d: Document) -> dict[str, Any]:
    def day(v: date | None) -> str | None:
        return v.isoformat() if v else None

    return {"number": d.number, "title": d.title, "kind": d.kind,
            "kind_label": labels(d.format_id).doc_kinds.get(d.kind, d.kind), "organ": d.organ,
            "issued": day(d.issued), "effective": day(d.effective), "repealed": day(d.repealed),
            "lapsed": day(d.lapsed), "amends": d.amends, "replaces": d.replaces, "format_id": d.format_id}


def refusal(err: RegisterError) -> JSONResponse:
    return JSONResponse({"code": err.code, "message": err.message_zh}, status.HTTP_422_UNPROCESSABLE_CONTENT)


# --- tables with the format's labels ---------------------------------------------------------------------

def table_view(cells: Mapping[str, Mapping[str, int]], key: str, format_id: str = FORMAT) -> dict[str, Any] | None:
    """One table as printed: its title, column groups over labels, and rows by label with the group headings
    (（三）不予公开 …) above their first row; only the rows and columns `cells` holds."""
    from gongkai.formats import get_format

    table = get_format(format_id).table(key)
    if table is None or not cells:
        return None
    columns = [c for c in table.columns if any(c.key in row for row in cells.values())]
    heads: list[dict[str, Any]] = []
    for c in columns:
        if c.group and heads and heads[-1]["group"] == c.group:
            heads[-1]["span"] += 1
        else:
            heads.append({"group": c.group, "label": c.label, "span": 1})
    first = {g.first or next((r.key for r in table.rows if r.key.startswith(g.key + ".")), ""): g.label
             for g in table.groups}
    rows: list[dict[str, Any]] = []
    for r in table.rows:
        if r.key not in cells:
            continue
        if r.key in first:
            rows.append({"heading": first[r.key]})
        label = f"{r.group}·{r.label}" if r.group else r.label
        rows.append({"label": label, "key": r.key, "values": [cells[r.key].get(c.key) for c in columns]})
    return {"number": table.number, "title": table.title, "heads": heads,
            "grouped": [c.label for c in columns if c.group], "rows": rows, "width": len(columns) + 1}


# --- reading what users send -----------------------------------------------------------------------------

def form_text(form: Mapping[str, Any]) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


async def json_body(request: Request) -> dict[str, str]:
    """The JSON object of the request (at most `MAX_JSON` bytes), its values as text like a form's."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_JSON:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"请求体过大（最多 {MAX_JSON // 1024} KiB）")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_JSON:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"请求体过大（最多 {MAX_JSON // 1024} KiB）")
    try:
        data = json.loads(body or b"null")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "请求体应为 JSON 对象")
    return {str(k): "" if v is None else str(v) for k, v in data.items()}


async def uploaded_sheet(request: Request, settings: WebSettings) -> bytes:
    """The spreadsheet of the form's field `file`, bounded; a missing, empty or too large file is refused."""
    form = await read_form(request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise RegisterError("no_file", "请选择要导入的电子表格（.xlsx 或 .csv）")
    limit = min(settings.max_upload, MAX_SHEET)
    try:
        data = await upload.read(limit + 1)
    finally:
        await upload.close()
    if len(data) > limit:
        raise RegisterError("file_too_large", f"文件过大：最多 {limit / (1024 * 1024):g} MiB，请拆分后分批导入")
    if not data:
        raise RegisterError("empty_file", "上传的文件是空的")
    return data


def download(write: Callable[[Path], None], filename: str) -> Response:
    """A workbook written by `write`, sent as a download."""
    with tempfile.TemporaryDirectory(prefix="gongkai-register-") as tmp:
        path = Path(tmp) / "out.xlsx"
        write(path)
        data = path.read_bytes()
    return Response(data, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}"})


class Imported(NamedTuple):
    count: int = 0
    problems: tuple[Any, ...] = ()
    error: str | None = None


def import_sheet(read: Callable[[bytes], list[Any]], store_all: Callable[[list[Any]], int], data: bytes) -> Imported:
    """All or nothing: every problem of the file (line, column, reason), or every record stored."""
    from gongkai.registers.spreadsheet import ImportErrors

    try:
        return Imported(count=store_all(read(data)))
    except ImportErrors as err:
        return Imported(problems=tuple(err.errors), error=err.message_zh)
    except RegisterError as err:
        return Imported(error=err.message_zh)


# --- pages -----------------------------------------------------------------------------------------------

@router.get("/registers", response_class=HTMLResponse, include_in_schema=False, name="registers_page")
def registers_page(request: Request, store: StoreDep) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse("/login?next=/registers", status.HTTP_303_SEE_OTHER)
    rows = []
    for key, roles in sorted(db.roles_of(store, user).items()):
        office = db.get_office(store, key)
        if office is not None:
            rows.append({"office": office, "url": office_url(office), "keeper": bool(roles & KEEPERS),
                         "roles": "、".join(db.ROLES.get(r, r) for r in sorted(roles))})
    return page(request, "registers/index.html", title="台账", offices=rows)


def office_context(store: Store, office: Office, today: date) -> dict[str, Any]:
    """What the office page shows: the open requests as of `today`, every request, the forms' choices."""
    requests = db.load_requests(store, [office.key], personal=True)
    try:
        opened, open_error = [open_json(o) for o in open_requests(requests, today)], None
    except RegisterError as err:  # a year the working-day calendar does not cover
        opened, open_error = [], err.message_zh
    shown = [request_summary(r) for r in reversed(requests[-LIST_LIMIT:])]
    return {"office": office, "base": office_url(office), "today": today, "today_zh": zh_date(today),
            "open": opened, "open_error": open_error, "requests": shown, "total": len(requests),
            "limit": LIST_LIMIT, "channels": rq.CHANNELS, "applicants": labels().applicants,
            "values": {}, "error": None, "problems": (), "notice": None, "url": office_url}


@router.get("/registers/{office_key}", response_class=HTMLResponse, include_in_schema=False)
def office_page(request: Request, office_key: str, store: StoreDep, today: date | None = None) -> Response:
    access = page_access(request, store, office_key)
    if not isinstance(access, Access):
        return access
    return page(request, "registers/office.html", title=f"{access.office.name} · 申请台账",
                **office_context(store, access.office, today or date.today()))


@router.post("/registers/{office_key}/requests", response_class=HTMLResponse, include_in_schema=False,
             dependencies=WRITING)
async def new_request_form(request: Request, office_key: str, store: StoreDep) -> Response:
    access = await run_in_threadpool(page_access, request, store, office_key)
    if not isinstance(access, Access):
        return access
    values = form_text(await read_form(request))
    try:
        made = await run_in_threadpool(service.new_request, store, access.office, values, by=access.user)
    except RegisterError as err:
        context = await run_in_threadpool(office_context, store, access.office, date.today())
        return page(request, "registers/office.html", status.HTTP_422_UNPROCESSABLE_CONTENT,
                    title=f"{access.office.name} · 申请台账", **{**context, "values": values, "error": err.message_zh})
    return RedirectResponse(office_url(access.office, "requests", made.id), status.HTTP_303_SEE_OTHER)


@router.post("/registers/{office_key}/import", response_class=HTMLResponse, include_in_schema=False,
             dependencies=WRITING)
async def import_form(request: Request, office_key: str, store: StoreDep, settings: SettingsDep) -> Response:
    from gongkai.registers.spreadsheet import import_requests

    access = await run_in_threadpool(page_access, request, store, office_key)
    if not isinstance(access, Access):
        return access
    try:
        data = await uploaded_sheet(request, settings)
    except RegisterError as err:
        result = Imported(error=err.message_zh)
    else:
        result = await run_in_threadpool(
            import_sheet, import_requests, lambda rs: db.import_requests(store, access.office, rs, by=access.user),
            data)
    context = await run_in_threadpool(office_context, store, access.office, date.today())
    failed = result.error is not None
    return page(request, "registers/office.html", status.HTTP_422_UNPROCESSABLE_CONTENT if failed else 200,
                title=f"{access.office.name} · 申请台账",
                **{**context, "error": result.error, "problems": result.problems,
                   "notice": None if failed else f"已导入 {result.count} 件申请"})


@router.get("/registers/{office_key}/export", include_in_schema=False)
def export_page(request: Request, office_key: str, store: StoreDep) -> Response:
    from gongkai.registers.spreadsheet import export_requests

    access = page_access(request, store, office_key)
    if not isinstance(access, Access):
        return access
    requests = db.load_requests(store, [access.office.key], personal=True)
    return download(lambda p: export_requests(requests, p), f"{access.office.name}依申请公开台账.xlsx")


def request_context(store: Store, office: Office, request_id: str, today: date) -> dict[str, Any] | None:
    found = db.load_request(store, office, request_id, personal=True)
    if found is None:
        return None
    view = service.request_view(found, today)
    return {"office": office, "base": office_url(office), "r": request_summary(found), "view": view,
            "deadline": deadline_json(view.deadline), "waiting_for": waiting_for(found),
            "events": [{"on": zh_date(e.on), "label": EVENT_TYPES[event_code(e)].label,
                        "details": event_details(e, found.format_id)} for e in found.events],
            "event_types": EVENT_TYPES, "choices": {w: field_choices(w, found.format_id)
                                                    for w in ("outcome", "result", "consultation", "fee_mode")},
            "page_url": office_url(office, "requests", request_id), "failed": None, "notice": None}


@router.get("/registers/{office_key}/requests/{request_id:path}", response_class=HTMLResponse,
            include_in_schema=False)
def request_page(request: Request, office_key: str, request_id: str, store: StoreDep,
                 today: date | None = None, done: str | None = None) -> Response:
    access = page_access(request, store, office_key)
    if not isinstance(access, Access):
        return access
    context = request_context(store, access.office, request_id, today or date.today())
    if context is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"没有编号为「{request_id}」的申请")
    if done in EVENT_TYPES:
        context["notice"] = f"已登记：{EVENT_TYPES[done].label}"
    return page(request, "registers/request.html", title=f"申请 {request_id}", **context)


@router.post("/registers/{office_key}/requests/{request_id:path}", response_class=HTMLResponse,
             include_in_schema=False, dependencies=WRITING)
async def event_form(request: Request, office_key: str, request_id: str, store: StoreDep) -> Response:
    """One event's form (its code in the hidden field `event`): recorded, or shown again with the refusal."""
    access = await run_in_threadpool(page_access, request, store, office_key)
    if not isinstance(access, Access):
        return access
    values = form_text(await read_form(request))
    code = values.pop("event", "")
    try:
        await run_in_threadpool(service.record, store, access.office, request_id, code, values, by=access.user)
    except RegisterError as err:
        context = await run_in_threadpool(request_context, store, access.office, request_id, date.today())
        if context is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, err.message_zh) from None
        context["failed"] = {"code": code, "message": err.message_zh, "values": values}
        return page(request, "registers/request.html", status.HTTP_422_UNPROCESSABLE_CONTENT,
                    title=f"申请 {request_id}", **context)
    target = office_url(access.office, "requests", request_id) + f"?done={quote(code)}#events"
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


def tables_context(store: Store, office: Office, year: int) -> dict[str, Any]:
    tables = service.year_tables(store, [office.key], year)
    shown = [table_view(tables.get(k, {}), k) for k in ("proactive", "requests", "review_litigation")]
    return {"office": office, "base": office_url(office), "year": year, "tables": [t for t in shown if t],
            "this_year": date.today().year}


@router.get("/registers/{office_key}/tables", response_class=HTMLResponse, include_in_schema=False)
def tables_page(request: Request, office_key: str, store: StoreDep,
                year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> Response:
    access = page_access(request, store, office_key)
    if not isinstance(access, Access):
        return access
    context = tables_context(store, access.office, year or date.today().year - 1)
    return page(request, "registers/tables.html", title=f"{access.office.name} · {context['year']}年度表三、表四",
                **context)


@router.get("/registers/{office_key}/tables.xlsx", include_in_schema=False)
def tables_download(request: Request, office_key: str, store: StoreDep,
                    year: Annotated[int, Query(ge=2000, le=2100)]) -> Response:
    from gongkai.registers.spreadsheet import export_tables

    access = page_access(request, store, office_key)
    if not isinstance(access, Access):
        return access
    tables = service.year_tables(store, [access.office.key], year)
    return download(lambda p: export_tables(tables, p), f"{access.office.name}{year}年度表三表四.xlsx")


def documents_context(store: Store, office: Office) -> dict[str, Any]:
    docs = db.load_documents(store, [office.key])
    return {"office": office, "base": office_url(office), "documents": [document_json(d) for d in docs],
            "kinds": labels().doc_kinds, "values": {"organ": office.name}, "error": None, "problems": (),
            "notice": None}


@router.get("/registers/{office_key}/documents", response_class=HTMLResponse, include_in_schema=False)
def documents_page(request: Request, office_key: str, store: StoreDep) -> Response:
    access = page_access(request, store, office_key)
    if not isinstance(access, Access):
        return access
    return page(request, "registers/documents.html", title=f"{access.office.name} · 政策文件库",
                **documents_context(store, access.office))


@router.post("/registers/{office_key}/documents", response_class=HTMLResponse, include_in_schema=False,
             dependencies=WRITING)
async def new_document_form(request: Request, office_key: str, store: StoreDep) -> Response:
    access = await run_in_threadpool(page_access, request, store, office_key)
    if not isinstance(access, Access):
        return access
    values = form_text(await read_form(request))
    try:
        made = await run_in_threadpool(service.new_document, store, access.office, values, by=access.user)
    except RegisterError as err:
        context: dict[str, Any] = {"values": values, "error": err.message_zh}
    else:
        context = {"notice": f"已登记：{made.number}"}
    base = await run_in_threadpool(documents_context, store, access.office)
    return page(request, "registers/documents.html", 422 if "error" in context else 200,
                title=f"{access.office.name} · 政策文件库", **{**base, **context})


@router.post("/registers/{office_key}/documents/import", response_class=HTMLResponse, include_in_schema=False,
             dependencies=WRITING)
async def import_documents_form(request: Request, office_key: str, store: StoreDep,
                                settings: SettingsDep) -> Response:
    from gongkai.registers.documents_sheet import import_documents

    access = await run_in_threadpool(page_access, request, store, office_key)
    if not isinstance(access, Access):
        return access
    try:
        data = await uploaded_sheet(request, settings)
        replace = (await read_form(request)).get("replace") == "1"
    except RegisterError as err:
        result = Imported(error=err.message_zh)
    else:
        result = await run_in_threadpool(
            import_sheet, import_documents,
            lambda ds: db.import_documents(store, access.office, ds, by=access.user, replace_existing=replace), data)
    base = await run_in_threadpool(documents_context, store, access.office)
    failed = result.error is not None
    return page(request, "registers/documents.html", 422 if failed else 200,
                title=f"{access.office.name} · 政策文件库",
                **{**base, "error": result.error, "problems": result.problems,
                   "notice": None if failed else f"已导入 {result.count} 件文件"})


@router.get("/registers/{office_key}/documents.xlsx", include_in_schema=False)
def documents_download(request: Request, office_key: str, store: StoreDep) -> Response:
    from gongkai.registers.documents_sheet import export_documents

    access = page_access(request, store, office_key)
    if not isinstance(access, Access):
        return access
    docs = db.load_documents(store, [access.office.key])
    return download(lambda p: export_documents(docs, p), f"{access.office.name}政策文件库.xlsx")


# --- JSON API --------------------------------------------------------------------------------------------

API = "/api/registers/{office_key}"
TAGS: list[str | Any] = ["台账"]
JSON_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}}


@router.get(f"{API}/requests", tags=TAGS, summary="该机关的全部申请（含申请人信息，仅本机关撰写人、审核人可见）")
def api_requests(office: OfficeDep, store: StoreDep) -> dict[str, Any]:
    requests = db.load_requests(store, [office.key], personal=True)
    return {"office": office.key, "count": len(requests), "items": [request_summary(r) for r in requests]}


@router.post(f"{API}/requests", tags=TAGS, status_code=201, dependencies=WRITING, openapi_extra=JSON_BODY,
             summary="登记一件申请（JSON：id, received, channel, applicant, applicant_name, contact, content）",
             description=CSRF_NOTE + " 被拒绝时返回 422 {code, message}。",
             responses={422: {"description": "登记被拒绝（code, message）"}})
async def api_new_request(request: Request, office: OfficeDep, store: StoreDep) -> Response:
    body = await json_body(request)
    try:
        made = await run_in_threadpool(service.new_request, store, office, body, by=require_user(request))
    except RegisterError as err:
        return refusal(err)
    return JSONResponse(request_json(service.request_view(made, date.today())), status.HTTP_201_CREATED)


@router.get(f"{API}/requests/{{request_id:path}}", tags=TAGS,
            summary="一件申请：事件、答复期限（due, days_left, overdue, steps）")
def api_request(office: OfficeDep, request_id: str, store: StoreDep, today: date | None = None) -> dict[str, Any]:
    found = db.load_request(store, office, request_id, personal=True)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"没有编号为「{request_id}」的申请")
    return request_json(service.request_view(found, today or date.today()))


@router.post(f"{API}/requests/{{request_id:path}}/events", tags=TAGS, dependencies=WRITING, openapi_extra=JSON_BODY,
             summary="登记一件申请的事件（JSON：kind 为事件代码，其余为该事件的字段）",
             description=CSRF_NOTE + " 事件代码与字段见 gongkai.registers.events.EVENT_TYPES；征求意见开始的字段 kind"
             "（第三方或协办）与事件代码同名，此时以 event 给出事件代码。被拒绝时返回 422 {code, message}。",
             responses={422: {"description": "登记被拒绝（code, message）"}})
async def api_record(request: Request, office: OfficeDep, request_id: str, store: StoreDep) -> Response:
    body = await json_body(request)
    code = body.pop("event", "") or body.pop("kind", "")
    try:
        updated = await run_in_threadpool(service.record, store, office, request_id, code, body,
                                          by=require_user(request))
    except RegisterError as err:
        return refusal(err)
    return JSONResponse(request_json(service.request_view(updated, date.today())))


@router.get(f"{API}/open", tags=TAGS, summary="尚未办结的申请及其答复期限（已逾期的在前，等待申请人的在后）")
def api_open(office: OfficeDep, store: StoreDep, today: date | None = None) -> Response:
    try:
        opened = service.open_list(store, office, today or date.today(), personal=True)
    except RegisterError as err:
        return refusal(err)
    return JSONResponse({"office": office.key, "today": (today or date.today()).isoformat(),
                         "items": [open_json(o) for o in opened]})


@router.get(f"{API}/tables", tags=TAGS, summary="该年度的表三、表四（及有文件时表二的文件行），按格式的行列键")
def api_tables(office: OfficeDep, store: StoreDep, year: Annotated[int, Query(ge=2000, le=2100)]) -> dict[str, Any]:
    return {"office": office.key, "year": year, "format": FORMAT,
            "tables": service.year_tables(store, [office.key], year)}


@router.get(f"{API}/documents", tags=TAGS, summary="政策文件库（规章、行政规范性文件）")
def api_documents(office: OfficeDep, store: StoreDep) -> dict[str, Any]:
    docs = db.load_documents(store, [office.key])
    return {"office": office.key, "count": len(docs), "items": [document_json(d) for d in docs]}


@router.post(f"{API}/documents", tags=TAGS, status_code=201, dependencies=WRITING, openapi_extra=JSON_BODY,
             summary="登记一件文件（JSON：number, title, kind, organ, issued, effective, repealed, lapsed, amends, "
                     "replaces, replace）",
             description=CSRF_NOTE + " 被拒绝时返回 422 {code, message}。",
             responses={422: {"description": "登记被拒绝（code, message）"}})
async def api_new_document(request: Request, office: OfficeDep, store: StoreDep) -> Response:
    body = await json_body(request)
    try:
        made = await run_in_threadpool(service.new_document, store, office, body, by=require_user(request))
    except RegisterError as err:
        return refusal(err)
    return JSONResponse(document_json(made), status.HTTP_201_CREATED)
