"""Across years: this year's report against the same organ's report of the year before."""

from __future__ import annotations

from gongkai.check.labels import column_label, row_label
from gongkai.check.registry import Context, cell_ref, close, difference, exact_sum, register, rule
from gongkai.model import Report
from gongkai.normalize import fold, squeeze


def same_organ(a: Report, b: Report) -> bool:
    """Both name the same organ (or one does not say), and `b` is the year before `a` (when both say)."""
    oa, ob = a.meta.organ, b.meta.organ
    if oa and ob and squeeze(fold(oa)) != squeeze(fold(ob)):
        return False
    ya, yb = a.meta.year, b.meta.year
    return not (ya is not None and yb is not None and yb != ya - 1)


def _carried(ctx: Context, prev: Report) -> None:
    spec = rule("years.carried_over").params
    this_row, prev_row = spec.get("row", "carried_over"), spec.get("previous_row", "carried_forward")
    cur, old = ctx.report.requests, prev.requests
    if cur is None or old is None:
        return
    for col, cell in cur.cells.get(this_row, {}).items():
        before = old.cell(prev_row, col)
        if cell is None or before is None or cell.value is None or before.value is None:
            continue
        if close(cell.value, before.value):
            continue
        ctx.emit("years.carried_over", cells=[cell_ref("requests", this_row, col, cell)], expected=before.value,
                 actual=cell.value, column=column_label(cur.format, "requests", col), previous_year=prev.meta.year)


def _in_force(ctx: Context, prev: Report) -> None:
    spec = rule("years.in_force").params
    stock, added, removed = spec.get("stock", "in_force"), spec.get("added", "issued"), spec.get("removed", "repealed")
    cur, old = ctx.report.proactive, prev.proactive
    if cur is None or old is None or cur.format != old.format:
        return
    for row, cols in cur.cells.items():
        if stock not in cols:
            continue
        now, plus, minus, before = cols.get(stock), cols.get(added), cols.get(removed), old.cell(row, stock)
        if any(x is None or x.value is None for x in (now, plus, minus, before)):
            continue
        expected = difference(exact_sum((before.value, plus.value)), minus.value)  # type: ignore[union-attr,arg-type]
        if close(now.value, expected):  # type: ignore[union-attr,arg-type]
            continue
        ctx.emit("years.in_force",
                 cells=[cell_ref("proactive", row, c, x) for c, x in ((stock, now), (added, plus), (removed, minus))],
                 expected=expected, actual=now.value, row=row_label(cur.format, "proactive", row),  # type: ignore
                 previous=before.value)  # type: ignore[union-attr]


@register("years")
def check_years(ctx: Context) -> None:
    prev = ctx.previous
    if prev is None or not same_organ(ctx.report, prev):
        return
    _carried(ctx, prev)
    _in_force(ctx, prev)
