"""Completeness: the six sections, the tables the format requires, every cell of a present table, truncation."""

from __future__ import annotations

from gongkai.check.labels import cell_label, table_title
from gongkai.check.model import CellRef
from gongkai.check.registry import Context, cell_ref, provenance_dict, register
from gongkai.formats import sections
from gongkai.model import TABLE_KEYS, TableData


def _has_standard_sections(ctx: Context) -> bool:
    """The six sections are the outline of art. 50 of the 2019 Regulations; legacy reports had their own."""
    fmt = ctx.fmt
    return fmt is not None and not (fmt.last_year is not None and fmt.last_year < 2019)


def _check_sections(ctx: Context) -> None:
    r = ctx.report
    missing_tables = {k for k in TABLE_KEYS if ctx.fmt and ctx.fmt.table(k) and r.table(k) is None}
    for s in sections():
        heading = r.section_headings.get(s.key)
        if heading is None:
            ctx.emit("completeness.section_missing", expected=s.label, section=s.label)
            continue
        if r.sections.get(s.key) or r.table(s.key) is not None or s.key in missing_tables:
            continue
        ctx.emit("completeness.section_empty", line=heading.line, expected=s.label, section=s.label)


def _check_cells(ctx: Context, data: TableData) -> None:
    fid = data.format
    title = table_title(fid, data.key)
    total = sum(len(cols) for cols in data.cells.values())
    heading = ctx.report.section_headings.get(data.key)
    absent = data.missing()
    # A table printed with fewer figures than cells and the report going on after it (table 4 with 11 of its
    # 15 cells): cells are missing, but which ones cannot be known, so its figures are kept aside unplaced.
    short = next((s for s in data.strays if s.kind == "unplaced" and s.row is None and s.expected == total
                  and len(s.raws) < total), None)
    if short is not None and len(absent) == total:
        ctx.emit("completeness.cells_missing", line=heading.line if heading else None,
                 cells=[CellRef(table=data.key, raw=" ".join(short.raws),
                                provenance=provenance_dict(short.provenance))],
                 expected=total, actual=len(short.raws), table_title=title, count=total - len(short.raws),
                 missing=f"印出的{len(short.raws)}个数字无法确定各属哪一格，未读入")
    else:
        short = None
        # A row whose figures were printed but could not be placed in its columns is not missing from the
        # report: it is reported once, as an unplaced row with its figures (below), and its cells are not
        # counted here.
        unplaced = {s.row for s in data.strays if s.kind != "extra_row" and s.row is not None}
        missing = [(r, c) for r, c in absent if r not in unplaced]
        if missing:
            ctx.emit("completeness.cells_missing", line=heading.line if heading else None,
                     cells=[CellRef(table=data.key, row=r, column=c) for r, c in missing],
                     expected=total, actual=total - len(absent), table_title=title, count=len(missing),
                     missing="、".join(cell_label(fid, data.key, r, c) for r, c in missing))
    for row, cols in data.cells.items():
        for col, cell in cols.items():
            if cell is not None and cell.value is None and cell.number is None and not cell.blank:
                ctx.emit("completeness.cell_unreadable", cells=[cell_ref(data.key, row, col, cell)],
                         actual=cell.raw, table_title=title, where=cell_label(fid, data.key, row, col), raw=cell.raw)
    for stray in data.strays:
        if stray.kind == "extra_row" or stray is short:
            continue  # a row the format does not have: a format finding; a short table: reported above
        label = stray.label or stray.row or "（无行标题）"
        ctx.emit("completeness.unplaced_row",
                 cells=[CellRef(table=data.key, row=stray.row, raw=" ".join(stray.raws),
                                provenance=provenance_dict(stray.provenance))],
                 expected=stray.expected, actual=len(stray.raws), table_title=title, label=label)


@register("completeness")
def check_completeness(ctx: Context) -> None:
    r = ctx.report
    if _has_standard_sections(ctx):
        _check_sections(ctx)
    fmt = ctx.fmt
    if fmt is not None:
        for t in fmt.tables:
            present = r.legacy is not None if t.key == "legacy" else r.table(t.key) is not None
            if not present:
                title = t.title if t.key == "legacy" else f"表{t.number}（{t.title}）"
                heading = r.section_headings.get(t.section)
                ctx.emit("completeness.table_missing", expected=t.key, table_title=title,
                         line=heading.line if heading else None)
    missing = [word for word, value in (("机关", r.meta.organ), ("年度", r.meta.year)) if not value]
    if missing:
        ctx.emit("completeness.meta_missing", missing="和".join(missing))
    for key in TABLE_KEYS:
        data = r.table(key)
        if data is not None:
            _check_cells(ctx, data)
    if r.reading.truncated:
        ctx.emit("completeness.truncated")
