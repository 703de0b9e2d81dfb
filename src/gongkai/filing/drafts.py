"""A report being written: its content (`render.official.ReportContent`), edited cell by cell and section by
section, and checked by the same rule catalogue as `gongkai check`.

Pure functions: a draft's content goes in, a new content or findings come out. The input grid, the labels, the
units and what a cell may hold come from the format definitions; a typed figure is parsed by its column's kind
(a count is a whole number, 增/减 may be signed, money is in 万元), never guessed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from gongkai.formats import get_format, sections
from gongkai.model import TABLE_KEYS, Cell, LabelSeen, Meta, Paragraph, Provenance, Report, Source, TableData
from gongkai.render.official import CellValue, ReportContent

if TYPE_CHECKING:
    from gongkai.check.model import Finding

__all__ = ["DraftError", "Edit", "apply_edits", "blank", "blocking", "cell_where", "changes", "draft_findings",
           "finding_key", "grid", "parse_value", "short", "to_report", "unacknowledged"]

MAX_SECTION = 50_000
"""A section of a report is a few thousand characters; the bound keeps a draft's row small."""


class DraftError(ValueError):
    """An edit or a step refused: a stable code and a Chinese message for the user."""

    def __init__(self, code: str, message_zh: str) -> None:
        super().__init__(message_zh)
        self.code = code
        self.message_zh = message_zh


@dataclass(frozen=True)
class GridCell:
    table: str
    row: str
    column: str
    kind: str
    unit: str | None


def grid(format_id: str) -> list[GridCell]:
    """Every input cell of tables 2–4 of the format, in table order."""
    fmt = get_format(format_id)
    out = []
    for key in TABLE_KEYS:
        table = fmt.table(key)
        if table is None:
            continue
        for row in table.rows:
            for col in table.row_columns(row):
                out.append(GridCell(key, row.key, col.key, col.kind, col.unit))
    return out


def blank(organ: str, year: int, format_id: str = "2021") -> ReportContent:
    """An empty draft: every cell of the format present and empty, every section empty."""
    cells: dict[str, dict[str, dict[str, CellValue]]] = {}
    for c in grid(format_id):
        cells.setdefault(c.table, {}).setdefault(c.row, {})[c.column] = None
    return ReportContent(format_id, organ, year, None, {s.key: "" for s in sections()}, cells)


_INT = re.compile(r"[+-]?\d{1,12}")
_MONEY = re.compile(r"\d{1,12}(\.\d{1,6})?")


def cell_where(format_id: str, table: str, row: str, column: str) -> str:
    """A cell named as people read it: 表三·（一）予以公开·自然人."""
    from gongkai.check.labels import cell_label, table_title

    return f"{table_title(format_id, table)}·{cell_label(format_id, table, row, column)}"


def parse_value(format_id: str, table: str, row: str, column: str, text: str) -> CellValue:
    """A typed figure as its column holds it; empty text empties the cell."""
    fmt = get_format(format_id)
    tdef = fmt.table(table)
    if tdef is None or table not in TABLE_KEYS:
        raise DraftError("unknown_cell", f"格式{format_id}没有表格“{table}”")
    rdef = next((r for r in tdef.rows if r.key == row), None)
    cdef = next((c for c in tdef.row_columns(rdef) if c.key == column), None) if rdef else None
    if rdef is None or cdef is None:
        raise DraftError("unknown_cell", f"{tdef.title}没有这一格：{row}·{column}")
    value = text.strip().replace(",", "").replace("，", "")
    if not value:
        return None
    where = cell_where(format_id, table, row, column)
    if cdef.kind == "money":
        if not _MONEY.fullmatch(value):
            raise DraftError("bad_value", f"{where}：应为不小于0的金额（单位：万元），如 12.5")
        try:
            return Decimal(value)
        except InvalidOperation:
            raise DraftError("bad_value", f"{where}：应为金额（万元）") from None
    if not _INT.fullmatch(value):
        raise DraftError("bad_value", f"{where}：应为整数")
    number = int(value)
    if number < 0 and cdef.kind != "signed_count":
        raise DraftError("bad_value", f"{where}：件数不能为负数")
    return number


@dataclass(frozen=True)
class Edit:
    """One change to a draft: a cell (`table`, `row`, `column`, text of the figure) or a section (`section`,
    its text), or the publication date (`published`, ISO text)."""

    text: str
    table: str | None = None
    row: str | None = None
    column: str | None = None
    section: str | None = None
    published: bool = False


def apply_edits(content: ReportContent, edits: Iterable[Edit]) -> ReportContent:
    """The content with every edit made, or `DraftError` for the first bad one (nothing applied)."""
    cells = {t: {r: dict(cols) for r, cols in rows.items()} for t, rows in content.cells.items()}
    texts = dict(content.sections)
    published = content.published
    known_sections = {s.key: s.label for s in sections()}
    for e in edits:
        if e.published:
            try:
                published = date.fromisoformat(e.text.strip()) if e.text.strip() else None
            except ValueError:
                raise DraftError("bad_value", "发布日期应为有效日期，如2025-01-20") from None
        elif e.section is not None:
            if e.section not in known_sections:
                raise DraftError("unknown_section", f"没有这一章节：{e.section}")
            if len(e.text) > MAX_SECTION:
                raise DraftError("too_long", f"{known_sections[e.section]}过长（最多{MAX_SECTION}个字符）")
            texts[e.section] = e.text
        else:
            if e.table is None or e.row is None or e.column is None:
                raise DraftError("unknown_cell", "修改表格须指明表、行、列")
            value = parse_value(content.format_id, e.table, e.row, e.column, e.text)
            cells.setdefault(e.table, {}).setdefault(e.row, {})[e.column] = value
    return replace(content, cells=cells, sections=texts, published=published)


def changes(old: ReportContent, new: ReportContent) -> list[dict[str, object]]:
    """What an edit changed, cell by cell and section by section: the audit trail's diff."""
    out: list[dict[str, object]] = []
    for c in grid(new.format_id):
        before, after = old.value(c.table, c.row, c.column), new.value(c.table, c.row, c.column)
        if before != after:
            out.append({"cell": f"{c.table}.{c.row}.{c.column}",
                        "where": cell_where(new.format_id, c.table, c.row, c.column),
                        "old": None if before is None else str(before), "new": None if after is None else str(after)})
    for s in sections():
        if old.sections.get(s.key, "") != new.sections.get(s.key, ""):
            out.append({"section": s.key, "where": s.label, "old": old.sections.get(s.key, ""),
                        "new": new.sections.get(s.key, "")})
    if old.published != new.published:
        out.append({"published": True, "where": "发布日期", "old": str(old.published or ""),
                    "new": str(new.published or "")})
    return out


def _table(content: ReportContent, key: str) -> TableData | None:
    table = get_format(content.format_id).table(key)
    if table is None:
        return None
    cells: dict[str, dict[str, Cell | None]] = {}
    for row in table.rows:
        cells[row.key] = {}
        for col in table.row_columns(row):
            value = content.value(key, row.key, col.key)
            text = "" if value is None else (format(value, "f") if isinstance(value, Decimal) else str(value))
            number = float(value) if isinstance(value, Decimal) else value
            cells[row.key][col.key] = None if value is None else Cell(number, text, number, None, Provenance())
    labels = {row.key: LabelSeen(raw=row.label, matched=row.key) for row in table.rows}  # the form's own labels
    return TableData(key=key, format=content.format_id, cells=cells, labels=labels)


def to_report(content: ReportContent) -> Report:
    """The draft as a `Report`, so the rule catalogue checks it exactly as it checks a published report."""
    fmt = get_format(content.format_id)
    report = Report(
        source=Source(path=None, sha256=hashlib.sha256(repr(content).encode()).hexdigest(),
                      media_type="application/x-gongkai-draft"),
        meta=Meta(title=content.title, organ=content.organ, year=content.year, published=content.published,
                  format=content.format_id),
        sections={s.key: content.sections.get(s.key) or None for s in sections()},
        section_headings={s.key: Provenance() for s in sections()},
        paragraphs=[Paragraph(text=content.title, role="title")],
    )
    for key in TABLE_KEYS:
        if fmt.table(key) is not None:
            setattr(report, key, _table(content, key))
    return report


def draft_findings(content: ReportContent, previous: Report | None = None) -> list[Finding]:
    """The findings of `gongkai check` on the draft (with last year's report for the cross-year rules)."""
    from gongkai.check import check

    return check(to_report(content), previous=previous)


def finding_key(f: Finding) -> str:
    """A finding's identity across edits: its rule and the cells it points at (what an acknowledgement keeps)."""
    cells = ",".join(f"{c.table}.{c.row}.{c.column}" for c in f.cells if c.table)
    if cells:
        return f"{f.code}@{hashlib.sha1(cells.encode()).hexdigest()[:12]}" if len(cells) > 80 else f"{f.code}@{cells}"
    return f"{f.code}#{hashlib.sha1(f.message.encode()).hexdigest()[:12]}"  # e.g. which section is empty


def short(message: str, most: int = 160) -> str:
    """A finding's message cut for a list (a table missing 174 cells names every one of them)."""
    return message if len(message) <= most else message[: most - 1] + "…"


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """Errors block submission."""
    return [f for f in findings if f.severity == "error"]


def unacknowledged(findings: Iterable[Finding], acknowledged: Mapping[str, object]) -> list[Finding]:
    """Warnings not yet acknowledged with a reason: they block submission until they are."""
    return [f for f in findings if f.severity == "warning" and finding_key(f) not in acknowledged]


def content_to_json(content: ReportContent) -> dict[str, object]:
    """A content as stored: money as decimal text (exact), counts as numbers."""
    cells = {t: {r: {c: (str(v) if isinstance(v, Decimal) else v) for c, v in cols.items()} for r, cols in rows.items()}
             for t, rows in content.cells.items()}
    return {"format_id": content.format_id, "organ": content.organ, "year": content.year,
            "published": content.published.isoformat() if content.published else None,
            "sections": dict(content.sections), "cells": cells}


def content_from_json(data: Mapping[str, object]) -> ReportContent:
    raw = data["cells"]
    assert isinstance(raw, dict)
    cells = {t: {r: {c: (Decimal(v) if isinstance(v, str) else v) for c, v in cols.items()} for r, cols in rows.items()}
             for t, rows in raw.items()}
    published = data.get("published")
    return ReportContent(str(data["format_id"]), str(data["organ"]), int(data["year"]),  # type: ignore[call-overload]
                         date.fromisoformat(published) if isinstance(published, str) else None,
                         dict(data["sections"]), cells)  # type: ignore[call-overload]
