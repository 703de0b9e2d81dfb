"""Prose against tables: a figure stated in a sentence against the cell(s) narrative.toml names for it."""

from __future__ import annotations

from functools import cache

from gongkai.check.model import CellRef
from gongkai.check.registry import Context, cell_ref, close, exact_sum, provenance_dict, register
from gongkai.formats import get_format, narrative_figures
from gongkai.normalize import label_key

CellPath = tuple[str, str, str]  # (table, row, column)


@cache
def figure_cells() -> dict[str, tuple[CellPath, ...]]:
    """Narrative key → the cells whose sum it states (`table` of narrative.toml, `+` for a sum)."""
    return {fig.key: fig.cells for fig in narrative_figures() if fig.cells}


@cache
def harmonised_labels() -> dict[str, frozenset[str]]:
    table = get_format("legacy").table("legacy")
    return {h.key: frozenset(label_key(x) for x in h.labels) for h in (table.harmonised if table else ())}


@register("prose")
def check_prose(ctx: Context) -> None:
    r = ctx.report
    names = {fig.key: fig.label for fig in narrative_figures()}
    for key, figure in r.narrative.items():
        paths = figure_cells().get(key)
        if paths is None:
            continue
        refs: list[CellRef] = []
        expected: int | float | None = 0
        for table, row, col in paths:
            data = r.table(table)
            cell = None if data is None else data.cell(row, col)
            if cell is None or cell.value is None:
                expected = None
                break
            expected = exact_sum((expected, cell.value))
            refs.append(cell_ref(table, row, col, cell))  # type: ignore[arg-type]
        if expected is None and r.legacy is not None and r.legacy.harmonised.get(key) is not None:
            expected = r.legacy.harmonised[key]
            labels = harmonised_labels().get(key, frozenset())
            ind = next((i for i in r.legacy.indicators if i.label in labels), None)
            refs = [CellRef(table="legacy", row=key, raw=ind.raw if ind else None, value=expected,
                            provenance=provenance_dict(ind.provenance) if ind else {})]
        if expected is None or close(expected, figure.value):
            continue
        text_ref = CellRef(table=None, row=key, raw=figure.text, value=figure.value,
                           provenance=provenance_dict(figure.provenance))
        ctx.emit("prose.figure_mismatch", cells=[*refs, text_ref], expected=expected, actual=figure.value,
                 line=figure.provenance.line, text=figure.text, figure=names.get(key, key))
