"""Arithmetic: the identities (勾稽关系) of the format data, printed subtotals, and legacy parent = parts.

Nothing here names a row or a column: every equation comes from an `IdentityDef` of the report's
format (expanded over the table's columns or rows, `.*` standing for a group's rows) or from the
table's groups (subtotal rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from gongkai.check.labels import column_label, row_label, table_title
from gongkai.check.model import CellRef
from gongkai.check.registry import (
    Context,
    cell_ref,
    close,
    difference,
    exact_sum,
    identity_code,
    indicator_ref,
    register,
)
from gongkai.formats import FormatDef, IdentityDef, TableDef, get_format, match_rows
from gongkai.model import Cell, LegacyIndicator, LegacyTable, TableData
from gongkai.normalize import fold, label_key, squeeze

Key = tuple[str, str]  # (row, column)


@dataclass(frozen=True, slots=True)
class Equation:
    """One instance of an identity: sum(left cells) = sum(right cells)."""

    code: str
    identity: str
    table: str
    where: str
    left: tuple[Key, ...]
    right: tuple[Key, ...]
    lhs: str
    rhs: str


def _side(labels: list[str], many: str) -> str:
    if len(labels) > 4:
        return many
    return " + ".join(f"「{lb}」" for lb in labels)


def _expand(fmt: FormatDef, table: TableDef, ident: IdentityDef) -> list[Equation]:
    code = identity_code(ident)
    rows = [r.key for r in table.rows]
    eqs: list[Equation] = []
    if ident.over == "columns":
        left, right = match_rows(ident.left, rows), match_rows(ident.right, rows)
        involved = [table.row(k) for k in left + right]
        shared = [c for c in table.columns if all(c in table.row_columns(r) for r in involved)]
        lhs = _side([row_label(fmt.id, table.key, r) for r in left], "各项之和")
        rhs = _side([row_label(fmt.id, table.key, r) for r in right], "各项之和")
        for c in shared:
            eqs.append(Equation(code, ident.id, table.key, f"「{column_label(fmt.id, table.key, c.key)}」列",
                                tuple((r, c.key) for r in left), tuple((r, c.key) for r in right), lhs, rhs))
    elif ident.over == "rows":
        lhs = _side([column_label(fmt.id, table.key, c) for c in ident.left], "各项之和")
        rhs = _side([column_label(fmt.id, table.key, c) for c in ident.right], "各项之和")
        for r in table.rows:
            have = {c.key for c in table.row_columns(r)}
            if not all(c in have for c in (*ident.left, *ident.right)):
                continue
            eqs.append(Equation(code, ident.id, table.key, f"「{row_label(fmt.id, table.key, r.key)}」行",
                                tuple((r.key, c) for c in ident.left), tuple((r.key, c) for c in ident.right),
                                lhs, rhs))
    return eqs


@cache
def equations(format_id: str, table_key: str) -> tuple[Equation, ...]:
    """Every equation a table of `format_id` must satisfy, expanded from the format's identities."""
    fmt = get_format(format_id)
    table = fmt.table(table_key)
    if table is None:
        return ()
    out: list[Equation] = []
    for ident in fmt.identities:
        if ident.table == table_key and ident.over != "children":
            out.extend(_expand(fmt, table, ident))
    return tuple(out)


@cache
def subtotal_items(format_id: str, table_key: str) -> dict[str, tuple[str, ...]]:
    """Group key → the rows whose sum a printed subtotal on the group's heading row must equal."""
    table = get_format(format_id).table(table_key)
    if table is None:
        return {}
    rows = [r.key for r in table.rows]
    out = {}
    for g in table.groups:
        items = match_rows((g.key + ".*",), rows)
        if items:
            out[g.key] = tuple(items)
    return out


def _mark_doubtful(ctx: Context, table: str, keys: tuple[Key, ...], cells: dict[str, dict[str, Cell | None]],
                   code: str) -> set[Key]:
    out = set()
    for r, c in keys:
        cell = cells[r][c]
        if cell is not None and cell.provenance.confidence is not None:
            out.add((r, c))
            ctx.doubtful.setdefault((table, r, c), code)
    return out


def _check_table(ctx: Context, data: TableData) -> None:
    cells = data.cells
    fid = data.format
    flat = {}
    for r, cols in cells.items():
        for c, x in cols.items():
            flat[r, c] = None if x is None else x.value
    get = flat.__getitem__
    for eq in equations(fid, data.key):
        lv = list(map(get, eq.left))
        rv = list(map(get, eq.right))
        if None in lv or None in rv:
            continue  # an absent or unreadable cell: reported by completeness, not summed as 0
        actual, expected = exact_sum(lv), exact_sum(rv)  # type: ignore[arg-type]
        if close(actual, expected):
            continue
        ctx.failed.append((data.key, eq))
        doubtful = _mark_doubtful(ctx, data.key, eq.left + eq.right, cells, eq.code)
        refs = [cell_ref(data.key, r, c, cells[r][c], (r, c) in doubtful) for r, c in eq.left + eq.right]
        title = table_title(fid, data.key)
        if len(eq.left) == 1 and cells[eq.left[0][0]][eq.left[0][1]].blank and expected != 0:  # type: ignore
            ctx.emit("arithmetic.total_blank", cells=refs, expected=expected, actual=None,
                     where=f"{title}{eq.where}{eq.lhs}")
            continue
        ctx.emit(eq.code, cells=refs, expected=expected, actual=actual, table_title=title, where=eq.where,
                 lhs=eq.lhs, rhs=eq.rhs, diff=difference(actual, expected))
    items = subtotal_items(fid, data.key)
    for group, subtotal in data.subtotals.items():
        rows = items.get(group)
        if not rows:
            continue
        label = next((g.label for g in get_format(fid).table(data.key).groups if g.key == group), group)
        for col, sub in subtotal.items():
            parts = [cells.get(r, {}).get(col) for r in rows]
            if sub is None or sub.value is None or any(p is None or p.value is None for p in parts):
                continue
            expected = exact_sum(p.value for p in parts)  # type: ignore[union-attr,misc]
            if close(sub.value, expected):
                continue
            refs = [cell_ref(data.key, group, col, sub)] + [cell_ref(data.key, r, col, p) for r, p in zip(rows, parts,
                                                                                                             strict=True)]
            title = table_title(fid, data.key)
            if sub.blank:
                ctx.emit("arithmetic.total_blank", cells=refs, expected=expected,
                         where=f"{title}「{label}」小计「{column_label(fid, data.key, col)}」列")
                continue
            ctx.emit("arithmetic.subtotal", cells=refs, expected=expected, actual=sub.value, table_title=title,
                     group=label, column=column_label(fid, data.key, col), diff=difference(sub.value, expected))


def _is_of_which(ind: LegacyIndicator) -> bool:
    return squeeze(fold(ind.path[-1])).startswith("其中")


def legacy_parts(legacy: LegacyTable, ident: IdentityDef) -> list[tuple[LegacyIndicator, list[LegacyIndicator]]]:
    """(parent, parts) for each occurrence of the identity's parent indicator whose numbered children are
    exactly parts the identity names. A template with a child the identity does not know is skipped: that
    child may be a part under another wording."""
    parent_key = label_key(ident.left[0])
    part_keys = {label_key(x) for x in ident.right}
    inds = legacy.indicators
    out = []
    for i, parent in enumerate(inds):
        if parent.label != parent_key:
            continue
        depth = len(parent.path)
        children = []
        for child in inds[i + 1:]:
            if len(child.path) <= depth or child.path[:depth] != parent.path:
                break
            if len(child.path) == depth + 1 and not _is_of_which(child):
                children.append(child)
        if children and all(c.label in part_keys for c in children):
            out.append((parent, children))
    return out


def _check_legacy(ctx: Context, legacy: LegacyTable) -> None:
    for ident in get_format("legacy").identities:
        if ident.over != "children":
            continue
        for parent, parts in legacy_parts(legacy, ident):
            expected = exact_sum(p.value or 0 for p in parts)
            refs: list[CellRef] = [indicator_ref(parent)] + [indicator_ref(p) for p in parts]
            if parent.value is None:
                if expected != 0:
                    ctx.emit("arithmetic.total_blank", cells=refs, expected=expected, where=f"统计表「{parent.label}」")
                continue
            if close(parent.value, expected):
                continue
            ctx.emit(identity_code(ident), cells=refs, expected=expected, actual=parent.value, parent=parent.label,
                     parts="、".join(p.label for p in parts), diff=difference(parent.value, expected))


@register("arithmetic")
def check_arithmetic(ctx: Context) -> None:
    r = ctx.report
    for data in (r.proactive, r.requests, r.review_litigation):
        if data is not None:
            _check_table(ctx, data)
    if r.legacy is not None:
        _check_legacy(ctx, r.legacy)
