"""Mutations of realistic reports and the property every reading of them must keep: no exception, and no number
that is not printed in the source.

Shared by the brief CI run (`tests/fuzz/test_fuzz.py`) and the long run (`scripts/fuzz.py --minutes N`).
A mutation is what damage a crawler or a careless editor does to a page: lines deleted, duplicated, swapped or
joined; digits changed, added or split apart; junk text and binary bytes inserted; the file cut short.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from hypothesis import strategies as st

from gongkai import ReadError, is_report, parse_bytes
from gongkai.check import check
from gongkai.model import Cell, Report
from gongkai.normalize import fold, squeeze

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SOURCES: list[tuple[str, bytes]] = sorted(
    (p.name, p.read_bytes()) for d in ("seeds", "layouts") for p in (FIXTURES / d).iterdir() if p.is_file()
)

_DIGIT = re.compile(rb"[0-9]")
_JUNK_TEXT = st.sampled_from(["", " ", "  ", "\t", "|", "0", "-", "/", "、", "。", "件", "万元", "一、", "（二）",
                              "合计", "本年新收政府信息公开申请数量", "维持", "2024年12月31日", "12.50元", "<td>",
                              "</tr>", "&nbsp;", "{\"a\": 1}", "\u3000", "\u00a0", "１２３", "1,234", "9" * 40])
_BINARY = st.binary(min_size=1, max_size=8)


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


@st.composite
def mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with one kind of damage done to it."""
    kind = draw(st.sampled_from(["delete", "duplicate", "swap", "join", "change_digit", "add_digit", "split_digits",
                                 "junk", "binary", "truncate", "space_digits", "huge", "glue"]))
    lines = _lines(data)
    n = len(lines)
    if kind in ("delete", "duplicate", "swap", "join") and n >= 2:
        i = draw(st.integers(0, n - 1))
        if kind == "delete":
            k = draw(st.integers(1, min(5, n - i)))
            del lines[i:i + k]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, n - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif i + 1 < n:
            sep = draw(st.sampled_from([b"", b" ", b"\t", b"|"]))
            lines[i:i + 2] = [lines[i] + sep + lines[i + 1]]
        return b"\n".join(lines)
    digits = [m.start() for m in _DIGIT.finditer(data)]
    if kind == "glue" and n >= 2:  # a label and the figures after it on one line, as some crawlers print them
        i = draw(st.integers(0, n - 2))
        k = draw(st.integers(2, min(8, n - i)))
        sep = draw(st.sampled_from([b"", b" "]))
        lines[i:i + k] = [sep.join(x.strip() for x in lines[i:i + k])]
        return b"\n".join(lines)
    if kind in ("change_digit", "add_digit", "split_digits", "space_digits", "huge") and digits:
        at = draw(st.sampled_from(digits))
        if kind == "huge":  # a figure beyond any count, or a decimal no float holds
            return data[:at] + draw(st.sampled_from([b"9" * 400, b"1" + b"0" * 5000, b"99999999999999999999.5",
                                                     b"1" * 320 + b".25", b"12345678901234567"])) + data[at + 1:]
        if kind == "change_digit":
            return data[:at] + draw(st.sampled_from([b"0", b"1", b"7", b"9"])) + data[at + 1:]
        if kind == "add_digit":
            return data[:at] + draw(st.sampled_from([b"0", b"1", b"5", b"9" * 30])) + data[at:]
        if kind == "split_digits":
            sep = draw(st.sampled_from([b" ", b"  ", b"\n", b"\t", b"|", b"\xe3\x80\x80"]))
            return data[:at + 1] + sep + data[at + 1:]
        # a run of digits spaced out, as a careless converter prints a row of cells
        run = draw(st.lists(st.sampled_from([b"0", b"1", b"2", b"9", b"1000000000000000000000000000000"]),
                            min_size=2, max_size=12))
        return data[:at] + b" ".join(run) + data[at:]
    at = draw(st.integers(0, len(data)))
    if kind == "junk":
        return data[:at] + draw(_JUNK_TEXT).encode(draw(st.sampled_from(["utf-8", "gb18030"]))) + data[at:]
    if kind == "binary":
        return data[:at] + draw(_BINARY) + data[at:]
    return data[:at]  # truncate (or nothing to do for a kind that found no lines or digits)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """(name of the source, its bytes after one to four kinds of damage)."""
    name, data = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        data = draw(mutation(data))
    return name, data


def cells(report: Report) -> list[tuple[str, Cell]]:
    """Every non-null table cell of a report, named."""
    out: list[tuple[str, Cell]] = []
    for key in ("proactive", "requests", "review_litigation"):
        table = report.table(key)
        if table is None:
            continue
        for part in (table.cells, table.subtotals):
            for row, cols in part.items():
                out.extend((f"{key}.{row}.{col}", c) for col, c in cols.items() if c is not None)
    return out


_NUMBER = re.compile(r"[+\-]?[\d,]+(?:\.\d+)?")


def source_text(data: bytes) -> str:
    """Every way the bytes may be read as text, folded: a number must be printed in one of them."""
    texts = []
    for enc in ("utf-8", "gb18030", "utf-16", "big5hkscs"):
        try:
            texts.append(data.decode(enc, errors="replace"))
        except LookupError:  # pragma: no cover
            continue
    return "\n".join(fold(t) for t in texts)


def invented(report: Report, data: bytes) -> list[str]:
    """The cells whose number is not printed in the source, or whose value is not what their raw text says."""
    text = source_text(data)
    bad: list[str] = []
    for name, cell in cells(report):
        raw = squeeze(fold(cell.raw)) if cell.raw.strip() else ""
        m = _NUMBER.search(raw)
        if m is None:
            if cell.value not in (0, None) or cell.number not in (0, None):
                bad.append(f"{name}: value {cell.value!r} from {cell.raw!r}")
            continue
        printed = fold(cell.raw).strip()
        digits = m.group(0)
        if digits not in text or printed not in text:
            bad.append(f"{name}: {cell.raw!r} not printed in the source")
            continue
        if cell.number is None:
            if cell.value is not None:
                bad.append(f"{name}: value {cell.value!r} without a number from {cell.raw!r}")
            continue  # a figure that cannot be read as printed is absent: never rounded, never invented
        if Decimal(str(cell.number)) != Decimal(digits.replace(",", "")):
            bad.append(f"{name}: number {cell.number!r} but printed {cell.raw!r}")
        elif cell.value is not None and cell.value != cell.number and cell.unit not in _MONEY_UNITS:
            bad.append(f"{name}: value {cell.value!r} but printed {cell.raw!r}")
    return bad


_MONEY_UNITS = ("元", "万元", "亿元", "万")


def run_one(data: bytes, name: str = "fuzz.txt") -> list[str]:
    """Parse and check one input; the problems found (an exception propagates: that is the failure)."""
    try:
        report = parse_bytes(data, name)
    except ReadError:
        return []
    check(report)
    problems = invented(report, data)
    if not is_report(report) and len(data.strip().splitlines()) <= 3 and _values_alone(report, data):
        problems.append("a short file that is not a report has table 4 cells read from values alone")
    return problems


_TABLE4_WORDS = re.compile("复议|诉讼|维持|纠正|结果|总计")


def _values_alone(report: Report, data: bytes) -> bool:
    """Table 4 filled in a file that names none of its headers: from a date or a price, never a table."""
    table = report.review_litigation
    filled = table is not None and any(c is not None for cols in table.cells.values() for c in cols.values())
    return filled and not _TABLE4_WORDS.search(source_text(data))
