"""Inputs that once yielded a number not printed in the source, or a traceback: each kind stays fixed.

Found by fuzzing (issue 10) and by `scripts/fuzz.py`; each test damages a fixture the way the failing input did.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from gongkai import is_report, parse_bytes
from gongkai.check import check
from tests.conftest import LAYOUTS, seed_path
from tests.fuzz.fuzzing import cells, run_one

PIPES = (LAYOUTS / "pipes.txt").read_bytes()
HTML = (LAYOUTS / "html_page.html").read_bytes()


def _replace_first_cell(data: bytes, pattern: bytes, new: bytes) -> bytes:
    m = re.search(pattern, data)
    assert m is not None
    return data[:m.start(1)] + new + data[m.end(1):]


def _seed_with_cell(number: str, new: bytes, nth: int = 3) -> bytes:
    """Seed `number` with its `nth` cell printed alone on a line replaced by `new`."""
    data = seed_path(number).read_bytes()
    found = list(re.finditer(rb"(?m)^(\d+)\r?$", data))
    m = found[nth]
    return data[:m.start(1)] + new + data[m.end(1):]


@pytest.mark.parametrize(("data", "name", "joined"), [
    (_replace_first_cell(PIPES, rb"\| *(\d+) *\|", b"2 1000000000000000000000000000000"), "p.txt",
     21000000000000000000000000000000),
    (_replace_first_cell(HTML, rb"<td>(\d+)</td>", b"0 0 0 0 0 0 0 1 0 1"), "p.html", 1010),
])
def test_digits_set_apart_by_spaces_are_never_one_number(data: bytes, name: str, joined: int) -> None:
    report = parse_bytes(data, name)
    assert joined not in {c.value for _, c in cells(report)}
    assert run_one(data, name) == []


def test_digits_of_other_scripts_are_no_figures() -> None:
    """`\\t\\xe9` was decoded as Bengali, and its digit ৩ read as 3 in table 4."""
    report = parse_bytes(b"\t\xe9", "x.txt")
    assert cells(report) == []


def test_a_huge_count_is_kept_as_printed_and_flagged_not_a_crash() -> None:
    huge = "1" + "0" * 400
    data = _seed_with_cell("003", huge.encode())
    report = parse_bytes(data, "x.txt")
    (cell,) = [c for _, c in cells(report) if c.raw == huge]
    assert cell.value == 10**400  # exactly, as printed
    findings = [f for f in check(report) if f.code == "plausibility.implausible_value"]
    assert [f.cells[0].raw for f in findings] == [huge]
    assert findings[0].severity == "error" and "超出任何可能的数量" in findings[0].message


@pytest.mark.parametrize("printed", [b"9" * 5000, b"99999999999999999999999999999912.5", b"1" * 320 + b".25"])
def test_a_figure_no_number_holds_as_printed_is_absent(printed: bytes) -> None:
    """Beyond Python's printable ints, or a decimal a float would round: absent (raw kept), never rounded."""
    data = _seed_with_cell("003", printed)
    assert run_one(data) == []
    report = parse_bytes(data, "x.txt")
    held = [c for _, c in cells(report) if c.raw == printed.decode()]
    assert all(c.value is None and c.number is None for c in held)


@pytest.mark.parametrize("text", ["2024-12-31", "2024年12月31日 价格 12.50元", "12.50", '{"a": 1, "b": [2024, 12, 31]}',
                                  "body { margin: 0 12px 31px; }", "var x = 2024; f(12, 31);", "2024 12 31"])
def test_a_short_file_is_not_a_report_and_has_no_figures(text: str, tmp_path: Path) -> None:
    report = parse_bytes((text + "\n").encode(), "x.txt")
    assert not is_report(report)
    assert report.review_litigation is None and report.proactive is None and report.requests is None
    path = tmp_path / "one.txt"
    path.write_text(text + "\n", "utf-8")
    res = subprocess.run([sys.executable, "-c", "from gongkai.cli import main; main()", "parse", "--json", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    assert '"not_a_report"' in res.stdout and '"review_litigation":null' in res.stdout.replace(" ", "")
