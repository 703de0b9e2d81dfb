"""Fees at every band boundary (国办函〔2020〕109号), the arithmetic written out.

Per request, one applicant, one calendar month: 1–10 free, 11–30 100 元, 31–40 200 元, 41–50 300 元.
Per volume, one request: pages 1–30 free, 31–100 10 元, 101–200 20 元, from 201 40 元.
"""

from __future__ import annotations

import pytest

from gongkai.registers.fees import (
    ChargeMode,
    RegisterError,
    charge,
    per_page_fee,
    per_request_fees,
    per_request_rate,
)


@pytest.mark.parametrize(
    ("n", "total", "last"),
    [
        (0, 0, None),
        (10, 0, 0),  # all ten free
        (11, 100, 100),  # the 11th: 100
        (30, 2000, 100),  # 20 x 100
        (31, 2200, 200),  # 2000 + 200
        (40, 4000, 200),  # 2000 + 10 x 200
        (41, 4300, 300),  # 4000 + 300
        (50, 7000, 300),  # 4000 + 10 x 300
        (51, 7400, 400),  # 7000 + 400
    ],
)
def test_per_request_fees_at_band_boundaries(n: int, total: int, last: int | None) -> None:
    fees = per_request_fees(n)
    assert fees.total == total
    assert len(fees.items) == n
    assert sum(fees.items) == fees.total
    assert (fees.items[-1] if fees.items else None) == last


def test_per_request_items_are_in_order_of_receipt() -> None:
    items = per_request_fees(41).items
    assert items[:10] == (0,) * 10
    assert items[10:30] == (100,) * 20
    assert items[30:40] == (200,) * 10
    assert items[40] == 300


@pytest.mark.parametrize(
    ("pages", "fee"),
    [
        (0, 0),
        (30, 0),
        (31, 10),  # page 31 at 10
        (100, 700),  # 70 x 10
        (101, 720),  # 700 + 20
        (200, 2700),  # 700 + 100 x 20
        (201, 2740),  # 2700 + 40
        (250, 4700),  # 2700 + 50 x 40
    ],
)
def test_per_page_fee_at_band_boundaries(pages: int, fee: int) -> None:
    assert per_page_fee(pages) == fee


def test_one_request_charged_both_ways_is_refused() -> None:
    with pytest.raises(RegisterError) as caught:
        charge(rank_in_month=12, pages=150)
    assert caught.value.code == "fee_both_ways"
    assert "不能同时按件和按量收费" in caught.value.message_zh


def test_one_request_charged_one_way() -> None:
    assert charge(rank_in_month=12) == charge(rank_in_month=11)
    assert (charge(rank_in_month=12).mode, charge(rank_in_month=12).amount) == (ChargeMode.PER_REQUEST, 100)
    assert (charge(pages=101).mode, charge(pages=101).amount) == (ChargeMode.PER_VOLUME, 720)
    assert (charge().mode, charge().amount) == (ChargeMode.NONE, 0)  # no fee is the rule (条例第四十二条)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: per_request_fees(-1), "count_negative"),
        (lambda: per_request_fees(100_001), "count_too_large"),
        (lambda: per_page_fee(-5), "pages_negative"),
        (lambda: per_page_fee(True), "not_integer"),
        (lambda: per_request_rate(0), "rank_invalid"),
    ],
)
def test_impossible_counts_are_refused(call: object, code: str) -> None:
    with pytest.raises(RegisterError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.code == code
