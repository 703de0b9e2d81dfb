"""The five seeds (real scraped reports) pinned cell by cell.

Every expected value below was checked by hand against the seed text (line numbers are the
seed's own, counted from 1). Columns are in the format's order:
table 3: natural_person, commercial, research, public_interest, legal_service, other_org, total;
table 4: upheld, corrected, other, pending, total.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import values

Z7 = [0, 0, 0, 0, 0, 0, 0]
Z5 = [0, 0, 0, 0, 0]
NBSP = "\u00a0"

META = {
    "000": ("长沙县人民政府2021年政府信息公开工作年度报告", "长沙县人民政府", 2021, date(2022, 2, 3), "2021"),
    "001": ("嶽陽縣人民政府2017年政府信息公開工作年度報告", "嶽陽縣人民政府", 2017, date(2018, 3, 15), "legacy"),
    "002": ("成安县2021年度政府信息公开年度报告", "成安县", 2021, date(2022, 2, 21), "2021"),
    "003": ("浏阳市人民政府2020年政府信息公开工作年度报告", "浏阳市人民政府", 2020, date(2021, 2, 20), "2019"),
    "004": ("长沙市人民政府办公室2024年政府信息公开工作年度报告", "长沙市人民政府办公室", 2024, date(2025, 1, 24),
            "2021"),
}


@pytest.mark.parametrize("number", sorted(META))
def test_meta(seed, number):
    title, organ, year, published, fmt = META[number]
    m = seed(number).meta
    assert (m.title, m.organ, m.year, m.published, m.format) == (title, organ, year, published, fmt)


# ---------------------------------------------------------------- seed 002 (format 2021, blank cells)

SEED_002_REQUESTS = {
    "new_received": [11, 0, 0, 0, 0, 0, 11],
    "carried_over": Z7,
    "granted": [11, 0, 0, 0, 0, 0, 11],
    "partially_granted": Z7,
    **{f"withheld.{k}": Z7 for k in ("state_secret", "prohibited_by_law", "security_stability", "third_party",
                                       "internal_affairs", "process_info", "enforcement_file", "query_matter")},
    **{f"unavailable.{k}": Z7 for k in ("not_held", "needs_creation", "unclear")},
    **{f"not_processed.{k}": Z7 for k in ("petition", "duplicate", "publication", "excessive", "reconfirm")},
    "other.no_correction": Z7,
    "other.fee_unpaid": Z7,
    "other.other": Z7,
    "total_processed": [11, 0, 0, 0, 0, 0, 11],
    "carried_forward": Z7,
}


def test_seed_002_tables(seed):
    r = seed("002")
    assert values(r, "proactive") == {
        "regulations": [0, 0, 0],
        "normative_documents": [6, 7, 25],
        "licensing": [5227],
        "penalty": [6201],
        "coercion": [22],
        "fees": [798.84],
    }
    assert values(r, "requests") == SEED_002_REQUESTS
    # Table 4 prints 11 of its 15 cells (nine figures and two blank cells) and the report goes on after it:
    # which four are missing cannot be known, so none is placed and the eleven are kept as a stray.
    assert values(r, "review_litigation") == {
        "review": [None] * 5,
        "litigation_direct": [None] * 5,
        "litigation_after_review": [None] * 5,
    }
    [stray] = r.review_litigation.strays
    assert (stray.kind, stray.row, stray.expected, len(stray.raws)) == ("unplaced", None, 15, 11)
    assert not r.review_litigation.ended_early


def test_seed_002_raw_text_and_lines(seed):
    r = seed("002")
    p = r.proactive
    assert [(c.raw, c.provenance.line) for c in p.cells["regulations"].values()] == [
        ("  0", 59), (f"{NBSP}0", 61), (" 0", 63)]
    penalty = p.cell("penalty", "decisions")
    assert (penalty.raw, penalty.value, penalty.provenance.line) == (NBSP * 16 + "6201" + NBSP * 4, 6201, 91)
    fees = p.cell("fees", "amount")
    assert (fees.raw, fees.value, fees.unit, fees.provenance.line) == ("798.84", 798.84, "万元", 105)
    q = r.requests
    assert (q.cell("new_received", "natural_person").raw, q.cell("new_received", "natural_person").provenance.line) \
        == (f"{NBSP}11", 135)
    blank = q.cell("new_received", "commercial")  # a printed empty cell reads 0 and keeps its text
    assert (blank.value, blank.raw, blank.blank, blank.provenance.line) == (0, NBSP, True, 137)
    assert (q.cell("new_received", "total").raw, q.cell("new_received", "total").provenance.line) == ("11", 147)
    assert [c.provenance.line for c in q.cells["carried_forward"].values()] == [531, 533, 535, 537, 539, 541, 543]
    assert q.cell("carried_forward", "total").raw == f"{NBSP}{NBSP}0"
    [stray] = r.review_litigation.strays
    assert stray.raws[-2:] == [NBSP, NBSP] and stray.raws[4] == f"{NBSP}0"


def test_seed_002_normative_label_is_a_deviation(seed):
    label = seed("002").proactive.labels["normative_documents"]
    assert (label.raw, label.matched, label.deviation, label.provenance.line) == (
        "规范性文件", "行政规范性文件", True, 65)
    assert not seed("004").proactive.labels["normative_documents"].deviation


def test_seed_002_sections_and_reading(seed):
    r = seed("002")
    assert r.reading.format_basis == "tables"
    assert r.reading.table_formats == {"proactive": "2021", "requests": "2021", "review_litigation": "2021"}
    assert not r.reading.truncated and not r.reading.traditional
    assert r.sections["other"] == "无。"
    assert r.sections["problems"].startswith("我县的政府信息与政务公开工作稳步推进")
    assert set(r.section_headings) == {"overview", "proactive", "requests", "review_litigation", "problems", "other"}
    assert all(not t.strays for t in (r.proactive, r.requests))


# ---------------------------------------------------------------- seed 003 (format 2019)

SEED_003_REQUESTS = {
    "new_received": [87, 2, 0, 0, 1, 2, 92],
    "carried_over": Z7,
    "granted": [51, 0, 0, 0, 0, 1, 52],
    "partially_granted": [7, 1, 0, 0, 0, 0, 8],
    "withheld.state_secret": Z7,
    "withheld.prohibited_by_law": [2, 0, 0, 0, 0, 0, 2],
    "withheld.security_stability": Z7,
    "withheld.third_party": [1, 1, 0, 0, 0, 0, 2],
    "withheld.internal_affairs": Z7,
    "withheld.process_info": [2, 0, 0, 0, 0, 1, 3],
    "withheld.enforcement_file": [2, 0, 0, 0, 0, 0, 2],
    "withheld.query_matter": [3, 0, 0, 0, 0, 0, 3],
    "unavailable.not_held": [12, 0, 0, 0, 1, 0, 13],
    "unavailable.needs_creation": Z7,
    "unavailable.unclear": [1, 0, 0, 0, 0, 0, 1],
    "not_processed.petition": [1, 0, 0, 0, 0, 0, 1],
    "not_processed.duplicate": Z7,
    "not_processed.publication": Z7,
    "not_processed.excessive": Z7,
    "not_processed.reconfirm": Z7,
    "other": [5, 0, 0, 0, 0, 0, 5],
    "total_processed": [87, 2, 0, 0, 1, 2, 92],
    "carried_forward": Z7,
}


def test_seed_003_tables(seed):
    r = seed("003")
    assert values(r, "proactive") == {
        "regulations": [0, 0, 0],
        "normative_documents": [12, 12, 299],
        "licensing": [301, -37, 400435],
        "other_services": [422, 249, 1436932],
        "penalty": [3237, 292, 362373],
        "coercion": [224, 60, 2626],
        "fees": [23, -6],
        "procurement": [1193, 29724.51],
    }
    assert values(r, "requests") == SEED_003_REQUESTS
    assert values(r, "review_litigation") == {
        "review": [2, 0, 0, 0, 2],
        "litigation_direct": [1, 0, 0, 0, 1],
        "litigation_after_review": Z5,
    }


def test_seed_003_raw_text_units_and_signs(seed):
    p = seed("003").proactive
    amount = p.cell("procurement", "amount")
    assert (amount.raw, amount.number, amount.unit, amount.value, amount.provenance.line) == (
        "29724.51万 ", 29724.51, "万元", 29724.51, 136)
    decisions = p.cell("licensing", "decisions")
    assert (decisions.raw, decisions.value, decisions.provenance.line) == ("400435 ", 400435, 74)
    assert (p.cell("other_services", "change").raw, p.cell("other_services", "change").value) == ("+249", 249)
    assert (p.cell("licensing", "change").raw, p.cell("licensing", "change").value) == ("-37", -37)
    assert (p.cell("fees", "change").raw, p.cell("fees", "change").provenance.line) == ("-6 ", 122)
    q = seed("003").requests
    # labels split over two lines (一、本年新收政府信息 / 公开申请数量; 4.无正当理由大量 / 反复申请)
    assert q.labels["new_received"].provenance.line == 166
    assert q.cell("new_received", "total").provenance.line == 182
    assert q.labels["not_processed.excessive"].raw == "4.无正当理由大量反复申请"
    assert q.cell("other", "natural_person").provenance.line == 502


def test_seed_003_reading(seed):
    r = seed("003")
    assert r.reading.table_formats == {"proactive": "2019", "requests": "2019", "review_litigation": "2019"}
    assert r.sections["problems"].startswith("我市政府信息公开工作虽然取得了一定成绩")
    assert "(三)进一步指导相关单位创新公开渠道" in r.sections["problems"]


# ---------------------------------------------------------------- seed 004 (format 2021, debris, missing headers)

SEED_004_REQUESTS = {
    "new_received": [103, 4, 0, 0, 0, 0, 107],
    "carried_over": [9, 0, 0, 0, 0, 0, 9],
    "granted": [9, 1, 0, 0, 0, 0, 10],
    "partially_granted": [23, 2, 0, 0, 0, 0, 25],
    "withheld.state_secret": Z7,
    "withheld.prohibited_by_law": Z7,
    "withheld.security_stability": Z7,
    "withheld.third_party": Z7,
    "withheld.internal_affairs": [1, 0, 0, 0, 0, 0, 1],
    "withheld.process_info": Z7,
    "withheld.enforcement_file": Z7,
    "withheld.query_matter": [2, 0, 0, 0, 0, 0, 2],
    "unavailable.not_held": [50, 1, 0, 0, 0, 0, 51],
    "unavailable.needs_creation": [2, 0, 0, 0, 0, 0, 2],
    "unavailable.unclear": Z7,
    "not_processed.petition": Z7,
    "not_processed.duplicate": [3, 0, 0, 0, 0, 0, 3],
    "not_processed.publication": Z7,
    "not_processed.excessive": Z7,
    "not_processed.reconfirm": Z7,
    "other.no_correction": [2, 0, 0, 0, 0, 0, 2],
    "other.fee_unpaid": Z7,
    "other.other": [12, 0, 0, 0, 0, 0, 12],
    "total_processed": [104, 4, 0, 0, 0, 0, 108],
    "carried_forward": [8, 0, 0, 0, 0, 0, 8],
}


def test_seed_004_tables(seed):
    r = seed("004")
    assert values(r, "proactive") == {
        "regulations": [0, 0, 0],
        "normative_documents": [15, 56, 205],
        "licensing": [0],
        "penalty": [0],
        "coercion": [0],
        "fees": [0],
    }
    assert values(r, "requests") == SEED_004_REQUESTS
    assert values(r, "review_litigation") == {
        "review": [4, 0, 1, 1, 6],
        "litigation_direct": [3, 0, 1, 0, 4],
        "litigation_after_review": Z5,
    }


def test_seed_004_raw_text_and_lines(seed):
    r = seed("004")
    q = r.requests
    assert [c.provenance.line for c in q.cells["new_received"].values()] == [114, 116, 118, 120, 122, 124, 126]
    assert [c.raw for c in q.cells["new_received"].values()] == ["103", "4", "0", "0", "0", "0", "107"]
    assert q.labels["granted"].provenance.line == 146  # after `三、本年度办理结果??`
    assert [c.provenance.line for c in r.review_litigation.cells["review"].values()] == [586, 588, 590, 592, 594]
    assert r.proactive.cell("normative_documents", "in_force").provenance.line == 52


def test_seed_004_narrative_and_fees(seed):
    r = seed("004")
    got = {k: f.value for k, f in r.narrative.items()}
    assert got == {"requests_received": 107, "requests_carried_over": 9, "requests_processed": 108,
                   "requests_carried_forward": 8, "review_total": 6, "litigation_total": 4,
                   "processing_fees_yuan": 0}
    assert r.sections["other"].startswith("长沙市人民政府办公室2024年未收取政府信息处理费")


# ---------------------------------------------------------------- seed 001 (legacy, Traditional characters)


def test_seed_001_legacy_table(seed):
    r = seed("001")
    assert r.reading.traditional
    assert r.proactive is None and r.requests is None and r.review_litigation is None
    legacy = r.legacy
    assert legacy is not None
    assert legacy.harmonised == {"requests_received": 3, "review_total": 15, "litigation_total": 16,
                                 "normative_documents_published": 27, "normative_documents_issued": 27,
                                 "fees_collected": 0}
    by_label = {i.path[-1]: i for i in legacy.indicators}
    assert len(legacy.indicators) == 65
    received = by_label["(一)收到申請數"]
    assert (received.path, received.value, received.raw, received.provenance.line) == (
        ["三、依申請公開情況", "(一)收到申請數"], 3, "3", 151)
    online = by_label["3、網絡申請數"]
    assert (online.path, online.value) == (["三、依申請公開情況", "(一)收到申請數", "3、網絡申請數"], 1)
    fees = by_label["七、依申請公開信息收取的費用"]
    assert (fees.unit, fees.value, fees.provenance.line) == ("萬元", 0, 281)
    trained = by_label["(三)接受培訓人員數"]
    assert (trained.path[0], trained.unit, trained.value) == ("九、政府信息公開會議和培訓情況", "人次", 200)
    # 專項經費 prints its unit and no figure: the value is absent, not 0
    funds = next(i for i in legacy.indicators if i.path[-1].startswith("(四)政府信息公開專項經費"))
    assert (funds.unit, funds.value, funds.raw) == ("萬元", None, None)
    # a label printed over two lines with a note (主動公開政府信息數 + its bracketed note)
    published = legacy.indicators[1]
    assert (published.path[-1], published.value) == (
        "(一)主動公開政府信息數(不同渠道和方式公開相同信息計1條)", 31535)
    normative = by_label["製發規範性文件總數"]
    assert normative.path[:2] == ["一、主動公開情況", "(一)主動公開政府信息數(不同渠道和方式公開相同信息計1條)"]
    litigation = by_label["五、行政訴訟數量"]
    assert [i.value for i in legacy.indicators if i.path[:1] == ["五、行政訴訟數量"]] == [16, 12, 2, 2]
    assert litigation.provenance.line == 259


def test_seed_001_narrative(seed):
    got = {k: f.value for k, f in seed("001").narrative.items()}
    assert got["requests_received"] == 3
    assert got["review_total"] == 15
    assert got["litigation_total"] == 16
    assert got["proactive_published"] == 31535


# ---------------------------------------------------------------- seed 000 (tables lost: images)


def test_seed_000_tables_missing_format_from_citation(seed):
    r = seed("000")
    assert r.proactive is None and r.requests is None and r.review_litigation is None and r.legacy is None
    assert (r.meta.format, r.reading.format_basis) == ("2021", "citation")


def test_seed_000_narrative(seed):
    r = seed("000")
    got = {k: f.value for k, f in r.narrative.items()}
    assert got == {"requests_received": 162, "requests_carried_over": 6, "requests_carried_forward": 4,
                   "review_total": 2, "litigation_total": 9, "proactive_published": 35400,
                   "processing_fees_yuan": 0}
    assert r.narrative["proactive_published"].provenance.line == 20
    assert r.narrative["requests_received"].provenance.line == 24
    assert r.narrative["processing_fees_yuan"].provenance.line == 42
    assert "162" in r.narrative["requests_received"].text


def test_seed_000_sections(seed):
    r = seed("000")
    assert set(r.section_headings) == {"overview", "proactive", "requests", "review_litigation", "problems", "other"}
    assert r.sections["proactive"] is None and r.sections["requests"] is None
    assert r.sections["other"].startswith("长沙县本年度未收取政府信息处理费")
