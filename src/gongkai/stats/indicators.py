"""Derived indicators: their definitions (documented in docs/store.md and printed by `gongkai stats`)
and pure functions computing them from a flat `{table.row.column: value}` mapping.

Every rate is a share in [0, 1] and is None when its denominator is 0 or a cell it needs was not read: a
missing figure is never taken as 0 (an unread 予以公开 row must not give a 0% disclosure rate).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

Cells = Mapping[str, float]

REQ = "requests"
RL = "review_litigation"
_LITIGATION = ("litigation_direct", "litigation_after_review")


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    definition: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator("disclosure_rate", "公开率",
              "（予以公开 + 部分公开）÷ 办理总数 —— (granted + partially_granted) / total_processed，总计列"),
    Indicator("withheld_rate", "不予公开率", "不予公开各项之和 ÷ 办理总数 —— sum(withheld.*) / total_processed"),
    Indicator("unavailable_rate", "无法提供率", "无法提供各项之和 ÷ 办理总数 —— sum(unavailable.*) / total_processed"),
    Indicator("not_processed_rate", "不予处理率",
              "不予处理各项之和 ÷ 办理总数 —— sum(not_processed.*) / total_processed"),
    Indicator("review_correction_rate", "行政复议纠错率",
              "复议结果纠正 ÷（复议总计 − 尚未审结）—— review.corrected / (review.total − review.pending)"),
    Indicator("litigation_loss_rate", "行政诉讼败诉率",
              "诉讼结果纠正 ÷（诉讼总计 − 尚未审结），直接起诉与复议后起诉合计 —— "
              "(corrected) / (total − pending) over litigation_direct + litigation_after_review"),
)
INDICATOR_KEYS = tuple(i.key for i in INDICATORS)


def _get(cells: Cells, key: str) -> float | None:
    v = cells.get(key)
    if v is None:
        return None
    try:
        return float(v)
    except OverflowError:  # a count beyond any float (kept as printed in the report): no rate from it
        return None


@cache
def _group_rows(fmt: str, group: str) -> tuple[str, ...]:
    """The `requests` rows of a group (`withheld` → withheld.state_secret, …) in format `fmt`."""
    from gongkai.formats import get_format

    table = get_format(fmt).table(REQ)
    if table is None:
        return ()
    return tuple(r.key for r in table.rows if r.key == group or r.key.startswith(group + "."))


def _group_sum(cells: Cells, group: str, fmt: str | None) -> float | None:
    """The group's total column summed over its rows: None unless every row of the group was read (with `fmt`
    unknown, as for consolidated complete tables, the rows present are the group)."""
    if fmt is not None:
        keys = [f"{REQ}.{row}.total" for row in _group_rows(fmt, group)]
        vals = [cells.get(k) for k in keys]
        return None if not keys or any(v is None for v in vals) else float(sum(vals))  # type: ignore[arg-type]
    prefix = f"{REQ}.{group}."
    found = [v for k, v in cells.items() if k.startswith(prefix) and k.endswith(".total")]
    return float(sum(found)) if found else None


def _share(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den <= 0:
        return None
    return num / den


def processed(cells: Cells) -> float | None:
    """Applications concluded in the year (requests.total_processed.total): the size of an organ."""
    return _get(cells, f"{REQ}.total_processed.total")


def _inputs(cells: Cells, fmt: str | None) -> dict[str, tuple[float | None, float | None]]:
    """Each indicator's (numerator, denominator): None where a cell it needs was not read (never taken as 0)."""
    total = processed(cells)
    granted = _get(cells, f"{REQ}.granted.total")
    partial = _get(cells, f"{REQ}.partially_granted.total")
    out: dict[str, tuple[float | None, float | None]] = {
        "disclosure_rate": (None if granted is None or partial is None else granted + partial, total),
        "withheld_rate": (_group_sum(cells, "withheld", fmt), total),
        "unavailable_rate": (_group_sum(cells, "unavailable", fmt), total),
        "not_processed_rate": (_group_sum(cells, "not_processed", fmt), total),
    }
    corrected, rtotal, pending = (_get(cells, f"{RL}.review.{c}") for c in ("corrected", "total", "pending"))
    out["review_correction_rate"] = (corrected, None if rtotal is None or pending is None else rtotal - pending)
    lost: float | None = 0.0
    concluded: float | None = 0.0
    for g in _LITIGATION:
        c, t, p = (_get(cells, f"{RL}.{g}.{col}") for col in ("corrected", "total", "pending"))
        lost = None if lost is None or c is None else lost + c
        concluded = None if concluded is None or t is None or p is None else concluded + t - p
    out["litigation_loss_rate"] = (lost, concluded)
    return out


def indicators(cells: Cells, fmt: str | None = None) -> dict[str, float | None]:
    """All indicators of one report (`fmt`: its format, to know every row a group has) or of consolidated
    complete tables. An indicator is None when a cell it needs was not read or its denominator is 0."""
    return {k: _share(num, den) for k, (num, den) in _inputs(cells, fmt).items()}


def left_out_reason(cells: Cells, fmt: str | None, key: str) -> str | None:
    """Why an indicator has no value for a report: `cells_missing` (a cell it needs was not read) or
    `zero_denominator`; None when it has one."""
    num, den = _inputs(cells, fmt)[key]
    if num is None or den is None:
        return "cells_missing"
    return "zero_denominator" if den <= 0 else None


def quantiles(values: list[float]) -> dict[str, float | int | None]:
    """P25 / P50 / P75 by linear interpolation between order statistics (numpy's default), and n."""
    xs = sorted(values)
    n = len(xs)
    if n == 0:
        return {"n": 0, "p25": None, "p50": None, "p75": None}

    def q(p: float) -> float:
        pos = (n - 1) * p
        lo = int(pos)
        hi = min(lo + 1, n - 1)
        return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)

    return {"n": n, "p25": q(0.25), "p50": q(0.5), "p75": q(0.75)}
