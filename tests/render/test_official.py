"""An organ's own report rendered in the official layout (HTML, Word, PDF) reads back exactly with gongkai's reader.

Hypothesis draws consistent figures (`synthesize`: every identity holds), the organ, year, date and prose of
each section; each rendering is read back by `parse_bytes` and must give every cell of tables 2–4, the meta
and the prose as written.
"""

from __future__ import annotations

import random
import re
import shutil
from datetime import date
from decimal import Decimal

import lxml.html
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from gongkai import is_report, parse_bytes, parse_path
from gongkai.formats import format_ids, get_format, sections
from gongkai.model import TABLE_KEYS, Report
from gongkai.render.docx import differences
from gongkai.render.layouts import header_levels
from gongkai.render.official import MONEY_UNIT, ReportContent, to_docx, to_html, to_pdf
from gongkai.render.synthetic import ORGANS, synthesize
from tests.conftest import needs, seed_path

TABLE_FORMATS = [f for f in format_ids() if all(get_format(f).table(k) is not None for k in TABLE_KEYS)]
SECTION_KEYS = [s.key for s in sections()]
MORE_ORGANS = ("湖南省司法厅", "邵阳市武冈市民政局", "北京市海淀区人民政府", "国家税务总局长沙市税务局",
               "岳麓区望月湖街道办事处", "上海市浦东新区教育局", "国家统计局")
PHRASES = ("本机关认真贯彻落实《中华人民共和国政府信息公开条例》", "全年主动公开政府信息1234条",
           "依法办理政府信息公开申请57件", "持续完善政务公开平台建设", "加强政策解读与回应关切",
           "公开内容的规范性仍有不足", "下一步将健全“<公开>&<不公开>”审查机制", "坚持“先审查、后公开”原则")
needs_soffice = needs(shutil.which("soffice") is not None, "LibreOffice not installed")


def _decimal(value: int | float | None) -> int | Decimal | None:
    return Decimal(str(value)) if isinstance(value, float) else value


@st.composite
def paragraphs(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(PHRASES), min_size=1, max_size=4))
    tail = draw(st.text(alphabet="政务数据质量规范完善<>&\"'《》（）", max_size=12))
    return "，".join(words) + tail + "。"


@st.composite
def contents(draw: st.DrawFn, format_id: str) -> ReportContent:
    """A report of `format_id` whose figures satisfy every identity of the format."""
    fmt = get_format(format_id)
    year = draw(st.integers(fmt.first_year or 2019, fmt.last_year or 2030))
    rep = synthesize(format_id, random.Random(draw(st.integers(0, 2**32 - 1))), year=year)
    cells = {t: {r: {c: _decimal(v) for c, v in cols.items()} for r, cols in rows.items()}
             for t, rows in rep.values.items()}
    published = draw(st.none() | st.dates(date(year + 1, 1, 1), date(year + 1, 12, 31)))
    prose = draw(st.dictionaries(st.sampled_from(SECTION_KEYS), st.lists(paragraphs(), min_size=1, max_size=3)))
    organ = draw(st.sampled_from(ORGANS + MORE_ORGANS))
    return ReportContent(format_id, organ, year, published, {k: "\n".join(v) for k, v in prose.items()}, cells)


def _prose(sections: dict[str, str | None], breaks: bool) -> dict[str, str]:
    return {k: v if breaks else v.replace("\n", "") for k, v in sections.items() if v}


def assert_reads_back(content: ReportContent, report: Report, *, paragraph_breaks: bool = True) -> None:
    """Every cell of tables 2–4, the meta, the six headings and the prose exactly as the organ wrote them.

    A PDF has no paragraph marks: the reader joins a line that reaches the right margin to the next, so there
    a short paragraph can run into the next one (`paragraph_breaks=False` compares the prose without breaks)."""
    assert is_report(report)
    meta = report.meta
    assert (meta.organ, meta.year, meta.format, meta.published) == (
        content.organ, content.year, content.format_id, content.published)
    assert meta.title == content.title
    fmt = get_format(content.format_id)
    for key in TABLE_KEYS:
        table, table_def = report.table(key), fmt.table(key)
        assert table is not None and table_def is not None, key
        assert not table.strays, table.strays
        for row, col in table_def.cell_keys():
            cell = table.cell(row, col)
            assert cell is not None, (key, row, col)
            assert _decimal(cell.value) == content.cells[key][row][col], (key, row, col, cell.raw)
            if table_def.column(col).kind == "money":
                assert cell.unit == (table_def.column(col).unit or MONEY_UNIT), (key, row, col, cell.raw)
    assert list(report.section_headings) == SECTION_KEYS
    assert _prose(report.sections, paragraph_breaks) == _prose(dict(content.sections), paragraph_breaks)


SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# LibreOffice takes seconds per document: report a failing Word or PDF example as found, without shrinking it.
UNSHRUNK = settings(SLOW, phases=[Phase.explicit, Phase.reuse, Phase.generate])


@pytest.mark.parametrize("format_id", TABLE_FORMATS)
def test_html_reads_back_exactly(format_id: str) -> None:
    @settings(SLOW, max_examples=30)
    @given(content=contents(format_id))
    def check(content: ReportContent) -> None:
        assert_reads_back(content, parse_bytes(to_html(content).encode("utf-8"), "report.html"))

    check()


@pytest.mark.parametrize("format_id", TABLE_FORMATS)
def test_docx_reads_back_exactly(format_id: str) -> None:
    @settings(UNSHRUNK, max_examples=5)
    @given(content=contents(format_id))
    def check(content: ReportContent) -> None:
        report = parse_bytes(to_docx(content), "report.docx")
        assert report.source.media_type.endswith("wordprocessingml.document")
        assert_reads_back(content, report)

    check()


@needs_soffice
@pytest.mark.parametrize("format_id", TABLE_FORMATS)
def test_pdf_reads_back_exactly(format_id: str) -> None:
    @settings(UNSHRUNK, max_examples=3)
    @given(content=contents(format_id))
    def check(content: ReportContent) -> None:
        report = parse_bytes(to_pdf(content), "report.pdf")
        assert report.source.media_type == "application/pdf"
        assert_reads_back(content, report, paragraph_breaks=False)

    check()


def _seed_content(report: Report) -> ReportContent:
    """What seed 004's organ wrote: its prose and its figures, as read from the seed."""
    cells = {}
    for key in TABLE_KEYS:
        table = report.table(key)
        assert table is not None
        cells[key] = {row: {col: None if c is None else _decimal(c.value) for col, c in cols.items()}
                      for row, cols in table.cells.items()}
    meta = report.meta
    assert meta.format and meta.organ and meta.year
    prose = {k: v for k, v in report.sections.items() if v}
    return ReportContent(meta.format, meta.organ, meta.year, meta.published, prose, cells)


@pytest.fixture(scope="module")
def seed_004() -> tuple[Report, ReportContent]:
    report = parse_path(seed_path("004"))
    return report, _seed_content(report)


def _renderings() -> list:
    return [pytest.param(lambda c: to_html(c).encode("utf-8"), id="html"), pytest.param(to_docx, id="docx"),
            pytest.param(to_pdf, id="pdf", marks=needs_soffice)]


@pytest.mark.parametrize("render", _renderings())
def test_seed_004_reads_back_identically(render, seed_004: tuple[Report, ReportContent]) -> None:
    seed, content = seed_004
    back = parse_bytes(render(content))
    assert differences(seed, back) == []
    assert back.sections == seed.sections
    assert_reads_back(content, back)


def _table_cells(page: str, number: int) -> list[lxml.html.HtmlElement]:
    tables = lxml.html.document_fromstring(page).findall(".//table")
    return tables[number].findall(".//td")


@pytest.mark.parametrize("format_id", TABLE_FORMATS)
def test_html_is_a_standalone_page_with_merged_headers(format_id: str) -> None:
    rep = synthesize(format_id, random.Random(4))
    content = ReportContent(format_id, "<某>县人民政府", rep.year, None, {"overview": "<script>alert(1)</script>"},
                            {t: {r: {c: _decimal(v) for c, v in cols.items()} for r, cols in rows.items()}
                             for t, rows in rep.values.items()})
    page = to_html(content)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page and page.rstrip().endswith("</html>")
    assert "<script>" not in page and "&lt;某&gt;县人民政府" in page
    assert "发布日期" not in page  # no date given, none printed
    root = lxml.html.document_fromstring(page)
    assert root.findtext(".//title") == content.title == root.findtext(".//h1")
    assert [h.text_content() for h in root.findall(".//h2")] == [s.label for s in sections()]
    requests = get_format(format_id).table("requests")
    assert requests is not None
    upper, _ = header_levels(requests.columns)
    spans = {td.text_content(): int(td.get("colspan", 1)) for td in _table_cells(page, 1)}
    for label, span in upper:
        if span > 1:
            assert spans[label] == span, label


def test_absent_figures_are_printed_as_empty_cells() -> None:
    rep = synthesize("2021", random.Random(7))
    cells = {t: {r: {c: _decimal(v) for c, v in cols.items()} for r, cols in rows.items()}
             for t, rows in rep.values.items()}
    cells["requests"]["carried_over"] = dict.fromkeys(cells["requests"]["carried_over"])
    del cells["review_litigation"]["review"]
    content = ReportContent("2021", "长沙县人民政府", rep.year, rep.published, {}, cells)
    report = parse_bytes(to_html(content).encode("utf-8"))
    for key, row in (("requests", "carried_over"), ("review_litigation", "review")):
        table = report.table(key)
        assert table is not None
        printed = [table.cell(row, c) for c in table.cells[row]]
        assert all(c is not None and c.blank for c in printed), (key, row)
    requests = report.table("requests")
    assert requests is not None
    assert requests.cell("new_received", "total").value == rep.values["requests"]["new_received"]["total"]


_REQUESTS_2021 = get_format("2021").table("requests")
assert _REQUESTS_2021 is not None
_FIRST_ROW = _REQUESTS_2021.rows[0]


@pytest.mark.parametrize(("cells", "message"), [
    ({"proactive": {"no_such_row": {}}}, "表格2没有这一行：no_such_row"),
    ({"requests": {_FIRST_ROW.key: {"no_such_column": 1}}},
     f"表格{_REQUESTS_2021.number}第“{_FIRST_ROW.label}”行没有这一列：no_such_column"),
    ({"legacy": {}}, "格式2021没有表格：legacy"),
])
def test_unknown_cells_are_refused(cells: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        ReportContent("2021", "长沙县人民政府", 2023, None, {}, cells)


def test_unknown_section_is_refused() -> None:
    with pytest.raises(ValueError, match="未知的章节：preface"):
        ReportContent("2021", "长沙县人民政府", 2023, None, {"preface": "前言"}, {})
