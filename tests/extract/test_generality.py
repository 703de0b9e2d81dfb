"""What real pages do to the tables, each case on its own (see the reference's list)."""

from __future__ import annotations

import random

from gongkai import parse_bytes
from gongkai.extract.values import make_cell
from gongkai.formats import get_format
from gongkai.model import Provenance
from gongkai.render.layouts import render_html, render_text
from gongkai.render.synthetic import synthesize


def _money():
    return get_format("2019").table("proactive").column("amount")


def test_money_cells_of_2019_procurement():
    col, p = _money(), Provenance(line=1)
    c = make_cell("251000元", col, p)
    assert (c.value, c.number, c.unit, c.raw) == (25.1, 251000, "元", "251000元")
    c = make_cell("29724.51万 ", col, p)
    assert (c.value, c.number, c.unit) == (29724.51, 29724.51, "万元")
    c = make_cell("798", col, p)  # a bare number: unit unknown, no figure made up
    assert (c.value, c.number, c.unit, c.raw) == (None, 798, None, "798")
    c = make_cell("1.2亿元", col, p)
    assert c.value == 12000


def test_counts_separators_and_none_marks():
    col, p = get_format("2021").table("requests").column("total"), Provenance(line=1)
    assert [make_cell(t, col, p).value for t in ("1,562", "１２", "-", "/", "无", "—", "", "\u00a0", "12件")] == [
        1562, 12, 0, 0, 0, 0, 0, 0, 12]
    assert make_cell("约十件", col, p).value is None


def _text(fmt: str, seed: int, layout: str = "lines") -> tuple[object, str]:
    rep = synthesize(fmt, random.Random(seed))
    return rep, render_text(rep, layout)


def test_2019_and_2021_table_3_told_apart_without_table_2():
    for fmt in ("2019", "2021"):
        rep, text = _text(fmt, 11)
        start = text.index("二、主动公开政府信息情况")
        end = text.index("三、收到和处理政府信息公开申请情况")
        r = parse_bytes((text[:start] + "二、主动公开政府信息情况\n（见附件）\n" + text[end:]).encode())
        assert r.proactive is None
        assert r.meta.format == fmt
        assert r.requests.format == fmt
        assert r.requests.value("total_processed", "total") == rep.values["requests"]["total_processed"]["total"]


def test_table_whose_heading_is_missing():
    rep, text = _text("2021", 12)
    r = parse_bytes(text.replace("三、收到和处理政府信息公开申请情况\n", "").encode())
    assert r.requests is not None
    assert r.requests.value("new_received", "total") == rep.values["requests"]["new_received"]["total"]
    assert r.proactive.value("normative_documents", "issued") == rep.values["proactive"]["normative_documents"][
        "issued"]


def test_subtotal_rows_go_to_subtotals():
    rep, text = _text("2021", 13, "pdf")
    sums = {}
    for group, first in (("withheld", "withheld."), ("unavailable", "unavailable."),
                         ("not_processed", "not_processed.")):
        rows = [r for r in rep.values["requests"] if r.startswith(first)]
        sums[group] = [sum(rep.values["requests"][r][c] for r in rows) for c in
                       ("natural_person", "commercial", "research", "public_interest", "legal_service", "other_org",
                        "total")]
    for label, group in (("（三）不予公开", "withheld"), ("（四）无法提供", "unavailable"),
                         ("（五）不予处理", "not_processed")):
        text = text.replace(f"\n{label}\n", f"\n{label} " + " ".join(map(str, sums[group])) + "\n")
    r = parse_bytes(text.encode())
    assert not r.requests.strays
    for group in sums:
        assert [c.value for c in r.requests.subtotals[group].values()] == sums[group]
    assert r.requests.value("withheld.third_party", "total") == rep.values["requests"]["withheld.third_party"][
        "total"]


def test_table_printed_twice_keeps_the_first_and_flags_the_copy():
    rep, text = _text("2021", 14, "pdf")
    start = text.index("申请人情况")
    end = text.index("四、政府信息公开行政复议")
    table = text[start:end]
    r = parse_bytes((text[:end] + table + text[end:]).encode())
    assert r.requests.value("new_received", "total") == rep.values["requests"]["new_received"]["total"]
    assert {s.kind for s in r.requests.strays} == {"ambiguous"}  # the copy is kept aside, not merged


def test_html_layout_table_wrapping_the_article():
    rep = synthesize("2019", random.Random(15))
    html = render_html(rep).replace('<div class="article">', '<table><tr><td>导航</td><td><div class="article">')
    html = html.replace('</div><div class="footer">', '</div></td></tr></table><div class="footer">')
    r = parse_bytes(html.encode())
    assert r.meta.format == "2019"
    assert r.proactive.value("procurement", "amount") == rep.values["proactive"]["procurement"]["amount"]
    assert r.requests.cell("other", "total").provenance.table == 2
