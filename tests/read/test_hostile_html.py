"""Hostile HTML pages: pictures outside the page's folder, hidden text, deep nesting, huge spans, entities."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest

from gongkai.read import ReadError, read_bytes, read_path
from gongkai.read.html import html_blocks
from gongkai.read.image import _resolve

PAGE = "<html><head><title>年度报告</title></head><body><p>报告</p>{body}</body></html>"


def _texts(html: str) -> list[str]:
    return [b.text for b in html_blocks(html)[0]]


# --- pictures only from the page's own folder --------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """tmp/site/page/ (the page's folder, with pics/ok.png) beside tmp/private/t3.png (never to be read)."""
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "t3.png").write_bytes(b"\x89PNG\r\n\x1a\n secret")
    page = tmp_path / "site" / "page"
    (page / "pics").mkdir(parents=True)
    (page / "pics" / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return page


@pytest.mark.parametrize("src", [
    "../../private/t3.png", "../../../private/t3.png", "pics/../../../private/t3.png", "..%2F..%2Fprivate%2Ft3.png",
    "file:///../../private/t3.png", "http://example.org/../../private/t3.png", "..", "../..",
])
def test_img_src_never_resolves_outside_the_page_folder(site: Path, src: str):
    assert _resolve(src, site) is None


def test_img_src_inside_the_folder_is_found(site: Path):
    assert _resolve("pics/ok.png", site) == (site / "pics" / "ok.png").resolve()
    assert _resolve("http://example.org/img/ok.png", site) is None  # by name: only beside the page
    (site / "ok.png").write_bytes(b"x")
    assert _resolve("http://example.org/img/ok.png", site) == (site / "ok.png").resolve()


def test_absolute_src_is_read_relative_to_the_folder(site: Path):
    secret = site.parent.parent / "private" / "t3.png"
    assert _resolve(str(secret), site) is None
    assert _resolve("file://" + str(secret), site) is None


def test_links_out_of_the_folder_and_special_files_are_not_followed(site: Path):
    (site / "link.png").symlink_to(site.parent.parent / "private" / "t3.png")
    (site / "pics" / "up").symlink_to(site.parent.parent / "private")
    (site / "zero.png").symlink_to("/dev/zero")
    os.mkfifo(site / "fifo.png")
    for src in ("link.png", "pics/up/t3.png", "zero.png", "fifo.png", "pics"):
        assert _resolve(src, site) is None, src


def test_page_reading_never_opens_a_picture_outside_its_folder(site: Path, monkeypatch: pytest.MonkeyPatch):
    from gongkai.read import ocr

    opened: list[bytes] = []
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "_open_image", lambda data: opened.append(data) or (_ for _ in ()).throw(OSError("x")))
    page = site / "report.html"
    page.write_text(PAGE.format(body='<img src="../../private/t3.png"><img src="../../../private/t3.png">'),
                    encoding="utf-8")
    doc = read_path(page)
    assert opened == []
    assert doc.warnings == ["页面图片未找到：../../private/t3.png", "页面图片未找到：../../../private/t3.png"]


def test_images_dir_bounds_the_lookup_too(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from gongkai.read import ocr

    opened: list[bytes] = []
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "_open_image", lambda data: opened.append(data) or (_ for _ in ()).throw(OSError("x")))
    page = tmp_path / "report.html"
    page.write_text(PAGE.format(body='<img src="../private/t3.png"><img src="ok.png">'), encoding="utf-8")
    doc = read_path(page, images_dir=site / "pics")
    assert opened == [b"\x89PNG\r\n\x1a\n"]  # ok.png from images_dir; t3.png (beside images_dir's parent) never
    assert doc.warnings[0] == "页面图片未找到：../private/t3.png"


def test_read_path_refuses_fifos_and_devices(tmp_path: Path):
    os.mkfifo(tmp_path / "fifo.html")
    (tmp_path / "zero.html").symlink_to("/dev/zero")
    for name in ("fifo.html", "zero.html"):
        with pytest.raises(ReadError) as err:
            read_path(tmp_path / name)
        assert err.value.code == "unreadable"
        assert "不是普通文件" in err.value.message


# --- hidden content is never read ---------------------------------------------------------------------


def test_hidden_content_is_not_read_as_text_or_cells():
    body = """
<noscript><table><tr><td>收到申请</td><td>111</td></tr></table></noscript>
<script>var x = "<td>222</td>";</script><style>td {color: red} /* 333 */</style>
<template><p>444</p></template>
<p hidden>555</p><p style="color:red; DISPLAY : none">666</p><div style="visibility:hidden">777</div>
<table><tr><td>收到申请<span style="display:none">888</span></td><td>12<span hidden>9</span></td>
<td style="display: none !important">999</td><td>13<noscript>0</noscript></td></tr>
<tr style="display:none"><td>隐藏行</td><td>1000</td></tr></table>
<p>可见<span style="display:none">隐藏</span>文字</p><p style="display&#58;n&#111;ne">1234</p>
<p hidden style="display:none">12345<b style="display:none">6</b></p>
"""
    blocks, _ = html_blocks(PAGE.format(body=body))
    assert [b.text for b in blocks] == ["年度报告", "报告", "收到申请", "12", "13", "可见文字"]
    assert [(b.provenance.row, b.provenance.col) for b in blocks if b.cell] == [(1, 1), (1, 2), (1, 3)]


def test_visible_styles_and_look_alike_properties_are_kept():
    body = ('<p style="display:block">1</p><p style="mso-display:none">2</p><p style="visibility:visible">3</p>'
            '<p style="display:none-ish">4</p><p data-hidden="1">5</p>')
    assert _texts(PAGE.format(body=body))[2:] == ["1", "2", "3", "4", "5"]


def test_entities_are_never_loaded_from_files(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("机密 4242", encoding="utf-8")
    html = (f'<!DOCTYPE html [<!ENTITY x SYSTEM "{secret.as_uri()}"><!ENTITY y "7777">]>'
            "<html><body><p>报告&x;&y;</p><table><tr><td>&x;</td><td>1</td></tr></table></body></html>")
    text = "\n".join(_texts(html))
    assert "4242" not in text and "7777" not in text
    assert "报告" in text


# --- deep nesting ----------------------------------------------------------------------------------------


def test_300_unclosed_font_tags_are_read_whole():
    body = "<font>" * 300 + "<table><tr><td>收到申请</td><td>12</td></tr></table><p>结束</p>"
    assert _texts(PAGE.format(body=body))[2:] == ["收到申请", "12", "结束"]


def test_1500_nested_tags_are_read_without_recursion_limit():
    body = "<div>" * 1500 + "<p>深处 7</p>" + "</div>" * 1500 + "<p>之后</p>"
    assert _texts(PAGE.format(body=body))[2:] == ["深处 7", "之后"]


def test_many_breaks_and_rows_deep_in_a_table_take_steps_in_their_number_not_times_the_depth(
        monkeypatch: pytest.MonkeyPatch):
    # 2,000 levels × 20,000 elements: walking from every element up to its table took 40 million steps
    # (minutes); each step up the tree is counted here
    from lxml import etree

    from gongkai.read import html as reader

    steps = [0]

    class Counting(etree.ElementBase):
        def getparent(self):  # type: ignore[no-untyped-def]
            steps[0] += 1
            return super().getparent()

    parser = etree.HTMLParser(huge_tree=True)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(element=Counting))
    monkeypatch.setattr(reader, "_PARSER", parser)
    breaks = "<table><tr><td>" + "<div>" * 2000 + "<br>" * 20_000 + "</td></tr></table>"
    rows = "<table><tr><td><table>" + "<div>" * 2000 + "<tr><td>1</td></tr>" * 20_000 + "</table></td></tr></table>"
    assert len(html_blocks(breaks)[0]) == 1
    assert len(html_blocks(rows)[0]) == 20_000
    assert steps[0] < 200_000


def test_nesting_past_the_parser_limit_is_refused_clearly():
    page = PAGE.format(body="<font>" * 3000 + "<table><tr><td>收到申请</td><td>12</td></tr></table>")
    with pytest.raises(ReadError) as err:
        read_bytes(page.encode("utf-8"))
    assert err.value.code == "too_deep"
    assert "嵌套" in err.value.message


# --- huge rowspans and colspans --------------------------------------------------------------------------


def test_huge_spans_are_cut_to_the_table_and_take_little_memory():
    rows = "".join(f"<tr>{'<td rowspan=65534 colspan=100000>9</td>' * 8}</tr>" for _ in range(100))
    tracemalloc.start()
    try:
        blocks, _ = html_blocks(f"<table>{rows}</table>")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(blocks) == 800
    assert peak < 50 * 2**20
    first = [(b.provenance.row, b.provenance.col) for b in blocks[:9]]
    assert first == [(1, c) for c in range(1, 8001, 1000)] + [(2, 8001)]


def test_spans_past_any_real_table_are_refused():
    rows = "".join(f"<tr>{'<td rowspan=65534>9</td>' * 20}</tr>" for _ in range(2000))
    with pytest.raises(ReadError) as err:
        read_bytes(f"<html><body><table>{rows}</table></body></html>".encode())
    assert err.value.code == "table_too_large"


def test_rowspan_beyond_the_last_row_is_the_rest_of_the_table():
    html = ("<table><tr><td rowspan=9999>a</td><td>b</td></tr><tr><td>c</td></tr></table>"
            "<table><tr><td>d</td></tr></table>")
    cells = [(b.text, b.provenance.table, b.provenance.row, b.provenance.col) for b in html_blocks(html)[0]]
    assert cells == [("a", 1, 1, 1), ("b", 1, 1, 2), ("c", 1, 2, 2), ("d", 2, 1, 1)]
