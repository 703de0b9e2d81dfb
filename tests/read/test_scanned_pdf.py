"""Scanned PDF pages (pictures, no text layer) read through the ruling lines and OCR at the scan's
own resolution, and table rows that a page break cut in two joined again (text and scanned PDF)."""

from __future__ import annotations

import random
import shutil

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from gongkai import parse_bytes
from gongkai.read import ocr
from gongkai.read.pdf import _continue, _Table
from gongkai.render.docx import synthetic_page
from gongkai.render.image import cjk_font_path
from gongkai.render.synthetic import synthesize
from tests.conftest import needs

DOUBTFUL = 0.8  # integrity.ocr_doubtful_cell's threshold


def _cell(text: str, x0: float, x1: float, top: float = 700.0, bottom: float = 800.0):
    return (text, (x0, top, x1, bottom), None, False)


def _part(page: int, rows: list[list[str]], top: float) -> _Table:
    edges = [50.0, 200.0, 260.0, 320.0]
    out = [[_cell(t, edges[k], edges[k + 1], top + 30 * r, top + 30 * (r + 1)) for k, t in enumerate(row)]
           for r, row in enumerate(rows)]
    return _Table(page, edges, out)  # type: ignore[arg-type]


def test_row_cut_by_the_page_is_joined() -> None:
    """`8.属于行政` at the foot of one page and `查询事项` at the top of the next are one row."""
    prev = _part(4, [["7.属于行政执法案卷", "3", "1"], ["8.属于行政", "0", ""]], 700)
    _continue(prev, _part(5, [["查询事项", "", ""], ["（四）无法提供", "9", "4"]], 30))
    assert [[c[0] for c in row] for row in prev.rows] == [
        ["7.属于行政执法案卷", "3", "1"], ["8.属于行政查询事项", "0", ""], ["（四）无法提供", "9", "4"]]


def test_header_cut_by_the_page_is_joined() -> None:
    prev = _part(2, [["信息内容", "本年新制作数量", "本年新"]], 760)
    _continue(prev, _part(3, [["", "", "公开数量"], ["规章", "/", "0"]], 30))
    assert [c[0] for c in prev.rows[0]] == ["信息内容", "本年新制作数量", "本年新公开数量"]
    assert len(prev.rows) == 2


@pytest.mark.parametrize("first", [["行政强制", "", ""], ["3.其他", "", ""], ["行政强制", "0", "1"]])
def test_whole_rows_after_a_page_break_stay_rows(first: list[str]) -> None:
    """A row that is whole by itself (a format label, an item number, figures under figures) is not
    glued to the row above it, even with its figure cells blank."""
    prev = _part(2, [["行政处罚", "17", "4"]], 760)
    _continue(prev, _part(3, [first], 30))
    assert [c[0] for c in prev.rows[-1]] == first and len(prev.rows) == 2


def test_bands_join_the_halves_of_a_large_character() -> None:
    mask = np.zeros((120, 40), np.uint8)
    mask[10:28, 5:30] = 255  # upper half of a large 告
    mask[31:50, 8:28] = 255  # lower half, 3 px below
    mask[80:100, 5:30] = 255  # next line
    assert ocr._bands(mask, 12) == [(10, 50), (80, 100)]


needs_ocr = needs(ocr.available(), "Tesseract with chi_sim not installed")


def _font(size: int):  # type: ignore[no-untyped-def]
    path, index = cjk_font_path()
    return ImageFont.truetype(path, size, index=index)


def _ruled_page(rows: list[list[str]], widths: list[int], height: int = 52) -> Image.Image:
    """A 150 dpi page with one table ruled in one-pixel grey lines, as LibreOffice prints to a scan;
    a cell's text lines are split at newlines."""
    page = Image.new("L", (1240, 700), 255)
    draw = ImageDraw.Draw(page)
    font = _font(21)
    x0, y0 = 110, 120
    xs = [x0 + sum(widths[:k]) for k in range(len(widths) + 1)]
    ys = [y0 + height * r for r in range(len(rows) + 1)]
    for x in xs:
        draw.line((x, ys[0], x, ys[-1]), fill=128)
    for y in ys:
        draw.line((xs[0], y, xs[-1], y), fill=128)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            for k, line in enumerate(text.split("\n")):
                draw.text((xs[c] + 6, ys[r] + 4 + 24 * k), line, font=font, fill=0)
    draw.text((110, 40), "二、主动公开政府信息情况", font=_font(24), fill=0)
    return page


@needs_ocr
def test_scan_cells_exact_with_slash_unit_and_wrapped_figure() -> None:
    """At 150 dpi: `/` is not read as 1, `0万` is a figure with its unit, and a figure wrapped one
    digit per line in a narrow column reads whole; none of them is doubtful."""
    rows = [["信息内容", "数量", "金额", "总"], ["行政许可", "/", "0万", "8\n6"], ["行政处罚", "17", "203", "5"]]
    page = _ruled_page(rows, [300, 120, 140, 30], height=70)
    tables, lines = ocr.read_scan(page, 150)
    assert len(tables) == 1
    cells = {(c.row, c.col): c for c in tables[0].cells}
    assert [cells[(2, k)].text for k in (2, 3, 4)] == ["/", "0万", "86"]
    assert [cells[(3, k)].text for k in (2, 3, 4)] == ["17", "203", "5"]
    assert all(cells[(r, k)].confidence >= DOUBTFUL for r in (2, 3) for k in (2, 3, 4))
    assert [ln.text for ln in lines] == ["二、主动公开政府信息情况"]


@needs_ocr
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_scanned_report_every_cell_exact() -> None:
    """A synthetic report through LibreOffice to PDF, its pages printed to 150 dpi pictures: every
    figure read exactly (tables cut by page breaks joined), every OCR'd cell with a confidence."""
    import io

    import pdfplumber

    from gongkai.render.docx import to_docx
    from gongkai.render.pdf import docx_to_pdf, scanned_pdf

    rep = synthesize("2021", random.Random(7))
    text_pdf = docx_to_pdf(to_docx(synthetic_page(rep)))
    with pdfplumber.open(io.BytesIO(text_pdf)) as pdf:
        pictures = [p.to_image(resolution=150).original.convert("RGB") for p in pdf.pages]
    report = parse_bytes(scanned_pdf(pictures, dpi=150))
    assert report.source.media_type == "application/pdf"
    for table, rows in rep.values.items():
        for row, cols in rows.items():
            for col, value in cols.items():
                cell = report.table(table).cell(row, col)
                assert cell is not None and cell.value == value, (table, row, col)
                assert cell.provenance.confidence is not None and cell.provenance.page
