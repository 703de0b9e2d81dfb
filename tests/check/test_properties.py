"""Property tests: consistent synthetic reports have no arithmetic error in any layout; breaking one
printed cell fires exactly the identities that cell takes part in, each pointing at it."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.check import check
from gongkai.check.arithmetic import equations
from gongkai.render.layouts import render_text
from gongkai.render.synthetic import synthesize
from tests.check.check_helpers import parse_text, render, set_raw

LAYOUTS = ("cells", "lines", "pipes", "pdf", "html")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _arith_errors(findings):
    return [f for f in findings if f.code.startswith("arithmetic.") and f.severity == "error"]


@SETTINGS
@given(seed=st.integers(0, 10**6), fmt=st.sampled_from(["2021", "2019"]), layout=st.sampled_from(LAYOUTS),
       traditional=st.booleans())
def test_consistent_reports_have_no_arithmetic_error(seed, fmt, layout, traditional):
    rep = synthesize(fmt, random.Random(seed))
    text = render_text(rep, layout, traditional=True) if traditional and layout != "html" else render(rep, layout)
    findings = check(parse_text(text))
    assert _arith_errors(findings) == []
    assert not [f for f in findings if f.code.startswith(("completeness.", "prose.", "format."))]


@SETTINGS
@given(seed=st.integers(0, 10**6), fmt=st.sampled_from(["2021", "2019"]), layout=st.sampled_from(LAYOUTS),
       data=st.data())
def test_one_broken_cell_fires_exactly_its_identities(seed, fmt, layout, data):
    rep = synthesize(fmt, random.Random(seed))
    table = data.draw(st.sampled_from(["requests", "review_litigation"]))
    cells = [(r, c) for r, cols in rep.values[table].items() for c in cols]
    row, col = data.draw(st.sampled_from(cells))
    delta = data.draw(st.sampled_from([-3, -1, 1, 2, 7]))
    old = rep.values[table][row][col]
    new = old + delta if old + delta >= 0 else old + 5
    set_raw(rep, table, row, col, str(new))
    findings = _arith_errors(check(parse_text(render(rep, layout))))
    expected = sorted(eq.code for eq in equations(fmt, table) if (row, col) in eq.left + eq.right)
    assert sorted(f.code for f in findings) == expected
    for f in findings:
        hit = [c for c in f.cells if (c.table, c.row, c.column) == (table, row, col)]
        assert hit and hit[0].value == new
        assert abs(f.actual - f.expected) == abs(new - old)
