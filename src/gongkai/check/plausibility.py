"""Plausibility: counts that cannot be, money that looks like yuan in a 万元 cell, zero tables against
the prose, a part larger than its total."""

from __future__ import annotations

from fractions import Fraction
from functools import cache

from gongkai.check.arithmetic import equations
from gongkai.check.labels import cell_label, row_label, table_title
from gongkai.check.model import CellRef
from gongkai.check.registry import Context, cell_ref, indicator_ref, register, rule, scaled
from gongkai.formats import get_format
from gongkai.model import TableData


@cache
def _kinds(format_id: str, table_key: str) -> dict[str, tuple[str, str | None]]:
    t = get_format(format_id).table(table_key)
    return {} if t is None else {c.key: (c.kind, c.unit) for c in t.columns}


def limit() -> int:
    """The largest figure any cell of a report may hold (`plausibility.implausible_value`'s `max_value`)."""
    return int(rule("plausibility.implausible_value").params.get("max_value", 10**9))


def plausible(v: int | float) -> bool:
    """Whether a figure is within any possible count or sum of money (larger ones are misreadings or typos)."""
    return -limit() <= v <= limit()


def _where(data: TableData, row: str, col: str) -> str:
    return f"{table_title(data.format, data.key)}「{cell_label(data.format, data.key, row, col)}」"


def _cells(ctx: Context, data: TableData) -> None:
    kinds = _kinds(data.format, data.key)
    min_wan = rule("plausibility.money_in_yuan").params.get("min_wan", 100000)
    for row, cols in data.cells.items():
        for col, cell in cols.items():
            if cell is None:
                continue
            if cell.provenance.confidence is not None:
                ctx.ocr_cells.append((data.key, row, col, cell))
            v = cell.value
            if v is None:
                continue
            if not plausible(v):
                ctx.emit("plausibility.implausible_value", cells=[cell_ref(data.key, row, col, cell)], actual=v,
                         where=_where(data, row, col), limit=limit())
                continue
            kind, unit = kinds[col]
            if kind == "money":
                if unit == "万元" and cell.unit in (None, "万元", "万") and v >= min_wan:
                    ctx.emit("plausibility.money_in_yuan", cells=[cell_ref(data.key, row, col, cell)], actual=v,
                             expected=scaled(v, Fraction(1, 10000)), where=_where(data, row, col),
                             yuan=scaled(v, 10000))
                continue
            if v.__class__ is int and v >= 0:
                continue  # the usual cell
            if kind == "count" and v < 0:
                ctx.negative = True
                ctx.emit("plausibility.negative_count", cells=[cell_ref(data.key, row, col, cell)], actual=v,
                         where=_where(data, row, col))
            if v.__class__ is float and not v.is_integer():
                ctx.emit("plausibility.fractional_count", cells=[cell_ref(data.key, row, col, cell)], actual=v,
                         where=_where(data, row, col))


def _parts(ctx: Context, data: TableData) -> None:
    """Only where an identity fails (or a count is negative) can a part exceed its total."""
    cells = data.cells
    eqs = equations(data.format, data.key) if ctx.negative else [e for t, e in ctx.failed if t == data.key]
    for eq in eqs:
        if len(eq.left) != 1:
            continue
        (tr, tc), = eq.left
        total = cells[tr][tc]
        if total is None or total.value is None or total.blank:
            continue
        for r, c in eq.right:
            part = cells[r][c]
            if part is None or part.value is None or part.value <= total.value:
                continue
            ctx.emit("plausibility.part_exceeds_total",
                     cells=[cell_ref(data.key, tr, tc, total), cell_ref(data.key, r, c, part)],
                     expected=total.value, actual=part.value,
                     where=f"{table_title(data.format, data.key)}{eq.where}",
                     part=row_label(data.format, data.key, r) if r != tr else cell_label(data.format, data.key, r, c))


def _all_zero(ctx: Context) -> None:
    r = ctx.report
    data, stated = r.requests, r.narrative.get("requests_received")
    if data is None or stated is None or stated.value <= 0:
        return
    values = [c for cols in data.cells.values() for c in cols.values() if c is not None]
    if values and all(c.value == 0 for c in values):
        ctx.emit("plausibility.all_zero_table",
                 cells=[CellRef(table=None, row="requests_received", raw=stated.text, value=stated.value)],
                 expected=stated.value, actual=0, line=stated.provenance.line,
                 table_title=table_title(data.format, data.key), text=stated.text)


@register("plausibility")
def check_plausibility(ctx: Context) -> None:
    r = ctx.report
    tables = [d for d in (r.proactive, r.requests, r.review_litigation) if d is not None]
    for data in tables:
        _cells(ctx, data)
    for data in tables:
        _parts(ctx, data)
    if r.legacy is not None:
        for ind in r.legacy.indicators:
            if ind.value is None or (ind.unit and "元" in ind.unit):
                continue
            where = f"统计表「{ind.label}」"
            if not plausible(ind.value):
                ctx.emit("plausibility.implausible_value", cells=[indicator_ref(ind)], actual=ind.value, where=where,
                         limit=limit())
            elif ind.value < 0:
                ctx.emit("plausibility.negative_count", cells=[indicator_ref(ind)], actual=ind.value, where=where)
            elif isinstance(ind.value, float) and not ind.value.is_integer() and ind.unit not in ("%",):
                ctx.emit("plausibility.fractional_count", cells=[indicator_ref(ind)], actual=ind.value, where=where)
    _all_zero(ctx)
