"""核查: check a report without storing it (an office checking its draft) — an uploaded file, pasted text or a URL.

The same stages as `gongkai parse` and `gongkai check`: read → extract → check (with the same organ's report of
the year before from the store, when there is one), shown as a page (`/check`) or as JSON (`/api/check`). The
bytes a visitor sends are untrusted: the body is bounded by `settings.max_upload` before it is parsed, and the
reading runs in a worker process under a time and a memory limit (`gongkai.bounded.Supervisor`), so a file that
hangs or balloons costs that worker only. URLs are fetched by `gongkai.web.fetch` (no internal addresses).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from gongkai.web.app import TEMPLATES
from gongkai.web.auth import current_user, require_reader
from gongkai.web.deps import get_settings
from gongkai.web.settings import WebSettings

router = APIRouter(tags=["核查"], dependencies=[Depends(require_reader)])
SettingsDep = Annotated[WebSettings, Depends(get_settings)]

CHECK_TIMEOUT = 120.0  # seconds a worker may read and check one input (PDFs and scans get more: Limits.for_file)
FETCH_TIMEOUT = 30.0  # seconds to fetch a URL, redirects included
FORM_SLACK = 64 * 1024  # bytes of multipart framing and small fields allowed beyond max_upload
SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}
NOT_A_REPORT = {"code": "not_a_report", "message": "未识别为政府信息公开工作年度报告"}
PASTED = "粘贴的文字"


class CheckError(Exception):
    """An input that could not be checked: HTTP status, stable code, Chinese message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Submitted:
    """What the visitor gave: bytes (a file or pasted text) with a name to show, or a URL to fetch."""

    data: bytes | None
    name: str
    url: str | None = None


# --- the request body, bounded ----------------------------------------------------------------------------------

def _too_large(limit: int) -> CheckError:
    return CheckError(413, "too_large", f"文件过大：上限为 {limit / (1 << 20):.0f} MiB（{limit} 字节）")


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) past `limit` bytes whatever Content-Length says."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit - FORM_SLACK)
    buf = bytearray()
    async for chunk in request.stream():
        buf += chunk
        if len(buf) > limit:
            raise _too_large(limit - FORM_SLACK)
    return bytes(buf)


def _pick(file: Any, text: Any, url: Any, max_upload: int, upload: bytes | None) -> Submitted:
    """The one input given (a file first, then text, then a URL); 400 for none or an empty one."""
    if isinstance(file, UploadFile) and (file.filename or upload):
        if upload is None or not upload:
            raise CheckError(400, "empty", "上传的文件是空的")
        if len(upload) > max_upload:
            raise _too_large(max_upload)
        return Submitted(upload, file.filename or "上传的文件")
    if isinstance(text, str) and text.strip():
        data = text.encode("utf-8")
        if len(data) > max_upload:
            raise _too_large(max_upload)
        return Submitted(data, PASTED)
    if isinstance(url, str) and url.strip():
        return Submitted(None, url.strip(), url=url.strip())
    if isinstance(text, str) or isinstance(url, str) or isinstance(file, UploadFile):
        raise CheckError(400, "empty", "提交的内容是空的：请选择文件、粘贴报告文字或填写网址")
    raise CheckError(400, "no_input", "请上传文件、粘贴报告文字或填写报告网址")


async def submitted(request: Request, max_upload: int) -> Submitted:
    """Read the one input of a request: multipart or urlencoded form (`file`, `text`, `url`) or JSON."""
    limit = max_upload + FORM_SLACK
    body = await _body(request, limit)
    if request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            raise CheckError(400, "bad_request", "请求不是有效的 JSON") from None
        if not isinstance(doc, dict):
            raise CheckError(400, "bad_request", "JSON 请求应为对象，例如 {\"url\": \"https://…\"}")
        return _pick(None, doc.get("text"), doc.get("url"), max_upload, None)

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=8, max_part_size=limit)
    except MultiPartException:
        raise CheckError(400, "bad_request", "表单格式不正确") from None
    try:
        file = form.get("file")
        upload = await file.read(max_upload + 1) if isinstance(file, UploadFile) else None
        return _pick(file, form.get("text"), form.get("url"), max_upload, upload)
    finally:
        await form.close()


# --- read and check in a bounded worker ---------------------------------------------------------------------------

def _load() -> None:
    """Import the reader, extractor and checks once here: forked workers inherit them."""
    import gongkai.check
    import gongkai.extract
    import gongkai.read
    import gongkai.render.json_view  # noqa: F401


def _previous(report: Any, db_url: str | None) -> Any:
    """The same organ's stored report of the year before (cross-year rules), or None — never an error here:
    a check that cannot consult the store still checks everything else."""
    try:
        from gongkai.store import previous_report

        return previous_report(report, db_url)
    except Exception:
        return None


def _check_worker(item: tuple[bytes, str, str | None]) -> dict[str, Any]:
    """In the worker: read, extract and check; plain JSON-able data back (or an error with its code)."""
    from gongkai import is_report, parse_bytes
    from gongkai.check import check
    from gongkai.read import ReadError
    from gongkai.render.json_view import report_json

    data, name, db_url = item
    try:
        report = parse_bytes(data, name)
        previous = _previous(report, db_url)
        found = check(report, previous)
        return {"report": report_json(report), "recognised": is_report(report), "previous": previous is not None,
                "findings": [f.to_json(name) for f in found]}
    except ReadError as exc:
        return {"error": {"code": exc.code, "message": exc.message}}
    except MemoryError:
        raise  # over the memory limit: the supervisor reports it
    except Exception as exc:  # a bug on one input must answer as an error, not a crash page
        return {"error": {"code": "internal_error", "message": f"读取或核查时程序出错（{type(exc).__name__}）"}}


def run_check(data: bytes, name: str, db_url: str | None) -> dict[str, Any]:
    """Read and check `data` in one worker process under the time and memory limits."""
    from gongkai.bounded import Failed, Limits, Supervisor

    sup: Supervisor[tuple[bytes, str, str | None], dict[str, Any]] = Supervisor(
        _check_worker, workers=1, limits=Limits(timeout=CHECK_TIMEOUT), setup=_load,
        describe=lambda item: (item[1], len(item[0]), item[0][:512]))
    results: list[Any] = []
    try:
        results = [res for _index, res in sup.run([(data, name, db_url)])]
    finally:
        sup.close()
    result = results[0] if results else Failed("worker_crashed", "处理进程没有返回结果")
    if isinstance(result, Failed):
        return {"error": {"code": result.code, "message": result.message}}
    return result


# --- what is shown ------------------------------------------------------------------------------------------------

def _label(fmt: str | None, cell: dict[str, Any]) -> str:
    """A cell a finding points at, in the words of its format (table, row, column as far as known)."""
    from gongkai.check.labels import cell_label, row_label, table_title

    table, row, column = cell.get("table"), cell.get("row"), cell.get("column")
    if not table:
        return ""
    fmt_id = fmt if fmt in ("2021", "2019") else "2021"
    try:
        title = table_title(fmt, table)
        if table == "legacy" or not row:
            return title
        if not column:
            return f"{title}·{row_label(fmt_id, table, row)}"
        return f"{title}·{cell_label(fmt_id, table, row, column)}"
    except Exception:  # a key the format does not know: its canonical key
        return ".".join(str(x) for x in (table, row, column) if x)


def _findings(result: dict[str, Any]) -> list[dict[str, Any]]:
    fmt = result["report"]["meta"]["format"]
    out = []
    for f in result["findings"]:
        cells = [{**c, "label": _label(fmt, c)} for c in f["cells"]]
        out.append({**f, "cells": cells, "severity_word": SEVERITY_WORDS.get(f["severity"], f["severity"])})
    return out


def _tables(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The tables of the report's format laid out row by row, each cell's printed text and value."""
    from gongkai.formats import get_format

    fmt = doc["meta"]["format"]
    if fmt not in ("2021", "2019"):
        return []
    cells = doc["cells"]
    tables = []
    for t in get_format(fmt).tables:
        values = doc.get(t.key) or {}
        rows, read, total = [], 0, 0
        for rd in t.rows:
            row_cells = []
            for c in t.row_columns(rd):
                key = f"{t.key}.{rd.key}.{c.key}"
                cell = cells.get(key) or {}
                value = (values.get(rd.key) or {}).get(c.key)
                total += 1
                read += value is not None
                row_cells.append({"key": key, "raw": cell.get("raw"), "value": value, "line": cell.get("line")})
            rows.append({"label": rd.label, "cells": row_cells})
        tables.append({"key": t.key, "number": t.number, "title": t.title, "read": read, "total": total,
                       "columns": [{"label": c.label, "group": c.group, "unit": c.unit} for c in t.columns],
                       "rows": rows})
    return tables


def _stats(findings: list[dict[str, Any]]) -> dict[str, int]:
    severities = [f["severity"] for f in findings]
    return {"errors": severities.count("error"), "warnings": severities.count("warning"),
            "info": severities.count("info")}


def check_input(sub: Submitted, settings: WebSettings) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Fetch (a URL), read and check one input: the API's answer and the tables laid out for the page
    (CheckError when it cannot be checked)."""
    data, name, final_url, fetched_type = sub.data, sub.name, None, None
    if sub.url is not None:
        from gongkai.web.fetch import FetchRefused, fetch_report

        try:
            data, final_url, fetched_type = fetch_report(sub.url, max_bytes=settings.max_upload,
                                                         timeout=FETCH_TIMEOUT)
        except FetchRefused as exc:
            raise CheckError(413 if exc.code == "too_large" else 422, exc.code, f"未获取报告：{exc.message}") from None
        name = final_url
    assert data is not None
    result = run_check(data, name, settings.db_url)
    if "error" in result:
        raise CheckError(422, result["error"]["code"], result["error"]["message"])
    findings = _findings(result)
    stats = _stats(findings)
    doc = result["report"]
    tables = _tables(doc)
    out: dict[str, Any] = {
        "valid": stats["errors"] == 0, "stats": stats, "report": doc, "findings": findings,
        "recognised": result["recognised"], "previous_year_checked": result["previous"],
        "source": {"name": name, "url": final_url, "fetched_media_type": fetched_type,
                   "media_type": doc["source"]["media_type"], "size": len(data)},
        "cells_read": [{"table": t["key"], "number": t["number"], "read": t["read"], "total": t["total"]}
                       for t in tables]}
    if not result["recognised"]:
        out["error"] = dict(NOT_A_REPORT)
    return out, tables


# --- routes -------------------------------------------------------------------------------------------------------

def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, {"user": current_user(request), "nav": "check",
                                                          "severities": SEVERITY_WORDS, **context},
                                      status_code=status)


@router.get("/check", response_class=HTMLResponse, include_in_schema=False, name="check_page")
def check_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _page(request, "check.html", title="核查报告", max_mib=settings.max_upload / (1 << 20))


@router.post("/check", response_class=HTMLResponse, include_in_schema=False, name="check_submit")
async def check_submit(request: Request, settings: SettingsDep) -> HTMLResponse:
    try:
        sub = await submitted(request, settings.max_upload)
        result, tables = await run_in_threadpool(check_input, sub, settings)
    except CheckError as exc:
        return _page(request, "check.html", exc.status, title="核查报告", error=exc,
                     max_mib=settings.max_upload / (1 << 20))
    return _page(request, "check_result.html", title="核查结果", r=result, tables=tables,
                 pointed={c.get("table", "") + "." + (c.get("row") or "") + "." + (c.get("column") or "")
                          for f in result["findings"] for c in f["cells"]})


_API_BODY = {
    "requestBody": {"required": True, "content": {
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": "报告文件（网页、文本、PDF、Word/WPS、图片）"},
            "text": {"type": "string", "description": "粘贴的报告文字"},
            "url": {"type": "string", "description": "报告网址（http/https，不能是内部网络地址）"}}}},
        "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
            "text": {"type": "string"}, "url": {"type": "string"}}}},
        "application/json": {"schema": {"type": "object", "properties": {
            "text": {"type": "string"}, "url": {"type": "string"}}}}}},
    "responses": {"400": {"description": "没有提交内容或内容为空"}, "413": {"description": "文件超过大小上限"},
                  "422": {"description": "无法读取（不是报告文件、已损坏、超时）或网址被拒绝，附错误代码"}},
}


@router.post("/api/check", summary="核查一份报告（不入库）：上传文件、粘贴文字或给出网址",
             description="读取 → 提取 → 核查，与 `gongkai parse` / `gongkai check` 相同，结果不写入库。"
                         "提交一项：multipart 字段 `file`（文件），或表单/JSON 字段 `text`（文字）或 `url`（网址）。"
                         "返回 `valid`（没有“错误”级问题；不像年度报告的输入有 `completeness.not_a_report` 错误）、"
                         "`stats`（各严重程度的问题数）、"
                         "`report`（与 `gongkai parse --json` 相同）、`findings`（与 `gongkai check --json` 相同，"
                         "每个单元格另附中文名称 `label`）与 `cells_read`（每张表读到的格数）。"
                         "出错时返回 `error`：`code`（稳定的英文代码）与 `message`（中文说明）。",
             openapi_extra=_API_BODY, name="api_check")
async def api_check(request: Request, settings: SettingsDep) -> JSONResponse:
    try:
        sub = await submitted(request, settings.max_upload)
        result, _tables_shown = await run_in_threadpool(check_input, sub, settings)
    except CheckError as exc:
        return JSONResponse({"valid": False, "detail": exc.message, "error": {"code": exc.code,
                                                                              "message": exc.message}},
                            status_code=exc.status)
    return JSONResponse(result)
