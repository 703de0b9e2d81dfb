"""Information processing fees (信息处理费), computed from counts, never typed (国办函〔2020〕109号).

A fee may be charged only when the number or frequency of requests clearly exceeds a reasonable
range (条例第四十二条) — that decision is the office's; this module only computes the amount, in
whole 元, so the figures reported in section 六 of the annual report add up exactly. Both scales
are marginal ("……的部分"): each request or page is charged at the rate of the band it falls in.
One request is charged per request (按件) or per volume (按量), never both.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gongkai.registers.calendar import RegisterError

__all__ = [
    "MAX_REQUESTS_IN_MONTH",
    "Charge",
    "ChargeMode",
    "RegisterError",
    "RequestFees",
    "charge",
    "per_page_fee",
    "per_request_fees",
    "per_request_rate",
]

FREE_REQUESTS = 10  # per applicant and calendar month
FREE_PAGES = 30  # per request
MAX_REQUESTS_IN_MONTH = 100_000  # a bound on the list we build, far above any real applicant

# (last page of the band, 元 per page); pages above the last band are charged at TOP_PAGE_RATE.
PAGE_BANDS: tuple[tuple[int, int], ...] = ((30, 0), (100, 10), (200, 20))
TOP_PAGE_RATE = 40


class ChargeMode(StrEnum):
    """How one request is charged: not at all (the rule, 条例第四十二条), per request, or per volume."""

    NONE = "none"
    PER_REQUEST = "per_request"
    PER_VOLUME = "per_volume"


@dataclass(frozen=True)
class RequestFees:
    """The fee of each of one applicant's requests in one calendar month (in order received), and the total."""

    items: tuple[int, ...]
    total: int


@dataclass(frozen=True)
class Charge:
    """The fee of one request and the one way it was charged."""

    mode: ChargeMode
    amount: int


def _check_count(value: int, code: str, what_zh: str) -> None:
    """Counts are whole, non-negative numbers (bool is refused: True is not one request)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise RegisterError("not_integer", f"{what_zh}必须是整数。")
    if value < 0:
        raise RegisterError(code, f"{what_zh}不能为负数。")


def per_request_rate(rank: int) -> int:
    """元 for the `rank`-th request (1-based) of one applicant in one calendar month.

    1–10 free; 11–30: 100; from the 31st each band of 10 adds 100 (31–40: 200, 41–50: 300, …).
    """
    _check_count(rank, "rank_invalid", "申请的序号")
    if rank < 1:
        raise RegisterError("rank_invalid", "申请的序号从1开始。")
    if rank <= FREE_REQUESTS:
        return 0
    if rank <= 30:
        return 100
    return 100 * (2 + (rank - 31) // 10)


def per_request_fees(n_in_month: int) -> RequestFees:
    """The fees of an applicant's `n_in_month` requests in one calendar month, each and in total (元)."""
    _check_count(n_in_month, "count_negative", "本月申请件数")
    if n_in_month > MAX_REQUESTS_IN_MONTH:
        raise RegisterError("count_too_large", f"本月申请件数超过{MAX_REQUESTS_IN_MONTH}件，请核对。")
    items = tuple(per_request_rate(rank) for rank in range(1, n_in_month + 1))
    return RequestFees(items, sum(items))


def per_page_fee(pages: int) -> int:
    """元 for one request of `pages` pages: ≤30 free; pages 31–100: 10 each; 101–200: 20; from 201: 40."""
    _check_count(pages, "pages_negative", "页数")
    fee = 0
    floor = 0
    for last, rate in PAGE_BANDS:
        fee += max(0, min(pages, last) - floor) * rate
        floor = last
    return fee + max(0, pages - floor) * TOP_PAGE_RATE


def charge(*, rank_in_month: int | None = None, pages: int | None = None) -> Charge:
    """The fee of one request, charged one way only: give its rank in the month (按件) or its pages (按量).

    Neither: no fee, which is the rule. Both: refused, since the fee rules forbid charging one
    request both ways.
    """
    if rank_in_month is not None and pages is not None:
        raise RegisterError(
            "fee_both_ways", "同一件申请只能按件或按量其中一种方式收费，不能同时按件和按量收费（国办函〔2020〕109号）。"
        )
    if rank_in_month is not None:
        return Charge(ChargeMode.PER_REQUEST, per_request_rate(rank_in_month))
    if pages is not None:
        return Charge(ChargeMode.PER_VOLUME, per_page_fee(pages))
    return Charge(ChargeMode.NONE, 0)
