"""The HTML pages (Jinja2, autoescaped): 报告库, 报告, 规则. Each calls the same functions as the API."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from gongkai.labels import kind_words
from gongkai.store import Store
from gongkai.web.app import TEMPLATES
from gongkai.web.auth import current_user, require_reader
from gongkai.web.deps import get_settings, get_store
from gongkai.web.queries import ReportFilter, SortKey, choices, list_reports
from gongkai.web.report_view import report_detail, source_blocks
from gongkai.web.settings import WebSettings

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_reader)])
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[WebSettings, Depends(get_settings)]

KIND_WORDS = kind_words()
SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, {"user": current_user(request), "kinds": KIND_WORDS,
                                                          "severities": SEVERITY_WORDS, **context})


@router.get("/", response_class=HTMLResponse, name="corpus_page")
def corpus_page(request: Request, store: StoreDep, settings: SettingsDep, flt: Annotated[ReportFilter, Query()],
                sort: SortKey = "organ", desc: bool = False, page: Annotated[int, Query(ge=1)] = 1) -> HTMLResponse:
    count, items = list_reports(store, flt, sort=sort, descending=desc, page=page, per_page=settings.page_size)
    pages = max(1, -(-count // settings.page_size))
    query = {k: v for k, v in flt.model_dump().items() if v not in (None, "")}

    def link(**changes: Any) -> str:
        return "?" + urlencode({**query, "sort": sort, "desc": str(desc).lower(), "page": page, **changes})

    return _page(request, "corpus.html", title="报告库", nav="corpus", flt=flt, items=items, count=count, page=page,
                 pages=pages, sort=sort, desc=desc, link=link, choices=choices(store, flt),
                 export_query=urlencode(query))


@router.get("/reports/{report_id}", response_class=HTMLResponse, name="report_page")
def report_page(request: Request, report_id: int, store: StoreDep) -> HTMLResponse:
    detail = report_detail(store, report_id)
    if detail is None:
        raise HTTPException(404, f"库中没有报告 {report_id}")
    from gongkai.web.pdf_pages import page_sizes

    media_type, blocks, error = source_blocks(store, report_id)
    return _page(request, "report.html", title=detail["meta"]["title"] or f"报告 {report_id}", nav="corpus",
                 r=detail, blocks=blocks, source_error=error, media_type=media_type,
                 pdf_pages=page_sizes(store, report_id))


@router.get("/reports/{report_id}/original", name="report_original")
def report_original(report_id: int, store: StoreDep) -> Response:
    from gongkai.export.original import OriginalNotFound, original

    try:
        found = original(store, str(report_id))
    except OriginalNotFound:
        raise HTTPException(404, f"库中没有报告 {report_id}") from None
    # Always a download, never rendered by the browser: a stored web page is the report's, not ours.
    return Response(found.content, media_type="application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(found.name)}"})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


@router.get("/rules", response_class=HTMLResponse, name="rules_page")
def rules_page(request: Request) -> HTMLResponse:
    from gongkai.check import catalogue

    return _page(request, "rules.html", title="核查规则", nav="rules", rules=catalogue())
