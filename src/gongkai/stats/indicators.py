"""Derived indicators: their definitions (documented in docs/store.md and printed by `gongkai stats`)
and pure functions computing them from a flat `{table.row.column: value}` mapping.

Every rate is a share in [0, 1] and is None when its denominator is 0 or a cell it needs is absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
    return None if v is None else float(v)


def _group_sum(cells: Cells, group: str) -> float | None:
    prefix = f"{REQ}.{group}."
    vals = [v for k, v in cells.items() if k.startswith(prefix) and k.endswith(".total") and v is not None]
    return float(sum(vals)) if vals else None


def _share(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den <= 0:
        return None
    return num / den


def processed(cells: Cells) -> float | None:
    """Applications concluded in the year (requests.total_processed.total): the size of an organ."""
    return _get(cells, f"{REQ}.total_processed.total")


def indicators(cells: Cells) -> dict[str, float | None]:
    """All indicators of one report (or of consolidated totals)."""
    total = processed(cells)
    granted = _get(cells, f"{REQ}.granted.total")
    partial = _get(cells, f"{REQ}.partially_granted.total")
    disclosed = None if granted is None and partial is None else (granted or 0.0) + (partial or 0.0)
    out: dict[str, float | None] = {
        "disclosure_rate": _share(disclosed, total),
        "withheld_rate": _share(_group_sum(cells, "withheld"), total),
        "unavailable_rate": _share(_group_sum(cells, "unavailable"), total),
        "not_processed_rate": _share(_group_sum(cells, "not_processed"), total),
    }
    corrected, rtotal, pending = (_get(cells, f"{RL}.review.{c}") for c in ("corrected", "total", "pending"))
    out["review_correction_rate"] = _share(corrected, None if rtotal is None else rtotal - (pending or 0.0))
    lost = concluded = None
    for g in _LITIGATION:
        c, t, p = (_get(cells, f"{RL}.{g}.{col}") for col in ("corrected", "total", "pending"))
        if c is not None:
            lost = (lost or 0.0) + c
        if t is not None:
            concluded = (concluded or 0.0) + t - (p or 0.0)
    out["litigation_loss_rate"] = _share(lost, concluded)
    return out


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
