"""Signing in and out, and the routes that write: storing an uploaded report, deleting a stored one.

Every writing route needs a signed-in user (`require_writer`) and this session's CSRF token
(`verify_csrf`: the form field `csrf_token`, or for JSON clients the header `X-CSRF-Token`, whose value
`GET /api/csrf` gives). An upload goes through the same pipeline as `gongkai ingest`: the file is read in a
bounded worker process (time and memory limits), then stored with its versions settled.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

from gongkai.store import Store
from gongkai.web.app import TEMPLATES
from gongkai.web.auth import csrf_token, current_user, read_form, require_writer, too_large, verify_csrf
from gongkai.web.deps import get_settings, get_store
from gongkai.web.settings import WebSettings

router = APIRouter()
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[WebSettings, Depends(get_settings)]
WRITING = [Depends(require_writer), Depends(verify_csrf)]
CSRF_NOTE = ("须已登录；须在请求头 X-CSRF-Token 中附上本会话的防跨站令牌（GET /api/csrf 获取），"
             "或在表单字段 csrf_token 中附上。")

TEMPLATES.env.globals["csrf_token"] = csrf_token  # every template's forms: {{ csrf_token(request) }}

STATUS_WORDS = {"stored": "已入库", "new_version": "已入库（新版本）",
                "same_report": "已入库（已有报告的另一格式原件）", "duplicate": "库中已有相同文件，未重复入库",
                "failed": "未能入库"}
ACCEPTED = ".txt,.htm,.html,.pdf,.docx,.doc,.wps,.png,.jpg,.jpeg"


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, {"user": current_user(request), **context},
                                      status_code=status_code)


def _local(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


# --- signing in and out -------------------------------------------------------------------------------

@router.get("/login", response_class=HTMLResponse, include_in_schema=False, name="login_page")
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return _page(request, "login.html", title="登录", nav="login", next=_local(next), name="", error=None)


@router.post("/login", include_in_schema=False, dependencies=[Depends(verify_csrf)])
async def login(request: Request, store: StoreDep) -> Response:
    from gongkai.web.users import authenticate

    form = await read_form(request)
    name, target = _field(form, "name"), _local(_field(form, "next"))
    user = await run_in_threadpool(authenticate, store, name, _field(form, "password"))
    if user is None:  # one message for an unknown name and a wrong password
        return _page(request, "login.html", status.HTTP_401_UNAUTHORIZED, title="登录", nav="login",
                     next=target, name=name, error="用户名或密码错误")
    request.session["user"] = user
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


@router.get("/logout", include_in_schema=False)
def logout_link(request: Request) -> Response:
    """The link in the page header: ends the session."""
    request.session.clear()
    return RedirectResponse("/", status.HTTP_303_SEE_OTHER)


@router.post("/logout", include_in_schema=False, dependencies=[Depends(verify_csrf)])
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/", status.HTTP_303_SEE_OTHER)


@router.get("/api/csrf", tags=["写入"], summary="本会话的防跨站令牌（写入接口须在请求头 X-CSRF-Token 中附上）")
def api_csrf(request: Request) -> dict[str, str]:
    return {"csrf_token": csrf_token(request), "header": "X-CSRF-Token"}


# --- storing an upload --------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What became of one uploaded file."""

    status: str  # stored | new_version | same_report | duplicate | failed
    name: str
    report_id: int | None = None
    version: int | None = None
    is_current: bool | None = None
    reason: str | None = None
    message: str | None = None

    @property
    def http_status(self) -> int:
        return {"failed": 422, "duplicate": 200}.get(self.status, 201)

    def text(self) -> str:
        words = STATUS_WORDS.get(self.status, self.status)
        if self.status == "failed":
            return f"{self.name}：{words}：{self.message}"
        where = f"报告 #{self.report_id}" + (f"，第 {self.version} 版" if self.version else "")
        return f"{self.name}：{words}（{where}{'，当前版本' if self.is_current else ''}）"

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "report_id": self.report_id, "version": self.version,
                "is_current": self.is_current, "name": self.name, "reason": self.reason,
                "message": self.message or self.text()}


def safe_name(name: str | None) -> str:
    """The base name of an uploaded file, fit to be a file name here: no directories, control characters or
    leading dots, at most 200 bytes (the extension kept)."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]
    base = "".join(ch for ch in base if not unicodedata.category(ch).startswith("C")).strip().lstrip(".")
    stem, dot, ext = base.rpartition(".")
    if not stem or len(ext) > 10:
        stem, dot, ext = base, "", ""
    while len(f"{stem}{dot}{ext}".encode()) > 200:
        stem = stem[:-1]
    return f"{stem}{dot}{ext}" if stem else f"upload{dot}{ext}"


def store_upload(store: Store, name: str, data: bytes) -> Outcome:
    """Ingest one uploaded file exactly as `gongkai ingest` would (a bounded worker process reads it)."""
    from gongkai.bounded import Limits
    from gongkai.ingest import ingest

    with tempfile.TemporaryDirectory(prefix="gongkai-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        summary = ingest(store, [str(path)], workers=1, limits=Limits())
    if summary.failed:
        failure = summary.failed[0]
        return Outcome("failed", name, reason=failure.reason, message=failure.message)
    if summary.report_ids:
        status_ = "new_version" if summary.new_versions else "same_report" if summary.other_originals else "stored"
        return _located(store, Outcome(status_, name, report_id=summary.report_ids[0]))
    sha = next(iter(summary.shas.values()), None)
    return _located(store, Outcome("duplicate", name), sha)


def _located(store: Store, outcome: Outcome, sha: str | None = None) -> Outcome:
    """The outcome with its report's id, version and whether it is current, as stored now."""
    from gongkai.store.schema import reports

    r = reports.c
    where = r.id == outcome.report_id if sha is None else r.sha256 == sha
    with store.reading() as conn:
        row = conn.execute(select(r.id, r.version, r.is_current).where(where)).first()
    if row is not None:
        outcome.report_id, outcome.version, outcome.is_current = row.id, row.version, bool(row.is_current)
    return outcome


async def _upload(request: Request, store: Store, settings: WebSettings) -> Outcome:
    """The uploaded file of the form (field `file`), stored; 413 beyond `max_upload`, 422 without a file."""
    form = await read_form(request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "请选择要上传的报告文件（表单字段 file）")
    try:
        data = await upload.read(settings.max_upload + 1)
    finally:
        await upload.close()
    if len(data) > settings.max_upload:
        raise too_large(request)
    if not data:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "上传的文件是空的")
    return await run_in_threadpool(store_upload, store, safe_name(upload.filename), data)


@router.post("/api/reports", tags=["写入"], dependencies=WRITING, status_code=201,
             summary="上传并入库一份报告（multipart 表单，字段 file）",
             description="与 `gongkai ingest` 相同：读取（受时间与内存限制）、核查、入库并整理版本。" + CSRF_NOTE
             + " 返回 status：stored（入库）、new_version（新版本）、same_report（已有报告的另一格式原件）、"
               "duplicate（库中已有相同文件，200）、failed（未能读取，422，附 reason 与 message）。",
             responses={401: {"description": "未登录"}, 403: {"description": "缺少防跨站令牌"},
                        413: {"description": "文件过大"}, 422: {"description": "未能读取"}},
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary"}}}}}}})
async def api_store_report(request: Request, store: StoreDep, settings: SettingsDep) -> JSONResponse:
    outcome = await _upload(request, store, settings)
    return JSONResponse(outcome.as_json(), status_code=outcome.http_status)


@router.get("/upload", response_class=HTMLResponse, include_in_schema=False, name="upload_page")
def upload_page(request: Request) -> Response:
    if current_user(request) is None:
        return RedirectResponse("/login?next=/upload", status.HTTP_303_SEE_OTHER)
    return _page(request, "upload.html", title="上传报告", nav="upload", accepted=ACCEPTED, outcome=None)


@router.post("/upload", response_class=HTMLResponse, include_in_schema=False, dependencies=WRITING)
async def upload_form(request: Request, store: StoreDep, settings: SettingsDep) -> HTMLResponse:
    try:
        outcome = await _upload(request, store, settings)
    except HTTPException as exc:
        return _page(request, "upload.html", exc.status_code, title="上传报告", nav="upload", accepted=ACCEPTED,
                     outcome=None, error=exc.detail)
    return _page(request, "upload.html", outcome.http_status, title="上传报告", nav="upload", accepted=ACCEPTED,
                 outcome=outcome, words=STATUS_WORDS)


# --- deleting -----------------------------------------------------------------------------------------

async def _delete(store: Store, report_id: int) -> None:
    from gongkai.store.delete import delete_report

    if not await run_in_threadpool(delete_report, store, report_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"库中没有报告 {report_id}")


@router.delete("/api/reports/{report_id}", tags=["写入"], dependencies=WRITING,
               summary="删除一份已入库的报告（含其原件、表格与核查结果），并重新整理该机关该年度的版本",
               description=CSRF_NOTE, responses={404: {"description": "库中没有该报告"}})
async def api_delete_report(report_id: int, store: StoreDep) -> dict[str, Any]:
    await _delete(store, report_id)
    return {"status": "deleted", "report_id": report_id, "message": f"已删除报告 #{report_id}"}


@router.post("/reports/{report_id}/delete", response_class=HTMLResponse, include_in_schema=False,
             dependencies=WRITING)
async def delete_form(request: Request, report_id: int, store: StoreDep) -> HTMLResponse:
    await _delete(store, report_id)
    return _page(request, "upload.html", title="删除报告", nav="upload", accepted=ACCEPTED, outcome=None,
                 deleted=report_id)
