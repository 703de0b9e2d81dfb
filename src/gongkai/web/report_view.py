"""One stored report as the 报告 page and `/api/reports/{id}` show it: meta, the three tables laid out from
the format definitions with every cell's raw text and provenance, findings with the cells they point at,
narrative figures, versions, and the source as the reader saw it (blocks with their provenance).

Everything comes from the store: the cells and findings as stored, the source re-read from the archived
original (text and web pages in this process; other media in a bounded worker: time and memory limits).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from gongkai.formats import get_format
from gongkai.store import Store, cells, findings, originals, reports
from gongkai.store.history import history

SOURCE_TIMEOUT = 60.0  # seconds to re-read a stored PDF, Word file or scan for display


def _provenance(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def report_detail(store: Store, report_id: int) -> dict[str, Any] | None:
    """Everything about one report (None: no such report), as plain JSON-able data."""
    r = reports.c
    with store.reading() as conn:
        row = conn.execute(select(reports).where(r.id == report_id)).first()
        if row is None:
            return None
        stored = conn.execute(select(cells.c.tbl, cells.c.row_key, cells.c.col_key, cells.c.value, cells.c.raw,
                                     cells.c.unit, cells.c.provenance).where(cells.c.report_id == report_id)).all()
        found = conn.execute(select(findings).where(findings.c.report_id == report_id)
                             .order_by(findings.c.id)).all()
    doc = json.loads(row.report_json)
    by_key = {(t, rk, ck): {"value": v, "raw": raw, "unit": unit, "provenance": _provenance(prov)}
              for t, rk, ck, v, raw, unit, prov in stored}
    fmt_id = row.format if row.format in ("2021", "2019") else None
    tables = []
    if fmt_id is not None:
        for t in get_format(fmt_id).tables:
            rows_out = []
            for rd in t.rows:
                cols = t.row_columns(rd)
                rows_out.append({"key": rd.key, "label": rd.label, "item": rd.item, "cells": [
                    {"column": c.key, **by_key.get((t.key, rd.key, c.key), {"value": None, "raw": None,
                                                                            "unit": None, "provenance": {}})}
                    for c in cols]})
            tables.append({"key": t.key, "number": t.number, "title": t.title,
                           "columns": [{"key": c.key, "label": c.label, "group": c.group, "unit": c.unit}
                                       for c in t.columns], "rows": rows_out})
    h = history(store, report_id)
    return {
        "id": row.id, "sha256": row.sha256, "path": row.path, "media_type": row.media_type,
        "meta": {"title": row.title, "organ": row.organ, "organ_canonical": row.organ_canonical,
                 "organ_kind": row.organ_kind, "province": row.province, "city": row.city, "county": row.county,
                 "region_code": row.region_code, "parent": row.parent, "year": row.year, "format": row.format,
                 "published": str(row.published) if row.published else None},
        "version": row.version, "is_current": bool(row.is_current), "is_best": bool(row.is_best),
        "counts": {"errors": row.n_errors, "warnings": row.n_warnings, "info": row.n_info},
        "tables": tables,
        "findings": [{"code": f.code, "severity": f.severity, "message": f.message, "line": f.line,
                      "cells": json.loads(f.cells) if f.cells else [],
                      "expected": json.loads(f.expected) if f.expected else None,
                      "actual": json.loads(f.actual) if f.actual else None} for f in found],
        "narrative": _narrative(doc),
        "versions": [] if h is None else [
            {"version": v.number, "current": any(x.is_current for x in v.readings),
             "originals": [{"report_id": x.report_id, "media_type": x.media_type, "path": x.path,
                            "best": x.is_best, "cells_read": x.cells_read} for x in v.readings],
             "changes": [{"table": c.table, "row": c.row, "column": c.column, "before": c.before, "after": c.after}
                         for c in v.changes]} for v in h.versions],
    }


def _narrative(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Figures stated in the prose, with their label and the sentence they were read from."""
    from gongkai.formats import narrative_figures

    values, sources = doc.get("narrative") or {}, doc.get("narrative_sources") or {}
    out = []
    for fig in narrative_figures():
        if values.get(fig.key) is None:
            continue
        src = sources.get(fig.key) or {}
        out.append({"key": fig.key, "label": fig.label, "value": values[fig.key], "sentence": src.get("text"),
                    "line": src.get("line")})
    return out


def _read_blocks(data: bytes, path: str | None) -> list[dict[str, Any]]:
    """The blocks a reader makes of the original (run in this process or a worker)."""
    from gongkai.read import read_bytes

    doc = read_bytes(data, path)
    out = []
    for b in doc.blocks:
        p = b.provenance
        out.append({"text": b.text, "line": p.line, "table": p.table, "row": p.row, "col": p.col, "page": p.page,
                    "bbox": list(p.bbox) if p.bbox else None})
    return out


def source_blocks(store: Store, report_id: int) -> tuple[str | None, list[dict[str, Any]], str | None]:
    """(media type, the blocks of the archived original, an error message when it cannot be shown)."""
    from gongkai.read import ReadError

    o, r = originals.c, reports.c
    with store.reading() as conn:
        row = conn.execute(select(o.content, o.media_type, r.path).select_from(
            originals.join(reports, r.sha256 == o.sha256)).where(r.id == report_id)).first()
    if row is None:
        return None, [], "库中没有这份报告的原件"
    data = bytes(row.content)
    if row.media_type in ("text/plain", "text/html"):
        try:
            return row.media_type, _read_blocks(data, row.path), None
        except ReadError as exc:
            return row.media_type, [], exc.message
    from gongkai.bounded import Failed, Limits, Supervisor

    sup: Supervisor[tuple[bytes, str | None], Any] = Supervisor(
        _read_worker, workers=1, limits=Limits(timeout=SOURCE_TIMEOUT),
        describe=lambda item: (item[1], len(item[0]), item[0][:512]))
    results: list[Any] = []
    try:
        results = [res for _index, res in sup.run([(data, row.path)])]
    finally:
        sup.close()
    result = results[0] if results else None
    if isinstance(result, Failed):
        return row.media_type, [], result.message
    if isinstance(result, str):
        return row.media_type, [], result
    return row.media_type, result or [], None


def _read_worker(item: tuple[bytes, str | None]) -> list[dict[str, Any]] | str:
    from gongkai.read import ReadError

    data, path = item
    try:
        return _read_blocks(data, path)
    except ReadError as exc:
        return exc.message
