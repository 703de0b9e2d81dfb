"""Render reports into real Word (.docx) files, with the official tables' merged cells.

A report is first laid out as a `Page`: running text lines and `Grid` tables (cells with row and
column spans). The same `Page` feeds the .docx writer here, the PDF route (`render.pdf`, LibreOffice
converting this .docx) and the PNG table images (`render.image`), so every container carries the
same text and cells. Synthetic reports are laid out from their HTML rendering (the official
template's structure); seed reports from what extraction read out of their text version.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import lxml.html

from gongkai.formats import get_format
from gongkai.model import TABLE_KEYS, Report
from gongkai.render.layouts import _html_table, render_html
from gongkai.render.synthetic import SyntheticReport

CJK_FONT = "Noto Sans CJK SC"
MISSING = "__gongkai_missing_cell__"
"""A cell the report lacks (not an empty cell): rendered as no cell at all."""


@dataclass
class GridCell:
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Grid:
    """A table: rows of physical cells, each at the next free grid position (as in HTML)."""

    rows: list[list[GridCell]]
    header_rows: int = 0
    """Rows repeated at the top of each page when the table breaks across pages."""

    def positions(self) -> list[tuple[GridCell, int, int]]:
        occupied: set[tuple[int, int]] = set()
        out = []
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in occupied:
                    c += 1
                out.append((cell, r, c))
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        occupied.add((r + dr, c + dc))
                c += cell.colspan
        return out

    @property
    def width(self) -> int:
        return max((c + cell.colspan for cell, _, c in self.positions()), default=0)

    def cells(self) -> list[str]:
        """The cell texts in reading order: what a reader must give back."""
        return [cell.text for cell, _, _ in self.positions()]


@dataclass
class Page:
    """A report laid out for rendering: text lines and tables in reading order."""

    items: list[str | Grid] = field(default_factory=list)

    @property
    def grids(self) -> list[Grid]:
        return [i for i in self.items if isinstance(i, Grid)]


def html_grid(table_html: str) -> Grid:
    """A Grid from an HTML <table> (rowspan/colspan kept, `<br>` joined, &nbsp; cells empty)."""
    table = lxml.html.fragment_fromstring(table_html)
    rows = []
    for tr in table.iter("tr"):
        row = []
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            text = "".join(td.itertext()).replace("\u00a0", " ").strip()
            if text == MISSING.strip():
                continue
            row.append(GridCell(text, int(td.get("rowspan", 1)), int(td.get("colspan", 1))))
        rows.append(row)
    header = 0
    if rows and _REQUESTS_CORNER in rows[0][0].text:
        header = 3
    return Grid(rows, header)


_REQUESTS_CORNER = get_format("2021").table("requests").headers[0]  # 申请人情况: table 3's three header rows


def synthetic_page(rep: SyntheticReport) -> Page:
    """The report as its HTML page shows it (title, date, headings, prose, tables), page furniture left out."""
    root = lxml.html.document_fromstring(render_html(rep))
    article = root.find_class("article")[0]
    page = Page()
    for el in article:
        if el.tag == "table":
            page.items.append(html_grid(lxml.html.tostring(el, encoding="unicode")))
        else:
            page.items.append(el.text_content().strip())
    return page


class _Printed:
    """What a read report printed, in the shape the layout renderers expect from a SyntheticReport."""

    def __init__(self, report: Report):
        self.report = report
        self.format = report.meta.format

    def raw(self, table: str, row: str, col: str) -> str:
        data = self.report.table(table)
        cell = data.cell(row, col) if data else None
        if cell is None:
            return MISSING
        return cell.raw if cell.raw.strip() else " "


def _legacy_grid(report: Report) -> Grid:
    assert report.legacy is not None
    rows = [[GridCell("统计指标"), GridCell("单位"), GridCell("统计数")]]
    for ind in report.legacy.indicators:
        rows.append([GridCell(ind.path[-1]), GridCell(ind.unit or ""), GridCell(ind.raw or "")])
    return Grid(rows, 1)


def report_page(report: Report) -> Page:
    """A read report laid out again: its paragraphs in order, each table where it stood.

    Used to render the seeds (text files) into Word and PDF by the same route as synthetic reports.
    """
    placed: list[tuple[int, int, str | Grid]] = []
    fmt = get_format(report.meta.format) if report.meta.format else None
    table_lines: list[tuple[int, int]] = []
    for key in TABLE_KEYS:
        data = report.table(key)
        if data is None or fmt is None or fmt.table(key) is None:
            continue
        lines = [c.provenance.line for cols in data.cells.values() for c in cols.values() if c and c.provenance.line]
        lines += [lb.provenance.line for lb in data.labels.values() if lb.provenance.line]
        # Figures printed for the whole table that could not be placed (table 4 with 11 of its 15 cells) are
        # printed again as they stood: one row after the headers.
        loose = [s for s in data.strays if s.row is None and s.kind == "unplaced" and s.provenance is not None]
        lines += [s.provenance.line for s in loose if s.provenance.line]
        if not lines:
            continue
        html = _html_table(_Printed(report), fmt, fmt.table(key))  # type: ignore[arg-type]
        grid = html_grid(html.replace("&nbsp;", " "))
        grid.rows.extend([GridCell(raw.strip() or " ") for raw in s.raws] for s in loose)
        placed.append((min(lines), 1, grid))
        table_lines.append((min(lines), max(lines)))
    if report.legacy is not None and report.legacy.indicators:
        lines = [i.provenance.line for i in report.legacy.indicators if i.provenance.line]
        placed.append((min(lines), 1, _legacy_grid(report)))
        table_lines.append((min(lines), max(lines)))
    for p in report.paragraphs:
        line = p.provenance.line or 0
        if any(lo <= line <= hi for lo, hi in table_lines):
            continue
        placed.append((line, 0, p.text))
    placed.sort(key=lambda t: (t[0], t[1]))
    return Page([item for _, _, item in placed])


def _set_cjk(run, size: float | None = None) -> None:  # type: ignore[no-untyped-def]
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = CJK_FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), CJK_FONT)
    if size:
        run.font.size = Pt(size)


def _row_flag(row, tag: str) -> None:  # type: ignore[no-untyped-def]
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn(tag), {}))


def to_docx(page: Page, *, font_size: float = 10.5) -> bytes:
    """A .docx with each text line as a paragraph and each Grid as a Word table with merged cells."""
    from docx import Document as Docx
    from docx.shared import Cm

    doc = Docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    for item in page.items:
        if isinstance(item, str):
            para = doc.add_paragraph()
            _set_cjk(para.add_run(item), font_size)
            continue
        _add_table(doc, item, font_size)
        doc.add_paragraph()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _add_table(doc, grid: Grid, font_size: float) -> None:  # type: ignore[no-untyped-def]
    positions = grid.positions()
    height = max(r + cell.rowspan for cell, r, _ in positions)
    table = doc.add_table(rows=height, cols=grid.width)
    table.style = "Table Grid"
    for cell, r, c in positions:
        target = table.cell(r, c)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        para = target.paragraphs[0]
        if cell.text:
            _set_cjk(para.add_run(cell.text), font_size - 1.5)
    covered = {(r + dr, c + dc) for cell, r, c in positions for dr in range(cell.rowspan) for dc in range(cell.colspan)}
    for k, row in enumerate(table.rows):
        _row_flag(row, "w:cantSplit")
        if k < grid.header_rows:
            _row_flag(row, "w:tblHeader")
        # a report that lacks cells (a short last row) has no cell there at all, not an empty one
        for _ in range(sum((k, c) not in covered for c in range(grid.width))):
            row._tr.remove(row._tr.tc_lst[-1])


def differences(expected: Report, got: Report) -> list[str]:
    """How two readings of the same report differ: meta, format, every table cell (raw and value),
    the legacy indicators and the figures stated in prose. Empty when they read identically."""
    out: list[str] = []
    for name in ("title", "organ", "year", "published", "format"):
        a, b = getattr(expected.meta, name), getattr(got.meta, name)
        if a != b:
            out.append(f"meta.{name}: {a!r} != {b!r}")
    for key in TABLE_KEYS:
        ta, tb = expected.table(key), got.table(key)
        if (ta is None) != (tb is None):
            out.append(f"{key}: {'missing' if tb is None else 'unexpected'}")
            continue
        if ta is None or tb is None:
            continue
        for row, cols in ta.cells.items():
            for col, ca in cols.items():
                cb = tb.cell(row, col)
                va = None if ca is None else (ca.value, ca.raw.strip())
                vb = None if cb is None else (cb.value, cb.raw.strip())
                if va != vb:
                    out.append(f"{key}.{row}.{col}: {va!r} != {vb!r}")
        if len(ta.strays) != len(tb.strays):
            out.append(f"{key}: strays {len(ta.strays)} != {len(tb.strays)}")
    la = [(i.label, i.unit, i.value) for i in expected.legacy.indicators] if expected.legacy else []
    lb = [(i.label, i.unit, i.value) for i in got.legacy.indicators] if got.legacy else []
    if la != lb:
        out.append(f"legacy: {len(la)} indicators != {len(lb)}; first difference "
                   f"{next(((x, y) for x, y in zip(la, lb, strict=False) if x != y), None)}")
    na = {k: f.value for k, f in expected.narrative.items()}
    nb = {k: f.value for k, f in got.narrative.items()}
    if na != nb:
        out.append(f"narrative: {na} != {nb}")
    return out
