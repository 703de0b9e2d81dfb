"""Every rule of the catalogue with a failing and a passing realistic example.

Examples are synthetic reports (consistent by construction) rendered as scraped text with one edit,
small handwritten texts, or the seeds with one line changed.
"""

from __future__ import annotations

from datetime import date

import pytest

from gongkai import parse_bytes
from gongkai.check import catalogue, check
from gongkai.model import Cell, Provenance
from tests.check.check_helpers import codes, of, parse_text, render, run, seed_path, set_raw, synth


def _pair(code: str, bad: list, good: list) -> None:
    assert code in codes(bad), [f.code for f in bad]
    assert code not in codes(good), [f.message for f in of(good, code)]


# ---------------------------------------------------------------- arithmetic


@pytest.mark.parametrize("code,table,row,col", [
    ("arithmetic.requests_balance", "requests", "carried_forward", "natural_person"),
    ("arithmetic.requests_outcomes", "requests", "total_processed", "commercial"),
    ("arithmetic.requests_applicants", "requests", "granted", "total"),
    ("arithmetic.review_litigation_total", "review_litigation", "litigation_direct", "pending"),
])
def test_table_identities(code, table, row, col):
    rep = synth("2021", 11)
    good = run(render(rep))
    set_raw(rep, table, row, col, str(rep.values[table][row][col] + 3))
    bad = run(render(rep))
    _pair(code, bad, good)
    (f,) = [f for f in of(bad, code) if any((c.row, c.column) == (row, col) for c in f.cells)]
    assert f.severity == "error" and abs(f.actual - f.expected) == 3


def test_balance_message_and_evidence():
    rep = synth("2021", 3)
    v = rep.values["requests"]["new_received"]["natural_person"]
    set_raw(rep, "requests", "new_received", "natural_person", str(v + 2))
    set_raw(rep, "requests", "new_received", "total", str(rep.values["requests"]["new_received"]["total"] + 2))
    fs = run(render(rep, "cells"))
    bal = of(fs, "arithmetic.requests_balance")
    assert [f.cells[0].column for f in bal] == ["natural_person", "total"]
    f = bal[0]
    assert f.actual - f.expected == 2 and "「自然人」列" in f.message
    assert f.cells[0].raw == str(v + 2) and f.cells[0].provenance["line"] > 0
    assert "arithmetic.requests_applicants" not in codes(fs)  # the row total was raised with it


def test_subtotal_row():
    rep = synth("2021", 5)
    w = rep.values["requests"]
    cols = list(w["new_received"])
    sub = [sum(w[r][c] for r in w if r.startswith("withheld.")) for c in cols]
    text = render(rep)

    def with_sub(values):
        return text.replace("| （三）不予公开 |\n", "| （三）不予公开 | " + " | ".join(map(str, values)) + " |\n")

    _pair("arithmetic.subtotal", run(with_sub([sub[0] + 1, *sub[1:]])), run(with_sub(sub)))


def test_total_blank_is_its_own_finding():
    rep = synth("2021", 8)
    rep.values["review_litigation"]["review"].update(upheld=2, corrected=0, other=0, pending=1, total=3)
    good = run(render(rep, "cells"))
    set_raw(rep, "review_litigation", "review", "total", " ")
    bad = run(render(rep, "cells"))
    _pair("arithmetic.total_blank", bad, good)
    assert "arithmetic.review_litigation_total" not in codes(bad)
    (f,) = of(bad, "arithmetic.total_blank")
    assert f.expected == 3 and f.cells[0].row == "review" and f.cells[0].column == "total"


def _legacy(replace: tuple[str, str] | None = None) -> str:
    text = seed_path("001").read_text("utf-8")
    if replace:
        lines = text.split("\n")
        i = next(k for k, ln in enumerate(lines) if ln.strip() == replace[0])
        j = next(k for k in range(i + 1, len(lines)) if lines[k].strip())  # the value after the label
        lines[j] = replace[1]
        text = "\n".join(lines)
    return text


@pytest.mark.parametrize("label,value,code", [
    ("(一)收到申請數", "4", "arithmetic.legacy_requests_received"),
    ("四、行政複議數量", "14", "arithmetic.legacy_review"),
    ("五、行政訴訟數量", "17", "arithmetic.legacy_litigation"),
    ("(二)申請辦結數", "2", "arithmetic.legacy_requests_concluded"),
])
def test_legacy_parent_equals_parts(label, value, code):
    good = run(_legacy())
    bad = run(_legacy((label, value)))
    _pair(code, bad, good)
    (f,) = of(bad, code)
    assert f.actual == int(value) and f.cells[0].table == "legacy" and f.cells[0].raw == value


def test_legacy_blank_parent():
    text = _legacy(("四、行政複議數量", "/"))  # 行政复议数量 printed as none, parts 9+2+4
    fs = run(text)
    assert "arithmetic.legacy_review" in codes(fs) or "arithmetic.total_blank" in codes(fs)


# ---------------------------------------------------------------- completeness


def test_not_a_report():
    _pair("completeness.not_a_report", run("今天天气很好。\n"), run(render(synth())))


def test_section_missing_and_empty():
    text = render(synth())
    good = run(text)
    bad = run(text.replace("五、存在的主要问题及改进情况\n", "").replace(
        "六、其他需要报告的事项\n\n", "六、其他需要报告的事项\n\n七、附件\n\n"))
    _pair("completeness.section_missing", bad, good)
    bad2 = run(text.replace("政务公开工作仍存在公开内容不够全面等问题，下一步将进一步完善工作机制。", ""))
    _pair("completeness.section_empty", bad2, good)


def test_table_missing(seed_reports):
    _pair("completeness.table_missing", check(seed_reports["000"]), check(seed_reports["004"]))


def test_cells_missing(seed_reports):
    _pair("completeness.cells_missing", check(seed_reports["002"]), check(seed_reports["003"]))


def test_cell_unreadable():
    report = parse_text(render(synth()))
    good = check(report)
    report.requests.cells["granted"]["commercial"] = Cell(value=None, raw="约5", provenance=Provenance(line=40))
    bad = check(report)
    _pair("completeness.cell_unreadable", bad, good)
    assert of(bad, "completeness.cell_unreadable")[0].cells[0].raw == "约5"


def test_unplaced_row():
    rep = synth("2021", 4)
    text = render(rep)
    row = next(ln for ln in text.split("\n") if ln.startswith("| （一）予以公开"))
    bad = run(text.replace(row, row.rsplit(" | ", 2)[0] + " |"))  # one cell lost in a middle row
    _pair("completeness.unplaced_row", bad, run(text))
    # Its figures are printed: the row is not read, not missing from the report (no error on the organ).
    assert "completeness.cells_missing" not in codes(bad)


def test_unplaced_row_apart_from_cells_missing_elsewhere():
    rep = synth("2021", 4)
    text = render(rep)
    row = next(ln for ln in text.split("\n") if ln.startswith("| （一）予以公开"))
    other = next(ln for ln in text.split("\n") if ln.startswith("| （二）部分公开"))
    bad = run(text.replace(row, row.rsplit(" | ", 2)[0] + " |").replace(other, other.split(" | ", 1)[0] + " |"))
    (missing,) = of(bad, "completeness.cells_missing")
    assert {c.row for c in missing.cells} == {"partially_granted"}  # printed without figures: missing
    assert len(missing.cells) == 7
    assert missing.message.startswith("表3缺7格：（二）部分公开")
    assert missing.message.endswith("（全表应有175格，读到161格）")
    (unplaced,) = of(bad, "completeness.unplaced_row")
    assert unplaced.cells[0].row == "granted"


def test_meta_missing():
    """A report whose organ and year cannot be found is said so (it is then counted as a unit of its own)."""
    text = render(synth("2021", 4), "cells")
    title = text.split("\n", 1)[0]
    anonymous = text.replace(title, "政府信息公开工作年度报告", 1)
    (found,) = of(run(anonymous), "completeness.meta_missing")
    assert found.severity == "warning" and "机关" in found.message
    assert not of(run(text), "completeness.meta_missing")


def test_truncated():
    text = render(synth("2021", 2), "cells")
    cut = text[: text.index("四、政府信息公开行政复议")]
    cut = cut[: cut.rindex("（七）总计")]
    _pair("completeness.truncated", run(cut), run(text))


# ---------------------------------------------------------------- format


def test_mixed_tables():
    new, old = synth("2021", 6), synth("2019", 6, year=2022)
    t_new, t_old = render(new), render(old)

    def part(t, a, b):
        return t[t.index(a): t.index(b)]

    mixed = t_new.replace(part(t_new, "二、主动公开", "三、收到和处理"), part(t_old, "二、主动公开", "三、收到和处理"))
    bad = run(mixed)
    _pair("format.mixed_tables", bad, run(t_new))


def test_superseded_format():
    _pair("format.superseded", run(render(synth("2019", 3, year=2022))), run(render(synth("2019", 3, year=2020))))


def test_label_deviation():
    text = render(synth("2021", 9))
    bad = run(text.replace("| 行政规范性文件 |", "| 规范性文件 |"))
    _pair("format.label_deviation", bad, run(text))


def test_extra_row():
    text = render(synth("2021", 9))
    bad = run(text.replace("| （七）总计 |", "| 合计数 | 1 | 2 | 3 | 4 | 5 | 6 | 21 |\n| （七）总计 |"))
    _pair("format.extra_row", bad, run(text))


# ---------------------------------------------------------------- prose


def test_prose_against_table():
    rep = synth("2021", 12)
    text = render(rep)
    n = rep.values["requests"]["new_received"]["total"]
    bad = run(text.replace(f"共收到政府信息公开申请{n}件", f"共收到政府信息公开申请{n + 5}件"))
    _pair("prose.figure_mismatch", bad, run(text))
    (f,) = of(bad, "prose.figure_mismatch")
    assert (f.actual, f.expected) == (n + 5, n) and f.cells[0].row == "new_received"


def test_prose_litigation_is_a_sum_of_cells(seed_reports):
    report = seed_reports["004"].model_copy(deep=True)
    good = check(report)
    report.narrative["litigation_total"].value = 5  # table: direct 4 + after review 0
    bad = check(report)
    _pair("prose.figure_mismatch", bad, good)
    (f,) = of(bad, "prose.figure_mismatch")
    assert f.expected == 4 and {c.row for c in f.cells if c.table} == {"litigation_direct", "litigation_after_review"}


# ---------------------------------------------------------------- years


def test_carried_over_against_last_year():
    prev = synth("2021", 21, year=2021)
    cur = synth("2021", 22, year=2022)
    # make last year's carried_forward agree with this year's carried_over (prev's own sums do not matter)
    for c, v in cur.values["requests"]["carried_over"].items():
        set_raw(prev, "requests", "carried_forward", c, str(v))
    good = run(render(cur), previous=render(prev))
    research = cur.values["requests"]["carried_over"]["research"]
    set_raw(prev, "requests", "carried_forward", "research", str(research + 1))
    bad = run(render(cur), previous=render(prev))
    _pair("years.carried_over", bad, good)
    (f,) = of(bad, "years.carried_over")
    assert f.cells[0].column == "research" and f.expected == f.actual + 1


def test_in_force_against_last_year():
    prev = synth("2021", 31, year=2021)
    cur = synth("2021", 32, year=2022)
    for row in ("regulations", "normative_documents"):
        v = cur.values["proactive"][row]
        set_raw(prev, "proactive", row, "in_force", str(v["in_force"] - v["issued"] + v["repealed"]))
    good = run(render(cur), previous=render(prev))
    v = cur.values["proactive"]["regulations"]
    set_raw(prev, "proactive", "regulations", "in_force", str(v["in_force"] - v["issued"] + v["repealed"] + 2))
    bad = run(render(cur), previous=render(prev))
    _pair("years.in_force", bad, good)
    assert of(bad, "years.in_force")[0].severity == "warning"


def test_years_skip_another_organ():
    prev = synth("2021", 21, year=2021, organ="长沙市教育局")
    cur = synth("2021", 22, year=2022)
    assert not [f for f in run(render(cur), previous=render(prev)) if f.code.startswith("years.")]


# ---------------------------------------------------------------- plausibility


def test_negative_count():
    rep = synth("2021", 13)
    good = run(render(rep))
    set_raw(rep, "proactive", "licensing", "decisions", "-6")
    _pair("plausibility.negative_count", run(render(rep)), good)


def test_fractional_count():
    rep = synth("2021", 13)
    good = run(render(rep))
    set_raw(rep, "proactive", "penalty", "decisions", "12.5")
    _pair("plausibility.fractional_count", run(render(rep)), good)


def test_money_in_yuan():
    rep = synth("2021", 13)
    set_raw(rep, "proactive", "fees", "amount", "320.5")
    good = run(render(rep))
    set_raw(rep, "proactive", "fees", "amount", "3205000")
    bad = run(render(rep))
    _pair("plausibility.money_in_yuan", bad, good)


@pytest.mark.parametrize(("table", "row", "col", "printed"), [
    ("requests", "new_received", "natural_person", "9" * 40),  # a count: once an OverflowError in the checks
    ("proactive", "fees", "amount", "1" + "0" * 320 + ".5"),  # money beside it: summed exactly
    ("review_litigation", "review", "upheld", "1000000001"),
])
def test_implausible_value(table, row, col, printed):
    rep = synth("2021", 13)
    good = run(render(rep))
    set_raw(rep, table, row, col, printed)
    bad = run(render(rep))
    if "." in printed:  # a decimal no float holds as printed is not read at all: absent, no crash
        assert "plausibility.implausible_value" not in codes(bad)
        return
    _pair("plausibility.implausible_value", bad, good)
    (f,) = of(bad, "plausibility.implausible_value")
    assert f.severity == "error" and f.cells[0].raw == printed and f.cells[0].value == int(printed)
    assert (f.cells[0].row, f.cells[0].column) == (row, col) and "上限1000000000" in f.message


def test_all_zero_table_while_prose_reports_applications():
    rep = synth("2021", 14)
    text = render(rep)
    n = rep.values["requests"]["new_received"]["total"]
    for row, cols in rep.values["requests"].items():
        for c in cols:
            set_raw(rep, "requests", row, c, "0")
    bad = run(render(rep))
    assert n > 0
    _pair("plausibility.all_zero_table", bad, run(text))


def test_part_exceeds_total():
    rep = synth("2021", 15)
    good = run(render(rep))
    total = rep.values["requests"]["total_processed"]["natural_person"]
    set_raw(rep, "requests", "granted", "natural_person", str(total + 10))
    bad = run(render(rep))
    _pair("plausibility.part_exceeds_total", bad, good)


# ---------------------------------------------------------------- timeliness


def test_late_department_and_government():
    dept_late = synth(organ="长沙市教育局", published=date(2023, 2, 15))
    dept_ok = synth(organ="长沙市教育局", published=date(2023, 1, 30))
    gov_ok = synth(organ="长沙县人民政府", published=date(2023, 3, 15))
    _pair("timeliness.late", run(render(dept_late)), run(render(dept_ok)))
    assert "timeliness.late" not in codes(run(render(gov_ok)))
    (f,) = of(run(render(dept_late)), "timeliness.late")
    assert (f.expected, f.actual) == ("2023-01-31", "2023-02-15")


def test_date_unknown():
    text = render(synth())
    bad = run("\n".join(ln for ln in text.split("\n") if not ln.startswith("发布日期")))
    _pair("timeliness.date_unknown", bad, run(text))
    assert of(bad, "timeliness.date_unknown")[0].severity == "info"


def test_organ_kind_unknown():
    report = parse_text(render(synth()))
    good = check(report)
    report.meta.organ = "某某"
    _pair("timeliness.organ_kind_unknown", check(report), good)


# ---------------------------------------------------------------- integrity


def test_injected_text():
    text = render(synth())
    bad = run(text.replace("扎实推进政务公开工作", "扎实推进澳门新葡京官网工作"))
    _pair("integrity.injected_text", bad, run(text))
    (f,) = of(bad, "integrity.injected_text")
    assert f.actual == "澳门新葡京" and f.line is not None


def test_garbled_text():
    text = render(synth())
    bad = run(text.replace("扎实推进政务公开工作", "扎实推进锟斤拷工作"))
    _pair("integrity.garbled_text", bad, run(text))


def test_decode_damaged():
    text = render(synth())
    data = text.encode("utf-8")
    at = data.index("扎实推进政务公开工作".encode()) + 6
    bad = check(parse_bytes(data[:at] + b"\xff" + data[at:]))
    _pair("integrity.decode_damaged", bad, run(text))
    (f,) = of(bad, "integrity.decode_damaged")
    assert f.line == data[:at].count(b"\n") + 1 and "扎实\ufffd推进" in f.message
    assert "integrity.garbled_text" not in codes(bad)  # the same damage is told once


def test_navigation_debris_inside_section():
    text = render(synth())
    bad = run(text.replace("五、存在的主要问题及改进情况\n", "分享到：微信 微博\n\n五、存在的主要问题及改进情况\n"))
    _pair("integrity.navigation_debris", bad, run(text))


def test_ocr_doubtful_cells():
    report = parse_text(render(synth("2021", 16)))
    for cols in report.requests.cells.values():
        for cell in cols.values():  # provenances are shared and frozen: each cell gets an OCR'd copy
            cell.provenance = cell.provenance.model_copy(update={"confidence": 0.97})
    good = check(report)
    cell = report.requests.cells["granted"]["natural_person"]
    cell.value += 1  # as if OCR misread the digit
    bad = check(report)
    _pair("integrity.ocr_doubtful_cell", bad, good)
    flagged = {(c.row, c.column) for f in of(bad, "integrity.ocr_doubtful_cell") for c in f.cells}
    assert ("granted", "natural_person") in flagged
    ident = of(bad, "arithmetic.requests_outcomes")[0]
    assert any(c.doubtful for c in ident.cells)
    report.requests.cells["granted"]["natural_person"].value -= 1
    low_cell = report.requests.cells["carried_over"]["total"]
    low_cell.provenance = low_cell.provenance.model_copy(update={"confidence": 0.4})
    low = of(check(report), "integrity.ocr_doubtful_cell")
    assert [(c.row, c.column) for f in low for c in f.cells] == [("carried_over", "total")]


# ---------------------------------------------------------------- the catalogue


def test_every_rule_has_a_test_here():
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    generated = {"arithmetic.legacy_requests_answered", "arithmetic.legacy_staff"}  # same code path as the others
    untested = [r.code for r in catalogue() if r.code not in source and r.code not in generated]
    assert untested == []


def test_catalogue_metadata():
    cat = catalogue()
    assert len({r.code for r in cat}) == len(cat)
    for r in cat:
        assert r.severity in ("error", "warning", "info") and r.title and r.description and r.message
    idents = {r.identity for r in cat if r.identity}
    assert {"requests.balance", "requests.outcomes", "requests.applicants", "review_litigation.total",
            "legacy.review"} <= idents
