"""The seeds' findings, pinned; each was checked by hand against the seed text."""

from __future__ import annotations

from gongkai.check import check
from tests.check.check_helpers import codes, of


def test_seed_000_tables_lost_and_injected_ads(seed_reports):
    fs = check(seed_reports["000"])
    # The tables were images: headings 二、三、四 on lines 30, 32, 34 have nothing under them.
    missing = of(fs, "completeness.table_missing")
    assert sorted((f.expected, f.line) for f in missing) == [
        ("proactive", 30), ("requests", 32), ("review_litigation", 34)]
    # 足彩app哪个是正规的 substituted for words: the page title (line 1), 习近平 (line 12), twice on line 20.
    injected = of(fs, "integrity.injected_text")
    assert [f.line for f in injected] == [1, 12, 20, 20]
    assert all(f.actual == "足彩app" and f.severity == "error" for f in injected)
    assert "completeness.section_empty" not in codes(fs)  # the empty sections are the missing tables
    assert not [f for f in fs if f.code.startswith("arithmetic.")]
    assert codes(fs) == {"completeness.table_missing", "integrity.injected_text"}


def test_seed_001_legacy_sums_hold(seed_reports):
    fs = check(seed_reports["001"])
    # 收到申请数 3 = 0+0+1+2; 申请办结数 3 = 3+0; 申请答复数 3; 行政复议 15 = 9+2+4; 诉讼 16 = 12+2+2; 人员 4 = 0+4
    assert fs == []


def test_seed_002_table4_incomplete_and_label(seed_reports):
    fs = check(seed_reports["002"])
    # Table 4 prints 11 of its 15 figures and the report goes on: 4 cells are missing, which ones is unknowable,
    # so the finding points at the figures as printed and names no cell.
    (cells,) = of(fs, "completeness.cells_missing")
    assert (cells.expected, cells.actual) == (15, 11)
    assert "缺4格" in cells.message and "无法确定" in cells.message
    [printed] = cells.cells
    assert (printed.table, printed.row, printed.column) == ("review_litigation", None, None)
    assert printed.provenance["line"] == 587
    (label,) = of(fs, "format.label_deviation")
    assert (label.actual, label.expected, label.position) == ("规范性文件", "行政规范性文件", 65)
    assert codes(fs) == {"completeness.cells_missing", "format.label_deviation"}


def test_seed_003_clean_arithmetic(seed_reports):
    assert check(seed_reports["003"]) == []


def test_seed_004_injected_ads_and_consistent_figures(seed_reports):
    fs = check(seed_reports["004"])
    injected = of(fs, "integrity.injected_text")
    assert [f.line for f in injected] == [1, 12, 12, 20]
    (garbled,) = of(fs, "integrity.garbled_text")  # ???三、收到和处理政府信息公开申请情况
    assert (garbled.line, garbled.actual) == (89, "???")
    # arithmetic holds (107+9 = 108+8 …) and the prose agrees with the tables (107, 9, 108, 8, 6, 4)
    assert not [f for f in fs if f.code.startswith(("arithmetic.", "prose.", "plausibility."))]
    assert codes(fs) == {"integrity.injected_text", "integrity.garbled_text"}
    # published 2025-01-24 by a department (市人民政府办公室): within the 31 January deadline
    assert "timeliness.late" not in codes(fs)


def test_sorted_by_severity_then_position(seed_reports):
    for report in seed_reports.values():
        fs = check(report)
        assert fs == sorted(fs, key=lambda f: f.sort_key())
