"""The JSON API (`/api/…`, documented at `/docs`): the same functions the pages and the command line use."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from gongkai.export import export
from gongkai.store import Store
from gongkai.web.auth import require_reader
from gongkai.web.deps import get_store
from gongkai.web.queries import ReportFilter, SortKey, choices, conditions, list_reports
from gongkai.web.report_view import report_detail, source_blocks

router = APIRouter(prefix="/api", tags=["报告"], dependencies=[Depends(require_reader)])
StoreDep = Annotated[Store, Depends(get_store)]


@router.get("/reports", summary="报告列表（筛选、排序、分页）")
def api_reports(store: StoreDep, flt: Annotated[ReportFilter, Query()],
                sort: SortKey = "organ", desc: bool = False,
                page: Annotated[int, Query(ge=1)] = 1,
                per_page: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    count, items = list_reports(store, flt, sort=sort, descending=desc, page=page, per_page=per_page)
    return {"count": count, "page": page, "per_page": per_page, "items": [i.as_json() for i in items]}


@router.get("/choices", summary="筛选项（库中出现的年度、格式、规则；省 → 所选省的市 → 所选市的县）")
def api_choices(store: StoreDep, flt: Annotated[ReportFilter, Query()]) -> dict[str, list[Any]]:
    return choices(store, flt)


@router.get("/reports/{report_id}", summary="一份报告：元数据、表格（含原文与出处）、核查结果、版本")
def api_report(report_id: int, store: StoreDep) -> dict[str, Any]:
    detail = report_detail(store, report_id)
    if detail is None:
        raise HTTPException(404, f"库中没有报告 {report_id}")
    return detail


@router.get("/export", summary="下载所选报告（CSV / XLSX / Parquet，长表或宽表），附核查结果与字段说明")
def api_export(store: StoreDep, flt: Annotated[ReportFilter, Query()],
               file: Literal["csv", "xlsx", "parquet"] = "csv",
               shape: Literal["long", "wide"] = "wide") -> FileResponse:
    """The same files as `gongkai export`: a zip of the data file, its findings and its codebook (CSV and
    Parquet), or one workbook with those sheets (XLSX). Filters as for `/api/reports` (`format` there is the
    report's format; the file's is `file`)."""
    fmt = file
    folder = Path(tempfile.mkdtemp(prefix="gongkai-export-"))
    try:
        res = export(store, folder / f"reports.{fmt}", fmt=fmt, shape=shape, sel=flt.selection(),
                     where=conditions(flt))
        if fmt == "xlsx":
            target, media = Path(res.files[0]), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            target, media = folder / "gongkai-export.zip", "application/zip"
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in res.files:
                    zf.write(f, Path(f).name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(target, media_type=media, filename=target.name,
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))


@router.get("/reports/{report_id}/source", summary="报告原文（读取所见的文字块及其出处）")
def api_source(report_id: int, store: StoreDep) -> dict[str, Any]:
    media_type, blocks, error = source_blocks(store, report_id)
    if media_type is None:
        raise HTTPException(404, f"库中没有报告 {report_id}")
    return {"media_type": media_type, "blocks": blocks, "error": error}
