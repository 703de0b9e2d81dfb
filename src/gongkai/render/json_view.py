"""The JSON a report prints as (`gongkai parse --json`): one object per input.

Tables are `{row: {column: number|null}}` with the reference's canonical keys; each cell's printed
text and provenance travel beside them under `cells`, keyed `table.row.column`.
"""

from __future__ import annotations

from typing import Any

from gongkai.formats import narrative_figures, sections
from gongkai.model import TABLE_KEYS, Cell, Provenance, Report, TableData


def provenance_dict(p: Provenance) -> dict[str, Any]:
    return p.model_dump(exclude_none=True)


def cell_dict(cell: Cell) -> dict[str, Any]:
    out: dict[str, Any] = {"raw": cell.raw}
    if cell.unit is not None:
        out["unit"] = cell.unit
    if cell.number is not None and cell.number != cell.value:
        out["number"] = cell.number
    out.update(provenance_dict(cell.provenance))
    return out


def table_values(table: TableData | None) -> dict[str, dict[str, Any]] | None:
    if table is None:
        return None
    return {row: {col: (None if c is None else c.value) for col, c in cols.items()}
            for row, cols in table.cells.items()}


def report_json(report: Report) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    subtotals: dict[str, Any] = {}
    strays: list[dict[str, Any]] = []
    for key, row, col, c in report.present_cells():
        cells[f"{key}.{row}.{col}"] = cell_dict(c)
    for key in TABLE_KEYS:
        table = report.table(key)
        if table is None:
            continue
        for group, cols in table.subtotals.items():
            subtotals[f"{key}.{group}"] = {col: (None if c is None else c.value) for col, c in cols.items()}
        for s in table.strays:
            strays.append({"table": key, **s.model_dump(exclude_none=True, exclude={"provenance"}),
                           **provenance_dict(s.provenance)})
    legacy = None
    if report.legacy is not None:
        for s in report.legacy.strays:
            strays.append({"table": "legacy", **s.model_dump(exclude_none=True, exclude={"provenance"}),
                           **provenance_dict(s.provenance)})
        legacy = {
            "indicators": [
                {"path": i.path, "unit": i.unit, "value": i.value, "raw": i.raw, **provenance_dict(i.provenance)}
                for i in report.legacy.indicators
            ],
            "harmonised": report.legacy.harmonised,
        }
    narrative = {f.key: None for f in narrative_figures()}
    narrative_sources: dict[str, Any] = {}
    for key, fig in report.narrative.items():
        narrative[key] = fig.value
        narrative_sources[key] = {"text": fig.text, **provenance_dict(fig.provenance)}
    meta = report.meta
    return {
        "source": {"path": report.source.path, "sha256": report.source.sha256, "media_type": report.source.media_type},
        "meta": {
            "title": meta.title,
            "organ": meta.organ,
            "year": meta.year,
            "published": meta.published.isoformat() if meta.published else None,
            "format": meta.format,
        },
        "sections": {s.key: report.sections.get(s.key) for s in sections()},
        "proactive": table_values(report.proactive),
        "requests": table_values(report.requests),
        "review_litigation": table_values(report.review_litigation),
        "legacy": legacy,
        "narrative": narrative,
        "cells": cells,
        "subtotals": subtotals,
        "narrative_sources": narrative_sources,
        "reading": {
            "format_basis": report.reading.format_basis,
            "table_formats": report.reading.table_formats,
            "traditional": report.reading.traditional,
            "truncated": report.reading.truncated,
            "strays": strays,
        },
    }


def error_json(path: str | None, code: str, message: str, sha256: str | None = None,
               media_type: str | None = None) -> dict[str, Any]:
    return {"source": {"path": path, "sha256": sha256, "media_type": media_type},
            "error": {"code": code, "message": message}}
