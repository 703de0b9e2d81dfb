"""Format: tables of different formats mixed, a superseded format, deviating labels, extra rows."""

from __future__ import annotations

from gongkai.check.labels import table_title
from gongkai.check.model import CellRef
from gongkai.check.registry import Context, provenance_dict, register
from gongkai.formats import get_format


@register("format")
def check_format(ctx: Context) -> None:
    r = ctx.report
    used = r.reading.table_formats
    if len(set(used.values())) > 1:
        detail = "；".join(f"{table_title(f, k)}为{get_format(f).name}" for k, f in used.items())
        ctx.emit("format.mixed_tables", expected=r.meta.format, actual=",".join(sorted(set(used.values()))),
                 detail=detail)
    fmt, year = ctx.fmt, r.meta.year
    if fmt is not None and r.meta.format is not None and year is not None and fmt.last_year is not None \
            and year > fmt.last_year:
        ctx.emit("format.superseded", expected=fmt.last_year, actual=year, format_name=fmt.name,
                 last_year=fmt.last_year)
    for data in (r.proactive, r.requests, r.review_litigation):
        if data is None:
            continue
        title = table_title(data.format, data.key)
        for row, seen in data.labels.items():
            if seen.deviation:
                ctx.emit("format.label_deviation",
                         cells=[CellRef(table=data.key, row=row, raw=seen.raw,
                                        provenance=provenance_dict(seen.provenance))],
                         expected=seen.matched, actual=seen.raw.strip(), table_title=title)
        for stray in data.strays:
            if stray.kind == "extra_row":
                ctx.emit("format.extra_row",
                         cells=[CellRef(table=data.key, row=None, raw=" ".join(stray.raws),
                                        provenance=provenance_dict(stray.provenance))],
                         actual=stray.label, table_title=title, label=stray.label,
                         values=" ".join(s.strip() for s in stray.raws))
