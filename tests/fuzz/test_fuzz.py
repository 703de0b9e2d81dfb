"""Fuzzing the reader: damaged copies of realistic reports never raise and never yield a number not printed.

The brief run in CI; `scripts/fuzz.py --minutes N` runs the same property at length (profile `fuzz-long`).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.fuzz.fuzzing import mutated, run_one

BRIEF = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.data_too_large])


@BRIEF
@given(mutated())
def test_damaged_reports_read_without_exception_or_invented_number(case: tuple[str, bytes]) -> None:
    name, data = case
    assert run_one(data, name) == []
