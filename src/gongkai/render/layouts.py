"""Render a report's tables and text in the layouts real pages show, from the format definitions.

Text layouts: `cells` (one cell per line, blank line between cells: the usual scrape), `lines`
(one cell per line), `pipes` (`| a | b |` rows), `pdf` (a row's cells on one line, table 4's
header characters stacked vertically as PDF text extraction leaves them). `html` renders the
official table structure with rowspan/colspan and &nbsp; cells.
"""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass
from typing import Literal

from gongkai.formats import ColumnDef, FormatDef, RowDef, TableDef, get_format, sections
from gongkai.normalize import to_simplified
from gongkai.render.synthetic import SyntheticReport

TextLayout = Literal["cells", "lines", "pipes", "pdf"]
TEXT_LAYOUTS: tuple[TextLayout, ...] = ("cells", "lines", "pipes", "pdf")


@dataclass
class _Row:
    label: str | None
    cells: list[str]
    header: bool = False


def _group_label_before(table: TableDef) -> dict[str, str]:
    """Row key → the group labels printed just above it."""
    out: dict[str, str] = {}
    keys = [r.key for r in table.rows]
    for g in table.groups:
        first = g.first or next((k for k in keys if k.startswith(g.key + ".")), None)
        if first is not None:
            out[first] = out.get(first, "") + ("\n" if first in out else "") + g.label
    return out


def header_levels(items: tuple[ColumnDef, ...] | tuple[RowDef, ...]) -> tuple[list[tuple[str, int]], list[str]]:
    """Two-level headings from the definitions: the upper level gives each item its own label, or its
    group's label once across the run of items in the group (with its span); the lower level holds
    the labels of the grouped items. (`自然人 | 法人或其他组织 ×5 | 总计` over `商业企业 … 其他`.)"""
    upper: list[tuple[str, int]] = []
    lower: list[str] = []
    for item in items:
        if item.group is None:
            upper.append((item.label, 1))
            continue
        lower.append(item.label)
        if upper and upper[-1][0] == item.group:
            upper[-1] = (item.group, upper[-1][1] + 1)
        else:
            upper.append((item.group, 1))
    return upper, lower


def _rows_table(rep: SyntheticReport, table: TableDef) -> list[_Row]:
    rows: list[_Row] = []
    key = table.key
    if any(c.group for c in table.columns):  # table 3: the applicant columns have two levels of headings
        upper, lower = header_levels(table.columns)
        rows.append(_Row(None, [table.headers[0]] + [label for label, _ in upper] + lower, header=True))
    before = _group_label_before(table)
    last_item = None
    for row in table.rows:
        if row.item and row.item != last_item:
            rows.append(_Row(None, [row.item, "信息内容"] + [c.label for c in table.row_columns(row)], header=True))
            last_item = row.item
        for g in before.get(row.key, "").split("\n"):
            if g:
                rows.append(_Row(g, []))
        cells = [rep.raw(key, row.key, c.key) for c in table.row_columns(row)]
        rows.append(_Row(row.label, cells))
    return rows


def _flat_table(rep: SyntheticReport, table: TableDef) -> list[_Row]:
    cols = [c.label for c in table.columns]
    upper, lower = header_levels(table.rows)
    ungrouped = sum(1 for r in table.rows if r.group is None)
    heads = [label for label, _ in upper] + cols * ungrouped + lower + cols * len(lower)
    values = [rep.raw(table.key, r.key, c.key) for r in table.rows for c in table.row_columns(r)]
    return [_Row(None, heads, header=True), _Row(None, values)]


def table_rows(rep: SyntheticReport, table: TableDef) -> list[_Row]:
    return _flat_table(rep, table) if table.layout == "flat" else _rows_table(rep, table)


def _stacked(labels: list[str]) -> list[str]:
    """Header labels written vertically, one character per line across columns (PDF text)."""
    height = max(len(lb) for lb in labels)
    return [" ".join(lb[i] if i < len(lb) else " " for lb in labels).rstrip() for i in range(height)]


def _text_rows(rows: list[_Row], layout: TextLayout, flat: bool) -> list[str]:
    out: list[str] = []
    for row in rows:
        items = ([row.label] if row.label is not None else []) + row.cells
        if layout in ("cells", "lines"):
            for item in items:
                out.append(item if item.strip() else "\u00a0")
                if layout == "cells":
                    out.append("")
        elif layout == "pipes":
            out.append("| " + " | ".join(items) + " |")
        elif row.header and flat:
            out.extend(_stacked(row.cells))
        else:
            out.append(" ".join(items))
    return out


_PROSE = {
    "overview": "{year}年，{organ}认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政务公开工作。"
                "本年度共收到政府信息公开申请{received}件，上年结转{carried_over}件，办结{processed}件，"
                "结转下年度继续办理{carried_forward}件。",
    "problems": "政务公开工作仍存在公开内容不够全面等问题，下一步将进一步完善工作机制。",
    "other": "{organ}{year}年未收取政府信息处理费。",
}


def _prose(rep: SyntheticReport, key: str) -> str | None:
    t = _PROSE.get(key)
    if t is None:
        return None
    req = rep.values["requests"]
    return t.format(year=rep.year, organ=rep.organ, received=req["new_received"]["total"],
                    carried_over=req["carried_over"]["total"], processed=req["total_processed"]["total"],
                    carried_forward=req["carried_forward"]["total"])


def render_text(rep: SyntheticReport, layout: TextLayout = "cells", *, traditional: bool = False) -> str:
    """The whole report as scraped text in `layout`."""
    fmt = get_format(rep.format)
    lines = [f"{rep.organ}{rep.year}年政府信息公开工作年度报告", "", f"发布日期：{rep.published.isoformat()}", ""]
    for s in sections():
        lines += [s.label, ""]
        prose = _prose(rep, s.key)
        if prose:
            lines += [prose, ""]
        table = fmt.table(s.key)
        if table is not None:
            lines += _text_rows(table_rows(rep, table), layout, table.layout == "flat")
            lines.append("")
    text = "\n".join(lines) + "\n"
    return _to_traditional(text) if traditional else text


def _to_traditional(text: str) -> str:
    import opencc

    converted = opencc.OpenCC("s2t").convert(text)
    assert to_simplified(converted).count("\n") == text.count("\n")
    return converted


def _td(text: str, rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    body = html_lib.escape(text) if text.strip() else "&nbsp;"
    return f"<td{attrs}>{body}</td>"


def _html_table(rep: SyntheticReport, fmt: FormatDef, table: TableDef) -> str:
    trs: list[str] = []
    if table.layout == "flat":
        cols = table.columns
        upper, lower = header_levels(table.rows)
        trs.append("<tr>" + "".join(_td(label, colspan=span * len(cols)) for label, span in upper) + "</tr>")
        ungrouped = sum(1 for r in table.rows if r.group is None)
        trs.append("<tr>" + "".join(_td(c.label, rowspan=2) for c in cols) * ungrouped
                   + "".join(_td(label, colspan=len(cols)) for label in lower) + "</tr>")
        trs.append("<tr>" + "".join(_td(c.label) for c in cols) * len(lower) + "</tr>")
        trs.append("<tr>" + "".join(_td(rep.raw(table.key, r.key, c.key)) for r in table.rows for c in cols) + "</tr>")
    elif any(c.group for c in table.columns):
        cols = table.columns
        upper, lower = header_levels(cols)
        trs.append("<tr>" + _td(table.headers[0], rowspan=3, colspan=3)
                   + "".join(_td(label, rowspan=2) if span == 1 and label not in {c.group for c in cols}
                             else _td(label, colspan=span) for label, span in upper) + "</tr>")
        # The first grouped label is broken by a <br> (商业<br>企业), as pages often print it.
        trs.append("<tr>" + "".join(_td(label[:2] + "<br>" + label[2:] if i == 0 else label)
                                    for i, label in enumerate(lower)) + "</tr>")
        trs.append("<tr>" + "".join(_td("&nbsp;") for _ in cols) + "</tr>")
        before = _group_label_before(table)
        for row in table.rows:
            groups = [g for g in before.get(row.key, "").split("\n") if g]
            label_cells = "".join(_td(g) for g in groups)
            label_cells += _td(row.label, colspan=3 - len(groups)) if len(groups) < 3 else _td(row.label)
            cells = "".join(_td(rep.raw(table.key, row.key, c.key)) for c in cols)
            trs.append(f"<tr>{label_cells}{cells}</tr>")
    else:
        last_item = None
        width = max(len(table.row_columns(r)) for r in table.rows)
        for row in table.rows:
            cols = table.row_columns(row)
            if row.item != last_item:
                trs.append("<tr>" + _td(row.item or "", colspan=width + 1) + "</tr>")
                trs.append("<tr>" + _td("信息内容") + "".join(_td(c.label, colspan=width // len(cols)
                                                                   if c is cols[-1] else 1) for c in cols) + "</tr>")
                last_item = row.item
            cells = "".join(_td(rep.raw(table.key, row.key, c.key), colspan=(width - len(cols) + 1)
                                if c is cols[-1] else 1) for c in cols)
            trs.append(f"<tr>{_td(row.label)}{cells}</tr>")
    html = "\n".join(trs).replace("&amp;nbsp;", "&nbsp;").replace("&lt;br&gt;", "<br>")
    return f'<table border="1" cellspacing="0">\n{html}\n</table>'


def render_html(rep: SyntheticReport) -> str:
    """The report as a government web page: navigation, the article with its tables, a footer."""
    fmt = get_format(rep.format)
    title = f"{rep.organ}{rep.year}年政府信息公开工作年度报告"
    parts = [
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">",
        f"<title>{title}_政府门户网站</title></head><body>",
        '<div class="nav"><a href="/">首页</a> &gt; <a href="#">政府信息公开</a> &gt; 年度报告</div>',
        f'<div class="article"><h1>{title}</h1>',
        f"<p>发布日期：{rep.published.isoformat()}　来源：{rep.organ}</p>",
    ]
    for s in sections():
        parts.append(f"<p><strong>{s.label}</strong></p>")
        prose = _prose(rep, s.key)
        if prose:
            parts.append(f"<p>{prose}</p>")
        table = fmt.table(s.key)
        if table is not None:
            parts.append(_html_table(rep, fmt, table))
    parts.append("</div><div class=\"footer\"><p>扫一扫在手机打开</p><p>关闭 打印</p><p>版权所有</p></div>")
    parts.append("</body></html>")
    return "\n".join(parts)
