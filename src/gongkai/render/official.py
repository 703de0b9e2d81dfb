"""Render an organ's own report in the official layout: a standalone HTML page, Word (.docx) and PDF.

The input is what an organ writes (`ReportContent`: its prose per section and its figures per cell);
every heading, label, row and column structure and unit comes from the format definitions. The
tables are built by the same code that renders synthetic reports (`layouts._html_table`), and the
Word and PDF files are laid out from the HTML page, so all three carry the same text and cells.
"""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import lxml.html

from gongkai.formats import ColumnDef, FormatDef, TableDef, get_format, sections
from gongkai.model import TABLE_KEYS
from gongkai.render.docx import Page, html_grid
from gongkai.render.docx import to_docx as page_to_docx
from gongkai.render.layouts import _html_table
from gongkai.render.pdf import to_pdf as page_to_pdf

CellValue = int | Decimal | None
Cells = dict[str, dict[str, dict[str, CellValue]]]

MONEY_UNIT = "万元"
"""The unit of every money figure in `ReportContent` (the unit the reader normalises amounts to). It is
printed in the cell where the format's column header names no unit (2019 采购总金额), so the figure
keeps its meaning on the page."""

_STYLE = """
body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; max-width: 60em; margin: 2em auto;
       padding: 0 1em; line-height: 1.8; color: #222; }
h1 { font-size: 1.5em; text-align: center; }
.date { text-align: center; color: #555; }
h2 { font-size: 1.15em; margin-top: 1.5em; }
p.prose { text-indent: 2em; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; font-size: 0.85em; }
td { border: 1px solid #333; padding: 0.3em 0.4em; text-align: center; vertical-align: middle; }
"""


@dataclass(frozen=True)
class ReportContent:
    """What an organ fills in: its prose per section and its figures per cell of tables 2–4.

    `sections` is keyed by the format's section keys (`overview` … `other`); `cells` by table, row and
    column key. A missing cell or `None` is printed as an empty cell. Money is given in 万元.
    """

    format_id: str
    organ: str
    year: int
    published: date | None
    sections: dict[str, str]
    cells: Cells

    def __post_init__(self) -> None:
        fmt = get_format(self.format_id)
        known = {s.key for s in sections()}
        for key in self.sections:
            if key not in known:
                raise ValueError(f"未知的章节：{key}")
        for table_key, rows in self.cells.items():
            table = fmt.table(table_key)
            if table is None or table_key not in TABLE_KEYS:
                raise ValueError(f"格式{self.format_id}没有表格：{table_key}")
            _check_rows(table, rows)

    @property
    def title(self) -> str:
        return f"{self.organ}{self.year}年政府信息公开工作年度报告"

    def value(self, table: str, row: str, column: str) -> CellValue:
        return self.cells.get(table, {}).get(row, {}).get(column)


def _check_rows(table: TableDef, rows: dict[str, dict[str, CellValue]]) -> None:
    """Every row and column named must be one the format defines for that table."""
    row_defs = {r.key: r for r in table.rows}
    for row_key, cols in rows.items():
        row = row_defs.get(row_key)
        if row is None:
            raise ValueError(f"表格{table.number}没有这一行：{row_key}")
        allowed = {c.key for c in table.row_columns(row)}
        for col_key in cols:
            if col_key not in allowed:
                raise ValueError(f"表格{table.number}第“{row.label}”行没有这一列：{col_key}")


def printed(value: CellValue, column: ColumnDef) -> str:
    """A figure as the report prints it: increases signed (`+5`), money in plain decimals, with its unit
    where the column header names none; an absent figure as an empty cell."""
    if value is None:
        return " "
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    if column.kind == "signed_count" and value > 0:
        return "+" + text
    if column.kind == "money" and column.unit is None:
        return text + MONEY_UNIT
    return text


class _Figures:
    """The content's figures in the shape the table renderer reads (`raw(table, row, column)`)."""

    def __init__(self, content: ReportContent, fmt: FormatDef):
        self.content = content
        self.fmt = fmt

    def raw(self, table: str, row: str, col: str) -> str:
        table_def = self.fmt.table(table)
        assert table_def is not None
        return printed(self.content.value(table, row, col), table_def.column(col))


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _body(content: ReportContent) -> list[str]:
    """The article: title, date, then each section's heading, its table and its prose (in a table's section the
    prose follows the table, as notes do: gongkai's reader drops text printed between a heading and its table)."""
    fmt = get_format(content.format_id)
    figures = _Figures(content, fmt)
    parts = [f"<h1>{html_lib.escape(content.title)}</h1>"]
    if content.published is not None:
        parts.append(f'<p class="date">发布日期：{content.published.isoformat()}</p>')
    for section in sections():
        parts.append(f"<h2>{html_lib.escape(section.label)}</h2>")
        table = fmt.table(section.key)
        if table is not None and table.key in TABLE_KEYS:
            parts.append(_html_table(figures, fmt, table))
        for para in _paragraphs(content.sections.get(section.key, "")):
            parts.append(f'<p class="prose">{html_lib.escape(para)}</p>')
    return parts


def to_html(content: ReportContent) -> str:
    """The report as a complete, standalone web page, as an organ would post it."""
    title = html_lib.escape(content.title)
    head = (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
            f"<style>{_STYLE}</style>\n</head>\n<body>\n<article>")
    return "\n".join([head, *_body(content), "</article>\n</body>\n</html>\n"])


def to_page(content: ReportContent) -> Page:
    """The HTML page laid out for Word and PDF: each paragraph a text line, each table a Grid."""
    article = lxml.html.document_fromstring(to_html(content)).find(".//article")
    assert article is not None
    page = Page()
    for el in article:
        if el.tag == "table":
            page.items.append(html_grid(lxml.html.tostring(el, encoding="unicode")))
        else:
            page.items.append(el.text_content().strip())
    return page


def to_docx(content: ReportContent) -> bytes:
    """The report as a Word document with the official tables' merged cells."""
    return page_to_docx(to_page(content))


def to_pdf(content: ReportContent) -> bytes:
    """The report as a text PDF, through Word and LibreOffice (needs `soffice`)."""
    return page_to_pdf(to_page(content))
