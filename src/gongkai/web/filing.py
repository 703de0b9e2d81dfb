"""An organ's own annual report in the web application (年度报告): pages and a JSON API for writing, checking
and filing it, over the same functions as `gongkai draft` (`gongkai.filing.service`).

Who may see or do what is decided by the service (a `DraftError` with code `forbidden` becomes 403, any other
refusal 422 with its Chinese message shown beside the form or cell). Every route needs a signed-in user; writes
also need the session's CSRF token like every other write (`require_writer`, `verify_csrf`). The official
rendering carries its own inline style, so it is offered only as a download, never shown inside these pages.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.background import BackgroundTask

from gongkai.filing import service
from gongkai.filing.drafts import DraftError, Edit, apply_edits, cell_where, finding_key, grid, short
from gongkai.filing.workflow import STATUSES, STEPS, can_edit, step_refusal
from gongkai.store import Store
from gongkai.store import drafts as db
from gongkai.store import registers as offices_db
from gongkai.store.drafts import DraftRecord
from gongkai.store.registers import Office
from gongkai.web.app import TEMPLATES
from gongkai.web.auth import current_user, require_user, require_writer, verify_csrf
from gongkai.web.deps import get_store

router = APIRouter()
StoreDep = Annotated[Store, Depends(get_store)]
WRITING = [Depends(require_writer), Depends(verify_csrf)]

ORGAN_ROLES = frozenset({"drafter", "approver"})
FORMATS = {"2021": "2021年版（国办公开办函〔2021〕30号）", "2019": "2019年版"}
SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}
ACTION_WORDS = {"create": "新建", "edit": "修改", "acknowledge": "确认警告", "submit": "报送", "return": "退回",
                "accept": "审核通过", "publish": "公开"}
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BEIJING = ZoneInfo("Asia/Shanghai")
MAX_JSON = 2 * 1024 * 1024  # bytes of a JSON body: six sections of 50,000 characters fit, escaped
MAX_FORM = 4 * 1024 * 1024  # bytes of the grid's form: 200 cells and six sections, URL-encoded
MAX_EDITS = 1000
MAX_COMMENTS = 50
MAX_COMMENT = 2000  # characters of one comment or reason
COMMENT_ROWS = 3  # comments aimed at a cell or section in the return form
TRAIL_SHOWN = 500  # audit entries listed (the newest)
ANCHORED = 30  # a finding with at most this many cells shows its message at a cell
CSRF_NOTE = "须已登录；写入须在请求头 X-CSRF-Token 中附上本会话的防跨站令牌（GET /api/csrf 获取）。"


# --- access ----------------------------------------------------------------------------------------------

def _roles(store: Store, user: str | None, office: Office) -> tuple[set[str], set[str]]:
    """The user's roles in the organ and in its superior office (as the service reads them)."""
    held = offices_db.roles_of(store, user) if user else {}
    return held.get(office.key, set()), held.get(office.parent_key, set()) if office.parent_key else set()


def _readable(store: Store, user: str, draft_id: int) -> DraftRecord:
    """The draft when `user` may read it; `DraftError` otherwise (unknown: 404, someone else's: 403)."""
    record = db.get(store, draft_id)
    if record is None:
        raise DraftError("unknown_draft", f"没有编号为{draft_id}的报告草稿")
    if not service.may_read(store, user, record):
        raise DraftError("forbidden", "您不是该机关的撰写人、审核人，也不是其上级机关的审核人，无权查看这份报告")
    return record


def http_status(err: DraftError) -> int:
    return {"forbidden": 403, "unknown_draft": 404, "draft_changed": 409}.get(err.code, 422)


def refusal(err: DraftError, **extra: Any) -> JSONResponse:
    return JSONResponse({"code": err.code, "message": err.message_zh, "detail": err.message_zh, **extra},
                        http_status(err))


def _login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path, safe='/')}", status.HTTP_303_SEE_OTHER)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, {"user": current_user(request), "nav": "drafts",
                                                          "severities": SEVERITY_WORDS, **context},
                                      status_code=status_code)


def message_page(request: Request, err: DraftError) -> HTMLResponse:
    titles = {403: "无权访问", 404: "没有这份报告"}
    return page(request, "filing/message.html", http_status(err),
                title=titles.get(http_status(err), "未能完成"), message=err.message_zh)


# --- the grid of tables 2–4, from the format definitions -------------------------------------------------

@dataclass(frozen=True)
class GridRow:
    key: str
    label: str
    cells: tuple[str | None, ...]
    """Per column of the table: the column key when the row has that cell, else None."""
    heading: str | None = None
    """A group heading printed above this row (（三）不予公开 …)."""


@dataclass(frozen=True)
class GridTable:
    key: str
    number: int
    title: str
    top: tuple[dict[str, Any], ...]
    """The first header row: a column (rowspan 2 when any is grouped) or a group over its columns."""
    sub: tuple[str, ...]
    """The second header row: the labels of grouped columns."""
    rows: tuple[GridRow, ...]
    labels: tuple[str, ...]
    """Each column's full label (group·label), to name a cell to screen readers."""


def _headers(table: Any) -> tuple[tuple[dict[str, Any], ...], tuple[str, ...]]:
    grouped = any(c.group for c in table.columns)
    top: list[dict[str, Any]] = []
    for c in table.columns:
        label = c.label + (f"（{c.unit}）" if c.unit and c.unit not in c.label else "")
        if c.group and top and top[-1]["group"] == c.group:
            top[-1]["span"] += 1
        else:
            top.append({"group": c.group, "label": c.group or label, "span": 1, "rowspan": 2 if grouped and not
                        c.group else 1})
    return tuple(top), tuple(c.label for c in table.columns if c.group)


@cache
def layout(format_id: str) -> tuple[GridTable, ...]:
    """Tables 2–4 as the input grid shows them: official titles, labels, column groups, row group headings."""
    from gongkai.formats import get_format
    from gongkai.model import TABLE_KEYS

    fmt = get_format(format_id)
    out = []
    for key in TABLE_KEYS:
        table = fmt.table(key)
        if table is None:
            continue
        first = {g.first or next((r.key for r in table.rows if r.key.startswith(g.key + ".")), ""): g.label
                 for g in table.groups}
        rows, group = [], None
        for r in table.rows:
            keys = {c.key for c in table.row_columns(r)}
            heading = first.get(r.key) or (r.group if r.group and r.group != group else None)
            group = r.group
            rows.append(GridRow(r.key, r.label, tuple(c.key if c.key in keys else None for c in table.columns),
                                heading))
        top, sub = _headers(table)
        labels = tuple(f"{c.group}·{c.label}" if c.group else c.label for c in table.columns)
        out.append(GridTable(key, table.number, table.title, top, sub, tuple(rows), labels))
    return tuple(out)


def cell_text(value: Any) -> str:
    """A figure as the input shows it (money in plain decimals)."""
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _json_number(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


# --- what a draft shows -----------------------------------------------------------------------------------

def finding_json(f: Any, acknowledged: Mapping[str, Any]) -> dict[str, Any]:
    key = finding_key(f)
    return {"key": key, "code": f.code, "severity": f.severity, "message": f.message, "short": short(f.message),
            "cells": [f"{c.table}.{c.row}.{c.column}" for c in f.cells if c.table],
            "acknowledged": acknowledged.get(key)}


def due_of(office: Office, record_status: str | None, year: int, today: date) -> dict[str, Any]:
    """The deadline, days left and whether the organ is late (a filed report is never late)."""
    try:
        due = service.due_date(office, year)
    except DraftError:
        due = None
    if due is None:
        return {"due": None, "days_left": None, "overdue": False}
    open_ = record_status in (None, "draft", "returned")
    return {"due": due.isoformat(), "days_left": (due - today).days if open_ else None,
            "overdue": open_ and today > due}


def comment_places(record: DraftRecord) -> dict[str, Any]:
    """The reviewer's comments by where they point: a cell (表.行.列), a section, or the report as a whole."""
    from gongkai.formats import sections

    by_label = {s.label: s.key for s in sections()} | {s.key: s.key for s in sections()}
    cells = {f"{c.table}.{c.row}.{c.column}" for c in grid(record.content.format_id)}
    out: dict[str, Any] = {"cells": {}, "sections": {}, "general": []}
    for c in record.comments:
        target, text = str(c.get("target") or "").strip(), str(c.get("text") or "")
        bare = target.split(":", 1)[1] if target.startswith(("cell:", "section:")) else target
        if bare in cells:
            out["cells"].setdefault(bare, []).append(text)
        elif bare in by_label:
            out["sections"].setdefault(by_label[bare], []).append(text)
        else:
            out["general"].append({"target": target, "text": text})
    return out


def allowed_steps(store: Store, user: str, record: DraftRecord) -> list[dict[str, str]]:
    organ, superior = _roles(store, user, service.office_of(store, record))
    return [{"code": s.code, "label": s.label} for s in STEPS.values()
            if step_refusal(s.code, record.status, organ, superior) is None]


def draft_json(store: Store, user: str, record: DraftRecord, today: date | None = None) -> dict[str, Any]:
    """A draft as the API and the page's script read it: content, status, findings with their keys."""
    today = today or date.today()
    office = service.office_of(store, record)
    organ, _ = _roles(store, user, office)
    c = record.content
    cells = {t: {r: {k: _json_number(v) for k, v in cols.items()} for r, cols in rows.items()}
             for t, rows in c.cells.items()}
    found = service.findings(store, record)
    return {"id": record.id, "office": {"key": office.key, "name": office.name}, "year": record.year,
            "title": c.title, "format_id": c.format_id, "status": record.status,
            "status_label": STATUSES[record.status], "revision": record.revision,
            "editable": can_edit(record.status, organ) is None,
            "published": c.published.isoformat() if c.published else None, "sections": dict(c.sections),
            "cells": cells, "findings": [finding_json(f, record.acknowledged) for f in found],
            "counts": {s: sum(1 for f in found if f.severity == s) for s in SEVERITY_WORDS},
            "comments": record.comments, "report_id": record.report_id,
            "steps": allowed_steps(store, user, record), **due_of(office, record.status, record.year, today)}


def _marks(findings: list[dict[str, Any]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Which cells the findings point at (class by the worst severity) and the messages shown at a cell: each
    error or warning with few cells shows at its first cell (the figure the identity states)."""
    classes: dict[str, str] = {}
    messages: dict[str, list[str]] = {}
    for f in findings:
        if f["severity"] == "info":
            continue
        for cell in f["cells"]:
            if classes.get(cell) != "error":
                classes[cell] = f["severity"]
        if f["cells"] and len(f["cells"]) <= ANCHORED:
            messages.setdefault(f["cells"][0], []).append(f["short"])
    return classes, messages


def draft_context(store: Store, user: str, record: DraftRecord, **extra: Any) -> dict[str, Any]:
    """What the draft page shows."""
    from gongkai.formats import sections

    view = draft_json(store, user, record)
    classes, messages = _marks(view["findings"])
    trail = db.audit_trail(store, record.id)
    prefilled = trail[0].detail.get("prefilled", []) if trail else []
    office = service.office_of(store, record)
    _, superior = _roles(store, user, office)
    targets = [("", "整份报告")] + [(f"section:{s.key}", s.label) for s in sections()] + [
        (f"cell:{g.table}.{g.row}.{g.column}", cell_where(record.content.format_id, g.table, g.row, g.column))
        for g in grid(record.content.format_id)]
    typed: dict[str, str] = extra.pop("typed", {})
    values = {f"{g.table}.{g.row}.{g.column}": cell_text(record.content.value(g.table, g.row, g.column))
              for g in grid(record.content.format_id)} | {k: v for k, v in typed.items() if "." in k}
    texts = dict(record.content.sections) | {k: v for k, v in typed.items() if k in record.content.sections}
    return {"title": record.content.title, "d": view, "record": record, "layout": layout(record.content.format_id),
            "sections": sections(), "values": values, "texts": texts,
            "published": typed.get("published", view["published"] or ""), "classes": classes,
            "messages": messages, "places": comment_places(record), "prefilled": prefilled,
            "office": office, "reviewer": "reviewer" in superior, "targets": targets,
            "comment_rows": range(1, COMMENT_ROWS + 1), "cell_errors": {}, "ack_errors": {}, **extra}


def draft_page(request: Request, store: Store, user: str, record: DraftRecord, status_code: int = 200,
               **extra: Any) -> HTMLResponse:
    return page(request, "filing/draft.html", status_code, **draft_context(store, user, record, **extra))


# --- reading what users send -----------------------------------------------------------------------------

async def json_body(request: Request) -> Any:
    """The request's JSON (at most `MAX_JSON` bytes, 413 beyond; 422 when it is not JSON)."""
    too_big = HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"请求体过大（最多 {MAX_JSON // 1024 // 1024} MiB）")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_JSON:
        raise too_big
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_JSON:
            raise too_big
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "请求体应为 JSON") from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise DraftError("bad_request", "每一项的 text 应为文字或数字")
    return str(value)


def edits_from_json(items: Any) -> list[Edit]:
    """[{table,row,column,text} | {section,text} | {published: true, text}] as edits (at most `MAX_EDITS`)."""
    if not isinstance(items, list) or len(items) > MAX_EDITS:
        raise DraftError("bad_request", f"edits 应为修改项的列表（最多{MAX_EDITS}项）")
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise DraftError("bad_request", "每个修改项应为 JSON 对象")
        text = _text(item.get("text"))
        if item.get("published"):
            out.append(Edit(text, published=True))
        elif item.get("section") is not None:
            out.append(Edit(text, section=str(item["section"])))
        else:
            parts = [item.get(k) for k in ("table", "row", "column")]
            if not all(isinstance(p, str) and p for p in parts):
                raise DraftError("unknown_cell", "修改表格须指明表（table）、行（row）、列（column）")
            out.append(Edit(text, *parts))
    return out


def edit_name(e: Edit) -> str:
    """Where an edit lands, named as the page's inputs are: 表.行.列, the section key, or `published`."""
    if e.published:
        return "published"
    return e.section if e.section is not None else f"{e.table}.{e.row}.{e.column}"


def bad_edits(record: DraftRecord, edits: Iterable[Edit]) -> dict[str, str]:
    """Each edit that cannot be made, by input name, with why (Chinese)."""
    out = {}
    for e in edits:
        try:
            apply_edits(record.content, [e])
        except DraftError as err:
            out[edit_name(e)] = err.message_zh
    return out


def edits_from_form(record: DraftRecord, form: Mapping[str, Any]) -> list[Edit]:
    """The grid's form as edits: every cell, section and the publication date it carries."""
    out = [Edit(str(form[name]), g.table, g.row, g.column) for g in grid(record.content.format_id)
           if isinstance(form.get(name := f"{g.table}.{g.row}.{g.column}"), str)]
    out += [Edit(str(form[key]).replace("\r\n", "\n"), section=key) for key in record.content.sections
            if isinstance(form.get(key), str)]
    if isinstance(form.get("published"), str):
        out.append(Edit(str(form["published"]), published=True))
    return out


async def grid_form(request: Request) -> Any:
    """The grid's form: more fields than `read_form` allows (200 cells), bounded in bytes; its CSRF token is
    checked as every other form's (the form is cached where `verify_csrf` reads it)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_FORM:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "提交的内容过大")
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "表单格式不对")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "提交的内容过大")
    from urllib.parse import parse_qsl

    form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=1000))
    request.state.gongkai_form = form
    await verify_csrf(request)
    return form


def comments_from(items: Any) -> list[dict[str, str]]:
    if items is None:
        return []
    if not isinstance(items, list) or len(items) > MAX_COMMENTS:
        raise DraftError("bad_request", f"comments 应为意见的列表（最多{MAX_COMMENTS}条）")
    out = []
    for c in items:
        if not isinstance(c, dict):
            raise DraftError("bad_request", "每条意见应为 {target, text}")
        out.append({"target": _text(c.get("target"))[:200], "text": _text(c.get("text"))[:MAX_COMMENT]})
    return out


def comments_from_form(form: Mapping[str, Any]) -> list[dict[str, str]]:
    """The return form's comments: one on the whole report, and a few aimed at a cell or a section."""
    pairs = [("", form.get("comment"))] + [(form.get(f"target_{n}"), form.get(f"text_{n}"))
                                          for n in range(1, COMMENT_ROWS + 1)]
    return [{"target": str(t or "")[:200], "text": str(x)[:MAX_COMMENT]} for t, x in pairs
            if isinstance(x, str) and x.strip()]


# --- the user's organs and drafts --------------------------------------------------------------------------

def organs_of(store: Store, user: str) -> tuple[list[Office], list[Office]]:
    """The offices whose report the user writes, and those whose units' reports they review."""
    held = offices_db.roles_of(store, user)
    offices = {o.key: o for o in offices_db.list_offices(store)}
    organs = [offices[k] for k, roles in held.items() if roles & ORGAN_ROLES and k in offices]
    reviews = [offices[k] for k, roles in held.items() if "reviewer" in roles and k in offices]
    return sorted(organs, key=lambda o: o.name), sorted(reviews, key=lambda o: o.name)


def drafts_of(store: Store, offices: list[Office], today: date) -> dict[str, list[dict[str, Any]]]:
    """Every draft of these offices, newest year first, with its status and deadline."""
    from gongkai.store.schema import drafts

    if not offices:
        return {}
    by_key = {o.key: o for o in offices}
    d = drafts.c
    with store.reading() as conn:
        rows = conn.execute(select(d.id, d.office_key, d.year, d.status, d.format_id)
                            .where(d.office_key.in_(list(by_key))).order_by(d.year.desc())).all()
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r.office_key, []).append(
            {"id": r.id, "year": r.year, "status": r.status, "status_label": STATUSES.get(r.status, r.status),
             "format_id": r.format_id, **due_of(by_key[r.office_key], r.status, r.year, today)})
    return out


def index_page(request: Request, store: Store, user: str, status_code: int = 200, **extra: Any) -> HTMLResponse:
    today = date.today()
    organs, reviews = organs_of(store, user)
    return page(request, "filing/index.html", status_code, title="年度报告", organs=organs, reviews=reviews,
                drafts=drafts_of(store, organs, today), formats=FORMATS, default_year=today.year - 1,
                **({"form": {}, "error": None} | extra))


@router.get("/drafts", response_class=HTMLResponse, include_in_schema=False, name="drafts_page")
def drafts_page(request: Request, store: StoreDep) -> Response:
    user = current_user(request)
    if user is None:
        return _login(request)
    return index_page(request, store, user)


def _year(text: Any) -> int:
    try:
        year = int(str(text).strip())
    except ValueError:
        raise DraftError("bad_year", "年度应为四位数字，如2025") from None
    if not 2000 <= year <= date.today().year:
        raise DraftError("bad_year", f"年度应在2000年到{date.today().year}年之间")
    return year


def _create(store: Store, user: str, office_key: Any, year: Any, format_id: Any) -> DraftRecord:
    office = offices_db.get_office(store, str(office_key or "")) if office_key else None
    if office is None:
        raise DraftError("unknown_office", "请选择机关")
    fmt = str(format_id or "2021")
    if fmt not in FORMATS:
        raise DraftError("unknown_format", f"不支持的报告格式“{fmt}”，可选：{'、'.join(FORMATS)}")
    return service.create(store, office, _year(year), by=user, format_id=fmt)


@router.post("/drafts", response_class=HTMLResponse, include_in_schema=False, dependencies=WRITING)
async def create_form(request: Request, store: StoreDep) -> Response:
    from gongkai.web.auth import read_form

    user = require_writer(request)
    form = await read_form(request)
    try:
        record = await run_in_threadpool(_create, store, user, form.get("office"), form.get("year"),
                                         form.get("format"))
    except DraftError as err:
        return index_page(request, store, user, http_status(err), error=err.message_zh, form=dict(form))
    return RedirectResponse(f"/drafts/{record.id}?created=1", status.HTTP_303_SEE_OTHER)


# --- the superior's view -------------------------------------------------------------------------------------

def overview(store: Store, user: str, office_key: str, year: int, today: date | None = None) -> dict[str, Any]:
    """Every unit's status for the year and the consolidated tables of the accepted ones."""
    superior = offices_db.get_office(store, office_key)
    if superior is None:
        raise DraftError("unknown_office", f"没有机关“{office_key}”")
    today = today or date.today()
    units = service.units(store, superior, year, by=user, today=today)
    cells, names = service.consolidated(store, superior, year, by=user)
    return {"office": superior, "year": year, "units": units, "cells": cells, "names": names,
            "rule": service.CONSOLIDATION_RULE}


def overview_json(view: dict[str, Any]) -> dict[str, Any]:
    units = [{"office": {"key": u.office.key, "name": u.office.name}, "status": u.status, "label": u.label,
              "due": u.due.isoformat() if u.due else None, "days_left": u.days_left, "overdue": u.overdue,
              "errors": u.errors, "warnings": u.warnings, "draft_id": u.draft_id, "report_id": u.report_id}
             for u in view["units"]]
    cells = {t: {r: {c: _json_number(v) for c, v in cols.items()} for r, cols in rows.items()}
             for t, rows in view["cells"].items()}
    return {"office": {"key": view["office"].key, "name": view["office"].name}, "year": view["year"],
            "units": units, "consolidated": {"units": view["names"], "rule": view["rule"], "cells": cells}}


@router.get("/drafts/overview", response_class=HTMLResponse, include_in_schema=False, name="drafts_overview")
def overview_page(request: Request, store: StoreDep, office: str = "", year: int | None = None) -> Response:
    user = current_user(request)
    if user is None:
        return _login(request)
    year = year or date.today().year - 1
    _, reviews = organs_of(store, user)
    if not office and reviews:
        office = reviews[0].key
    try:
        view = overview(store, user, office, year)
    except DraftError as err:
        return message_page(request, err)
    return page(request, "filing/overview.html", title=f"{view['office'].name}{year}年度报送情况", v=view,
                reviews=reviews, layout=layout(_format_of(view["cells"])), query=f"office={quote(office)}&year={year}",
                values={f"{t}.{r}.{c}": cell_text(x) for t, rows in view["cells"].items()
                        for r, cols in rows.items() for c, x in cols.items()})


def _format_of(cells: Mapping[str, Any]) -> str:
    """The format of consolidated cells: the one whose grid they fill."""
    keys = {(t, r, c) for t, rows in cells.items() for r, cols in rows.items() for c in cols}
    return next((f for f in FORMATS if {(g.table, g.row, g.column) for g in grid(f)} == keys), "2021")


def _export(view: dict[str, Any]) -> Response:
    folder = Path(tempfile.mkdtemp(prefix="gongkai-drafts-"))
    path = folder / f"{view['year']}年度报送情况.xlsx"
    service.export_units(view["units"], view["cells"], view["names"], view["year"], path)
    return Response(path.read_bytes(), media_type=XLSX, headers=_attachment(path.name),
                    background=BackgroundTask(_remove, folder))


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}"}


@router.get("/drafts/overview/export", include_in_schema=False)
def overview_export(request: Request, store: StoreDep, office: str, year: int) -> Response:
    user = current_user(request)
    if user is None:
        return _login(request)
    try:
        return _export(overview(store, user, office, year))
    except DraftError as err:
        return message_page(request, err)


# --- one draft: the page and its forms -------------------------------------------------------------------

def _page_access(request: Request, store: Store, draft_id: int) -> tuple[str, DraftRecord] | Response:
    user = current_user(request)
    if user is None:
        return _login(request)
    try:
        return user, _readable(store, user, draft_id)
    except DraftError as err:
        return message_page(request, err)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse, include_in_schema=False, name="draft_page")
def draft_view(request: Request, draft_id: int, store: StoreDep, created: bool = False, done: str = "",
               saved: bool = False) -> Response:
    access = _page_access(request, store, draft_id)
    if isinstance(access, Response):
        return access
    user, record = access
    notice = ("已新建草稿。" if created else "已保存。" if saved else
              f"已{STEPS[done].label}。" if done in STEPS else "已确认该警告。" if done == "acknowledge" else None)
    return draft_page(request, store, user, record, notice=notice)


@router.post("/drafts/{draft_id}", response_class=HTMLResponse, include_in_schema=False,
             dependencies=[Depends(require_writer)])
async def save_form(request: Request, draft_id: int, store: StoreDep) -> Response:
    form = await grid_form(request)
    access = _page_access(request, store, draft_id)
    if isinstance(access, Response):
        return access
    user, record = access
    edits = edits_from_form(record, form)
    typed = {edit_name(e): e.text for e in edits}
    bad = bad_edits(record, edits)
    if bad:
        return draft_page(request, store, user, record, 422, typed=typed, cell_errors=bad,
                          error="有填写不正确的内容，请按标出的提示改正后再保存。")
    try:
        revision = int(form.get("revision", ""))
    except ValueError:
        revision = None
    try:
        await run_in_threadpool(service.edit, store, draft_id, edits, by=user, revision=revision)
    except DraftError as err:
        return draft_page(request, store, user, record, http_status(err), typed=typed, error=err.message_zh)
    return RedirectResponse(f"/drafts/{draft_id}?saved=1", status.HTTP_303_SEE_OTHER)


@router.post("/drafts/{draft_id}/acknowledge", response_class=HTMLResponse, include_in_schema=False,
             dependencies=WRITING)
async def acknowledge_form(request: Request, draft_id: int, store: StoreDep) -> Response:
    from gongkai.web.auth import read_form

    form = await read_form(request)
    access = _page_access(request, store, draft_id)
    if isinstance(access, Response):
        return access
    user, record = access
    key, reason = str(form.get("key") or ""), str(form.get("reason") or "")[:MAX_COMMENT]
    try:
        await run_in_threadpool(service.acknowledge, store, draft_id, key, reason, by=user)
    except DraftError as err:
        return draft_page(request, store, user, record, http_status(err), ack_errors={key: err.message_zh})
    return RedirectResponse(f"/drafts/{draft_id}?done=acknowledge#findings", status.HTTP_303_SEE_OTHER)


@router.post("/drafts/{draft_id}/steps/{code}", response_class=HTMLResponse, include_in_schema=False,
             dependencies=WRITING)
async def step_form(request: Request, draft_id: int, code: str, store: StoreDep) -> Response:
    from gongkai.web.auth import read_form

    form = await read_form(request)
    access = _page_access(request, store, draft_id)
    if isinstance(access, Response):
        return access
    user, record = access
    try:
        await run_in_threadpool(lambda: service.take_step(store, draft_id, code, by=user,
                                                          comments=comments_from_form(form)))
    except DraftError as err:
        return draft_page(request, store, user, record, http_status(err), step_error=err.message_zh)
    return RedirectResponse(f"/drafts/{draft_id}?done={quote(code)}", status.HTTP_303_SEE_OTHER)


def trail_json(entries: list[Any]) -> list[dict[str, Any]]:
    out = []
    for e in entries:
        at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)
        out.append({"at": at.isoformat(), "at_local": at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
                    "user": e.user, "action": e.action, "action_label": ACTION_WORDS.get(e.action, e.action),
                    "status": e.status, "status_label": STATUSES.get(e.status, e.status), "detail": e.detail})
    return out


@router.get("/drafts/{draft_id}/history", response_class=HTMLResponse, include_in_schema=False)
def history_page(request: Request, draft_id: int, store: StoreDep) -> Response:
    access = _page_access(request, store, draft_id)
    if isinstance(access, Response):
        return access
    _, record = access
    entries = db.audit_trail(store, draft_id)
    return page(request, "filing/history.html", title=f"{record.content.title} · 修改记录", record=record,
                entries=trail_json(entries[-TRAIL_SHOWN:]), total=len(entries), shown=TRAIL_SHOWN)


# --- the JSON API ----------------------------------------------------------------------------------------------

API = {"tags": ["年度报告"]}


def _api_record(store: Store, user: str, draft_id: int) -> DraftRecord:
    try:
        return _readable(store, user, draft_id)
    except DraftError as err:
        raise HTTPException(http_status(err), err.message_zh) from None


@router.get("/api/drafts/overview", **API, summary="下级机关的报送情况与已审核通过报告的汇总表（上级审核人）")
def api_overview(request: Request, store: StoreDep, office: str, year: int) -> Any:
    user = require_user(request)
    try:
        return overview_json(overview(store, user, office, year))
    except DraftError as err:
        return refusal(err)


@router.get("/api/drafts", **API, summary="本人所在机关的报告草稿（各年度）")
def api_drafts(request: Request, store: StoreDep) -> dict[str, Any]:
    user = require_user(request)
    organs, reviews = organs_of(store, user)
    listed = drafts_of(store, organs, date.today())
    return {"organs": [{"key": o.key, "name": o.name, "drafts": listed.get(o.key, [])} for o in organs],
            "reviews": [{"key": o.key, "name": o.name} for o in reviews]}


@router.post("/api/drafts", **API, dependencies=WRITING, status_code=201,
             summary="新建本机关某年度的报告草稿（JSON：office、year、format）",
             description="有台账时表三、表四（及表二的文件行）取自台账，否则“上年结转”取自上年报告；"
                         "返回草稿及预填说明 prefilled。" + CSRF_NOTE)
async def api_create(request: Request, store: StoreDep) -> Any:
    user = require_writer(request)
    body = await json_body(request)
    if not isinstance(body, dict):
        return refusal(DraftError("bad_request", "请求体应为 JSON 对象：office、year、format"))
    try:
        record = await run_in_threadpool(_create, store, user, body.get("office"), body.get("year"),
                                         body.get("format"))
    except DraftError as err:
        return refusal(err)
    prefilled = db.audit_trail(store, record.id)[0].detail.get("prefilled", [])
    return JSONResponse({**draft_json(store, user, record), "prefilled": prefilled}, 201)


@router.get("/api/drafts/{draft_id}", **API, summary="一份草稿：内容、状态、核查结果（含确认用的键）、版本号")
def api_draft(request: Request, draft_id: int, store: StoreDep) -> dict[str, Any]:
    user = require_user(request)
    return draft_json(store, user, _api_record(store, user, draft_id))


@router.patch("/api/drafts/{draft_id}", **API, dependencies=WRITING,
              summary="填写或修改草稿（修改项的列表；可附 revision，报告已被他人修改时返回 409）",
              description="请求体：`{\"edits\": [{\"table\", \"row\", \"column\", \"text\"} | {\"section\", \"text\"} "
                          "| {\"published\": true, \"text\": \"2025-01-20\"}], \"revision\": 3}`，或只有修改项的列表。"
                          "返回修改后的草稿及新的核查结果；填写不正确时返回 422，附出错的格 `cell`。" + CSRF_NOTE)
async def api_edit(request: Request, draft_id: int, store: StoreDep) -> Any:
    user = require_writer(request)
    body = await json_body(request)
    items, revision = (body.get("edits"), body.get("revision")) if isinstance(body, dict) else (body, None)
    record = _api_record(store, user, draft_id)
    edits: list[Edit] = []
    try:
        edits = edits_from_json(items)
        if revision is not None and not isinstance(revision, int):
            raise DraftError("bad_request", "revision 应为整数")
        record = await run_in_threadpool(service.edit, store, draft_id, edits, by=user, revision=revision)
    except DraftError as err:
        bad = bad_edits(record, edits) if err.code in ("bad_value", "unknown_cell", "unknown_section",
                                                         "too_long") else {}
        return refusal(err, cell=next(iter(bad), None))
    return draft_json(store, user, record)


@router.post("/api/drafts/{draft_id}/acknowledge", **API, dependencies=WRITING,
             summary="确认一条警告并写明理由（JSON：key、reason）", description=CSRF_NOTE)
async def api_acknowledge(request: Request, draft_id: int, store: StoreDep) -> Any:
    user = require_writer(request)
    body = await json_body(request)
    _api_record(store, user, draft_id)
    if not isinstance(body, dict):
        return refusal(DraftError("bad_request", "请求体应为 JSON 对象：key、reason"))
    try:
        record = await run_in_threadpool(service.acknowledge, store, draft_id, _text(body.get("key")),
                                         _text(body.get("reason"))[:MAX_COMMENT], by=user)
    except DraftError as err:
        return refusal(err)
    return draft_json(store, user, record)


@router.post("/api/drafts/{draft_id}/steps/{code}", **API, dependencies=WRITING,
             summary="报送（submit）、退回（return，附 comments）、审核通过（accept）或公开（publish）",
             description="请求体（退回时必填）：`{\"comments\": [{\"target\": \"cell:requests.granted.total\" 或 "
                         "\"section:overview\" 或空, \"text\": \"意见\"}]}`。不允许的操作返回 403 或 422，附中文原因。"
                         + CSRF_NOTE)
async def api_step(request: Request, draft_id: int, code: str, store: StoreDep) -> Any:
    user = require_writer(request)
    body = await json_body(request)
    _api_record(store, user, draft_id)
    try:
        comments = comments_from(body.get("comments") if isinstance(body, dict) else None)
        record = await run_in_threadpool(lambda: service.take_step(store, draft_id, code, by=user,
                                                                   comments=comments))
    except DraftError as err:
        return refusal(err)
    return draft_json(store, user, record)


@router.get("/api/drafts/{draft_id}/history", **API, summary="草稿的修改记录（谁、何时、逐格改了什么）")
def api_history(request: Request, draft_id: int, store: StoreDep) -> list[dict[str, Any]]:
    user = require_user(request)
    _api_record(store, user, draft_id)
    return trail_json(db.audit_trail(store, draft_id))


@router.get("/api/drafts/{draft_id}/render.{kind}", **API, summary="按规定版式生成报告：html、docx 或 pdf（下载）")
async def api_render(request: Request, draft_id: int, kind: str, store: StoreDep) -> Response:
    user = require_user(request)
    record = _api_record(store, user, draft_id)
    if kind not in MEDIA:
        raise HTTPException(404, f"不支持的格式“{kind}”，可选：html、docx、pdf")
    try:
        data = await run_in_threadpool(service.render, record, kind)
    except DraftError as err:
        return refusal(err)
    # Always a download: the official page carries its own style, which this site's policy would not apply.
    return Response(data, media_type=MEDIA[kind], headers=_attachment(f"{record.content.title}.{kind}"))
