"""Words for cells, rows, columns and tables in messages, taken from the format definitions."""

from __future__ import annotations

from functools import cache

from gongkai.formats import get_format


@cache
def table_title(format_id: str | None, table: str) -> str:
    legacy = get_format("legacy").table(table)
    if legacy is not None:
        return legacy.title
    fmt = get_format(format_id or "2021")
    t = fmt.table(table) or get_format("2021").table(table)
    return f"表{t.number}" if t else table


@cache
def row_label(format_id: str, table: str, row: str) -> str:
    t = get_format(format_id).table(table)
    if t is None:
        return row
    try:
        r = t.row(row)
    except StopIteration:
        return row
    label = r.label
    if r.group:
        label = f"{r.group}·{label}"
    for g in t.groups:
        if row.startswith(g.key + "."):
            return f"{g.label}·{label}"
    return label


@cache
def column_label(format_id: str, table: str, column: str) -> str:
    t = get_format(format_id).table(table)
    if t is None:
        return column
    try:
        c = t.column(column)
    except StopIteration:
        return column
    return f"{c.group}·{c.label}" if c.group else c.label


def cell_label(format_id: str, table: str, row: str, column: str) -> str:
    return f"{row_label(format_id, table, row)}·{column_label(format_id, table, column)}"
