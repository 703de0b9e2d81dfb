"""The HTML reader: lines and table cells in reading order, with their place in the page."""

from __future__ import annotations

from gongkai.model import Provenance
from gongkai.read.html import html_blocks


def _cells(html: str) -> list[tuple[str, int | None, int | None, int | None]]:
    return [(b.text, b.provenance.table, b.provenance.row, b.provenance.col) for b in html_blocks(html)[0] if b.cell]


def test_rowspan_and_colspan_place_cells_in_the_expanded_grid():
    html = """<table>
<tr><td rowspan="2">项目</td><td colspan="2">申请人</td><td>总计</td></tr>
<tr><td>自然人</td><td>法人</td><td>合计</td></tr>
<tr><td colspan="3" rowspan="2">结果</td><td>1</td></tr>
<tr><td>2</td></tr>
</table>"""
    assert _cells(html) == [
        ("项目", 1, 1, 1), ("申请人", 1, 1, 2), ("总计", 1, 1, 4),
        ("自然人", 1, 2, 2), ("法人", 1, 2, 3), ("合计", 1, 2, 4),
        ("结果", 1, 3, 1), ("1", 1, 3, 4),
        ("2", 1, 4, 4),
    ]


def test_bad_spans_count_as_one():
    html = ("<table><tr><td rowspan='x'>a</td><td colspan=''>b</td><td colspan='0'>c</td></tr>"
            "<tr><td>d</td></tr></table>")
    assert _cells(html) == [("a", 1, 1, 1), ("b", 1, 1, 2), ("c", 1, 1, 3), ("d", 1, 2, 1)]


def test_cell_provenance_is_a_plain_provenance():
    blocks, _ = html_blocks("<table>\n<tr><th>名称</th></tr>\n<tr><td>12</td></tr>\n</table>")
    expected = [Provenance(line=2, table=1, row=1, col=1), Provenance(line=3, table=1, row=2, col=1)]
    assert [b.provenance for b in blocks] == expected
    assert [b.provenance.model_fields_set for b in blocks] == [p.model_fields_set for p in expected]
    assert [b.provenance.model_dump() for b in blocks] == [p.model_dump() for p in expected]


def test_cell_text_joins_breaks_and_collapses_whitespace():
    html = ("<table><tr><td>商业<br>企业</td><td><p>科研</p><p>机构</p></td><td>  a\n\t b  </td><td>&nbsp;</td>"
            "<td>x<!-- note -->y</td><td></td></tr></table>")
    assert [t for t, *_ in _cells(html)] == ["商业企业", "科研机构", "a b", "\xa0", "xy", ""]


def test_whitespace_is_collapsed_within_each_text_piece():
    # A run of whitespace split by a tag is collapsed on each side of the tag, not as one run.
    assert [t for t, *_ in _cells("<table><tr><td>a \n<br>\n b</td><td>c\n<!-- x -->\nd</td></tr></table>")] == [
        "a  b", "c  d"]


def test_layout_table_is_read_as_a_container():
    html = """<body><table><tr><td>导航</td><td>
<h1>年度报告</h1>
<table><tr><td>项目</td><td>数量</td></tr><tr><td>收到申请</td><td>5</td></tr></table>
<p>说明</p>
</td></tr></table></body>"""
    blocks, _ = html_blocks(html)
    assert [(b.text, b.cell) for b in blocks] == [
        ("导航", False), ("年度报告", False),
        ("项目", True), ("数量", True), ("收到申请", True), ("5", True),
        ("说明", False),
    ]
    assert _cells(html)[-1] == ("5", 1, 2, 2)


def test_a_cell_holding_an_article_makes_a_layout_table():
    article = "".join(f"<p>{'第' * 120}{i}段</p>" for i in range(3))
    blocks, _ = html_blocks(f"<table><tr><td>{article}</td></tr></table>")
    assert [b.cell for b in blocks] == [False, False, False]
    short = "<table><tr><td><p>一</p><p>二</p><p>三</p></td></tr></table>"
    assert [(b.text, b.cell) for b in html_blocks(short)[0]] == [("一二三", True)]


def test_rows_of_an_inner_table_are_not_rows_of_the_outer_one():
    html = "<table><caption><table><tr><td>x</td></tr></table></caption><tr><td>1</td></tr></table>"
    assert [c for c in _cells(html) if c[1] == 1] == [("1", 1, 1, 1)]


def test_lines_title_and_images():
    html = """<html><head><title> 报告_门户 </title><style>p{}</style></head>
<body><p>第一行<br>第二行</p>
<img src="t.png" alt="表"><div>尾</div></body></html>"""
    blocks, images = html_blocks(html)
    assert [(b.text, b.provenance.line, b.cell) for b in blocks] == [
        ("报告_门户", 1, False), ("第一行", 2, False), ("第二行", 2, False), ("尾", 3, False)]
    assert [(i.src, i.alt, i.position, i.line) for i in images] == [("t.png", "表", 3, 3)]


def test_pages_without_a_document_read_nothing():
    for html in ("", "<!DOCTYPE html>", "<!-- only a comment -->", '<?xml version="1.0"?>'):
        assert html_blocks(html) == ([], [])
    blocks, _ = html_blocks('<?xml version="1.0" encoding="utf-8"?>\n<html><body><p>正文</p></body></html>')
    assert [b.text for b in blocks] == ["正文"]
