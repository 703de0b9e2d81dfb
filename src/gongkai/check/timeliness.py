"""Timeliness: the publication date against the deadline of art. 49 for the organ's kind."""

from __future__ import annotations

from datetime import date

from gongkai.check.registry import Context, register, rule
from gongkai.organs import deadline, organ_kind

KIND_WORDS = {"government": "人民政府", "department": "政府部门", "township": "乡镇（街道）",
              "development_zone": "开发区（园区）", "other": "机关"}


@register("timeliness")
def check_timeliness(ctx: Context) -> None:
    meta = ctx.report.meta
    if meta.year is None:
        return
    if meta.published is None:
        ctx.emit("timeliness.date_unknown")
        return
    params = rule("timeliness.late").params
    kind = organ_kind(meta.organ)
    if meta.year <= params.get("legacy_until", 2018):
        month, day = params.get("legacy_deadline", (3, 31))
        due: date | None = date(meta.year + 1, month, day)
    else:
        if kind == "other":
            ctx.emit("timeliness.organ_kind_unknown", actual=meta.organ or "")
            return
        due = deadline(kind, meta.year)
    if due is None or meta.published <= due:
        return
    ctx.emit("timeliness.late", expected=due.isoformat(), actual=meta.published.isoformat(),
             kind=KIND_WORDS.get(kind, kind), days=(meta.published - due).days)
