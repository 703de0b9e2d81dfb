"""The JSON a report prints as (`gongkai parse --json`): one object per input.

Tables are `{row: {column: number|null}}` with the reference's canonical keys; each cell's printed
text and provenance travel beside them under `cells`, keyed `table.row.column`.

The dicts are built by hand from the models' fields rather than with pydantic's `model_dump` (a
report has hundreds of cells: dumping each provenance was most of the time of printing a report),
and lines are serialised with orjson. The shape is the one `schema/parse-output.schema.json` describes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import orjson

from gongkai.formats import narrative_figures, sections
from gongkai.model import TABLE_KEYS, Cell, Provenance, Report, StrayRow, TableData

if TYPE_CHECKING:
    from gongkai.model import LegacyIndicator


def dumps(obj: Any) -> str:
    """One JSON line (no newline): UTF-8 text unescaped, compact separators.

    orjson refuses integers beyond 64 bits (a run of digits read as one figure could be one);
    the standard library then writes the same text.
    """
    try:
        return orjson.dumps(obj).decode()
    except orjson.JSONEncodeError:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def provenance_dict(p: Provenance) -> dict[str, Any]:
    """The provenance's fields that are set (as `model_dump(exclude_none=True)`, in field order)."""
    return {k: v for k, v in p.__dict__.items() if v is not None}


def cell_dict(cell: Cell) -> dict[str, Any]:
    out: dict[str, Any] = {"raw": cell.raw}
    if cell.unit is not None:
        out["unit"] = cell.unit
    if cell.number is not None and cell.number != cell.value:
        out["number"] = cell.number
    for k, v in cell.provenance.__dict__.items():  # provenance_dict, inlined: the loop runs for every cell
        if v is not None:
            out[k] = v
    return out


def table_values(table: TableData | None) -> dict[str, dict[str, Any]] | None:
    if table is None:
        return None
    return {row: {col: (None if c is None else c.value) for col, c in cols.items()}
            for row, cols in table.cells.items()}


def _stray(table: str, s: StrayRow) -> dict[str, Any]:
    out: dict[str, Any] = {"table": table}
    out.update((k, list(v) if k == "raws" else v) for k, v in s.__dict__.items()
               if v is not None and k != "provenance")
    # Where the row was printed; a grid's table and row numbers are named apart from the stray's own `table`
    # (the report's table key) and `row` (the format's row key).
    for k, v in provenance_dict(s.provenance).items():
        out[_STRAY_AT.get(k, k)] = v
    return out


_STRAY_AT = {"table": "grid_table", "row": "grid_row"}


def _indicator(i: LegacyIndicator) -> dict[str, Any]:
    out: dict[str, Any] = {"path": i.path, "unit": i.unit, "value": i.value, "raw": i.raw}
    out.update(provenance_dict(i.provenance))
    return out


def report_json(report: Report) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    subtotals: dict[str, Any] = {}
    strays: list[dict[str, Any]] = []
    for key in TABLE_KEYS:
        table = report.table(key)
        if table is None:
            continue
        for row, cols in table.cells.items():
            prefix = f"{key}.{row}."
            for col, c in cols.items():
                if c is not None:
                    cells[prefix + col] = cell_dict(c)
    for key in TABLE_KEYS:
        table = report.table(key)
        if table is None:
            continue
        for group, cols in table.subtotals.items():
            subtotals[f"{key}.{group}"] = {col: (None if c is None else c.value) for col, c in cols.items()}
        strays.extend(_stray(key, s) for s in table.strays)
    legacy = None
    if report.legacy is not None:
        strays.extend(_stray("legacy", s) for s in report.legacy.strays)
        legacy = {
            "indicators": [_indicator(i) for i in report.legacy.indicators],
            "harmonised": report.legacy.harmonised,
        }
    narrative: dict[str, Any] = {f.key: None for f in narrative_figures()}
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
            "notes": list(report.reading.notes),
        },
    }


def error_json(path: str | None, code: str, message: str, sha256: str | None = None,
               media_type: str | None = None) -> dict[str, Any]:
    return {"source": {"path": path, "sha256": sha256, "media_type": media_type},
            "error": {"code": code, "message": message}}
