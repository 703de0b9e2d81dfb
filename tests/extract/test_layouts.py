"""Handwritten fixtures (tests/fixtures/layouts): one report, 湘潭市自然资源和规划局 2023, printed in every
layout real pages use. Each must read to exactly the same figures; what cannot be read stays absent."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai import ReadError, is_report, parse_path
from tests.conftest import LAYOUTS, values

Z7 = [0, 0, 0, 0, 0, 0, 0]
NBSP = "\u00a0"

PROACTIVE = {"regulations": [1, 0, 3], "normative_documents": [4, 2, 37], "licensing": [1562], "penalty": [48],
             "coercion": [0], "fees": [12.5]}
REQUESTS = {
    "new_received": [30, 5, 0, 1, 2, 0, 38],
    "carried_over": [2, 1, 0, 0, 0, 0, 3],
    "granted": [12, 2, 0, 0, 1, 0, 15],
    "partially_granted": [3, 1, 0, 0, 0, 0, 4],
    "withheld.state_secret": Z7,
    "withheld.prohibited_by_law": [1, 0, 0, 0, 0, 0, 1],
    "withheld.security_stability": Z7,
    "withheld.third_party": [2, 0, 0, 0, 0, 0, 2],
    "withheld.internal_affairs": Z7,
    "withheld.process_info": [1, 1, 0, 0, 0, 0, 2],
    "withheld.enforcement_file": Z7,
    "withheld.query_matter": Z7,
    "unavailable.not_held": [6, 1, 0, 1, 0, 0, 8],
    "unavailable.needs_creation": [1, 0, 0, 0, 0, 0, 1],
    "unavailable.unclear": Z7,
    "not_processed.petition": [2, 0, 0, 0, 0, 0, 2],
    "not_processed.duplicate": [1, 0, 0, 0, 0, 0, 1],
    "not_processed.publication": Z7,
    "not_processed.excessive": Z7,
    "not_processed.reconfirm": Z7,
    "other.no_correction": [1, 0, 0, 0, 0, 0, 1],
    "other.fee_unpaid": Z7,
    "other.other": [0, 0, 0, 0, 1, 0, 1],
    "total_processed": [30, 5, 0, 1, 2, 0, 38],
    "carried_forward": [2, 1, 0, 0, 0, 0, 3],
}
REVIEW = {"review": [1, 0, 1, 0, 2], "litigation_direct": [0, 1, 0, 1, 2], "litigation_after_review": [1, 0, 0, 0, 1]}

FULL = ["html_page.html", "gbk_meta.html", "gbk_nometa.html", "pipes.txt", "pdf_text.txt", "cells_messy.txt",
        "gbk.txt", "traditional.txt"]


@pytest.mark.parametrize("name", FULL)
def test_every_layout_reads_every_cell(name):
    r = parse_path(LAYOUTS / name)
    assert is_report(r)
    assert (r.meta.organ in ("湘潭市自然资源和规划局", "湘潭市自然資源和規劃局"), r.meta.year, r.meta.published,
            r.meta.format) == (True, 2023, date(2024, 1, 26), "2021")
    assert values(r, "proactive") == PROACTIVE
    assert values(r, "requests") == REQUESTS
    assert values(r, "review_litigation") == REVIEW
    assert all(not r.table(k).strays for k in ("proactive", "requests", "review_litigation"))
    assert not r.reading.truncated
    assert r.reading.format_basis == "tables"


def test_html_page_cells_keep_their_place_and_text():
    r = parse_path(LAYOUTS / "html_page.html")
    assert r.source.media_type == "text/html"
    # the title is the <h1>, not the <title> with the site name
    assert r.meta.title == "湘潭市自然资源和规划局2023年政府信息公开工作年度报告"
    p = r.proactive
    assert (p.cell("regulations", "repealed").raw, p.cell("regulations", "repealed").value) == ("-", 0)
    assert (p.cell("licensing", "decisions").raw, p.cell("licensing", "decisions").value) == ("1,562", 1562)
    coercion = p.cell("coercion", "decisions")  # &nbsp; cell: printed blank, reads 0, raw kept
    assert (coercion.raw, coercion.value, coercion.blank) == (NBSP, 0, True)
    assert p.labels["normative_documents"].raw == "行政规范性文件"  # 行政规范性<br>文件
    q = r.requests
    cell = q.cell("new_received", "natural_person")
    assert (cell.provenance.table, cell.provenance.row, cell.provenance.col) == (2, 4, 4)
    assert cell.provenance.line is not None
    p3 = q.cell("withheld.third_party", "total").provenance
    assert (p3.row, p3.col) == (11, 10)  # below the rowspan=8 group label
    assert q.cell("new_received", "research").raw == NBSP
    assert r.review_litigation.cell("review", "corrected").raw == NBSP
    # nothing of the navigation, the side bar or the footer is taken as report text
    text = "\n".join(v for v in r.sections.values() if v)
    for debris in ("网站地图", "政府信息公开指南", "版权所有", "打印本页", "document.write"):
        assert debris not in text
    assert r.sections["other"].startswith("本年度未收取信息处理费。")  # heading and text on one line
    assert r.sections["problems"].startswith("一是政策解读形式还不够丰富")
    assert {k: f.value for k, f in r.narrative.items()} == {
        "requests_received": 38, "requests_carried_over": 3, "requests_carried_forward": 3,
        "proactive_published": 1286, "processing_fees_yuan": 0}


@pytest.mark.parametrize("name,encoding", [("gbk_meta.html", "gb18030"), ("gbk_nometa.html", "gb18030"),
                                           ("gbk.txt", "gb18030"), ("html_page.html", "utf-8")])
def test_encodings(name, encoding):
    r = parse_path(LAYOUTS / name)
    assert r.source.encoding == encoding
    assert r.meta.title == "湘潭市自然资源和规划局2023年政府信息公开工作年度报告"


def test_pipes_rule_lines_and_blank_cells():
    r = parse_path(LAYOUTS / "pipes.txt")
    cell = r.proactive.cell("regulations", "repealed")
    assert (cell.raw, cell.value, cell.provenance.line, cell.provenance.col) == ("", 0, 15, 3)
    assert [c.raw for c in r.requests.cells["withheld.state_secret"].values()] == ["/"] * 7


def test_pdf_text_rows_on_one_line_and_stacked_headers():
    r = parse_path(LAYOUTS / "pdf_text.txt")
    c = r.requests.cell("new_received", "total")
    assert (c.raw, c.provenance.col) == ("38", 8)  # column 1 is the label
    # a label whose note wraps onto the next line, with the row's figures after its first half
    assert r.requests.labels["partially_granted"].raw.startswith("（二）部分公开（区分处理的")
    # page furniture (`— 3 —`) between two rows is not a cell
    assert r.requests.cell("withheld.internal_affairs", "natural_person").raw == "0"
    # the vertical header characters are not section text
    assert r.sections["review_litigation"] is None


def test_cells_messy_blank_split_and_missing_headers():
    r = parse_path(LAYOUTS / "cells_messy.txt")
    q = r.requests
    assert q.cell("withheld.state_secret", "research").raw == "   "
    assert q.cell("unavailable.unclear", "other_org").raw == NBSP
    assert q.cell("not_processed.duplicate", "public_interest").raw == "\u3000"
    empty = q.cell("not_processed.reconfirm", "commercial")  # an empty line standing for an empty cell
    assert (empty.raw, empty.value) == ("", 0)
    assert q.labels["new_received"].raw == "一、本年新收政府信息公开申请数量"
    assert q.labels["not_processed.excessive"].raw == "4.无正当理由大量反复申请"
    assert not any(p.text.startswith("扫一扫") for p in r.paragraphs if p.role == "body")


def test_traditional_characters():
    r = parse_path(LAYOUTS / "traditional.txt")
    assert r.reading.traditional
    assert r.meta.title == "湘潭市自然資源和規劃局2023年政府信息公開工作年度報告"
    assert r.requests.labels["new_received"].raw == "一、本年新收政府信息公開申請數量"


def test_truncated_mid_table_3():
    r = parse_path(LAYOUTS / "truncated.txt")
    assert r.reading.truncated
    assert values(r, "proactive") == PROACTIVE
    got = values(r, "requests")
    rows = list(REQUESTS)
    cut = rows.index("withheld.third_party")
    for row in rows[:cut]:
        assert got[row] == REQUESTS[row], row
    assert got["withheld.third_party"] == [2, None, None, None, None, None, None]
    for row in rows[cut + 1:]:
        assert got[row] == [None] * 7, row
    assert r.requests.ended_early
    assert r.review_litigation is None  # nothing after the cut is invented
    assert r.sections["problems"] is None and r.sections["other"] is None


@pytest.mark.parametrize("name,code", [("empty.txt", "empty"), ("junk.bin", "binary")])
def test_unreadable_inputs(name, code):
    with pytest.raises(ReadError) as exc:
        parse_path(LAYOUTS / name)
    assert exc.value.code == code
    assert exc.value.message


def test_not_a_report():
    r = parse_path(LAYOUTS / "not_report.html")
    assert not is_report(r)
    assert r.meta.title is None and r.meta.format is None
    assert r.proactive is None and r.requests is None and r.review_litigation is None and r.legacy is None
    assert r.narrative == {}


def test_unknown_layout_never_invents_numbers():
    """Table 3 printed transposed (applicants as rows): no row label is followed by its seven cells, so
    nothing may be placed; the figures stay visible as strays or are left alone, never spread."""
    text = (LAYOUTS / "cells_messy.txt").read_text("utf-8")
    head, _, _ = text.partition("???三、收到和处理政府信息公开申请情况")
    transposed = ["三、收到和处理政府信息公开申请情况", "申请人情况 新收 上年结转 予以公开 总计 结转",
                  "自然人：30、2、12、30、2", "商业企业：5、1、2、5、1", "总计：38、3、15、38、3",
                  "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "无。",
                  "六、其他需要报告的事项", "无。"]
    from gongkai import parse_bytes

    r = parse_bytes((head + "\n".join(transposed)).encode("utf-8"))
    assert values(r, "proactive") == PROACTIVE
    assert r.requests is None or all(c is None for cols in r.requests.cells.values() for c in cols.values())
    assert r.review_litigation is None


@pytest.mark.parametrize("layout", ["cells", "lines", "pipes", "pdf"])
def test_a_note_between_a_heading_and_its_table_stays_prose(layout: str) -> None:
    """A sentence printed between a table section's heading and its table (its figure could start the table's
    extent) is kept as the section's prose, and the table still reads whole."""
    import random

    from gongkai import parse_bytes
    from gongkai.render.layouts import render_text
    from gongkai.render.synthetic import synthesize

    rep = synthesize("2021", random.Random(11), year=2024)
    note = "本年度主动公开政府信息1200条，其中政策解读56条。"
    text = render_text(rep, layout).replace("二、主动公开政府信息情况\n", f"二、主动公开政府信息情况\n{note}\n", 1)
    assert note in text
    report = parse_bytes(text.encode(), "note.txt")
    assert note in (report.sections["proactive"] or "")
    read = {(t, r, c): cell.value for t, r, c, cell in report.present_cells()}
    for table, rows in rep.values.items():
        for row, cols in rows.items():
            for col, value in cols.items():
                assert read.get((table, row, col)) == value, (table, row, col)
