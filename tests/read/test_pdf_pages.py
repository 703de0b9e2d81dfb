"""PDF pages read through pdfium: ruling lines drawn as strokes, as filled bars or inside a form
object make the same table; characters keep their spaces and cells their text (PDFs drawn here
with reportlab, no LibreOffice needed)."""

from __future__ import annotations

import io

import pytest

from gongkai.read.pdf import _one_word, read_pdf

reportlab = pytest.importorskip("reportlab")

_ROWS = [["Item", "Count", "Amount"], ["Permits", "17", "203"], ["Fines", "5", "1 200"]]
_XS = [72, 252, 342, 432]
_YS = [700, 676, 652, 628]


def _pdf(style: str) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    c.setFont("Helvetica", 11)
    c.drawString(72, 760, "Annual report on government information disclosure")
    target = c
    if style == "form":
        c.beginForm("grid")
    for y in _YS:
        if style == "bars":
            target.rect(_XS[0], y - 0.25, _XS[-1] - _XS[0], 0.5, stroke=0, fill=1)
        else:
            target.line(_XS[0], y, _XS[-1], y)
    for x in _XS:
        if style == "bars":
            target.rect(x - 0.25, _YS[-1], 0.5, _YS[0] - _YS[-1], stroke=0, fill=1)
        else:
            target.line(x, _YS[0], x, _YS[-1])
    if style == "form":
        c.endForm()
        c.doForm("grid")
    for r, row in enumerate(_ROWS):
        for k, text in enumerate(row):
            c.drawString(_XS[k] + 4, _YS[r] - 16, text)
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize("style", ["lines", "bars", "form"])
def test_ruled_table_read_from_any_kind_of_ruling(style: str) -> None:
    blocks = read_pdf(_pdf(style))
    assert blocks[0].text == "Annual report on government information disclosure" and not blocks[0].cell
    cells = [b for b in blocks if b.cell]
    assert [[b.text for b in cells if b.provenance.row == r] for r in (1, 2, 3)] == _ROWS
    first = cells[0].provenance
    assert first.page == 1 and first.table == 1 and (first.row, first.col) == (1, 1)
    x0, top, x1, bottom = first.bbox  # points from the page's top left, inside the ruling lines
    assert (round(x0), round(top), round(x1), round(bottom)) == (72, 842 - 700, 252, 842 - 676)


def _char(text: str, x0: float, size: float = 10.0, top: float = 100.0) -> dict:
    return {"object_type": "char", "text": text, "x0": x0, "x1": x0 + size, "top": top, "bottom": top + size,
            "doctop": top, "y0": 842 - top - size, "y1": 842 - top, "width": size, "height": size, "size": size,
            "upright": True}


@pytest.mark.parametrize("chars", [
    [_char("1", 0), _char("2", 10), _char("3", 20)],
    [_char("3", 20), _char("1", 0), _char("2", 10)],  # order of the content stream
    [_char(" ", 0), _char("4", 5), _char("5", 15), _char(" ", 30)],  # spaces around the word
    [_char("6", 0), _char("7", 12.4)],  # a gap under a quarter of the size is no space
    [_char("6", 0), _char("7", 12.6)],  # over it, two words
    [_char("8", 0), _char(" ", 10), _char("9", 10)],  # a space inside
    [_char("一", 0), _char("二", 0, top=112)],  # two lines
    [_char("三", 0), _char("四", 10, top=102)],  # one line, slightly offset
])
def test_one_word_shortcut_reads_as_pdfplumber(chars: list[dict]) -> None:
    """The shortcut for a cell of one word gives pdfplumber's text, or leaves the cell to it."""
    from pdfplumber.utils import extract_text

    word = _one_word(chars)
    assert word is None or word == extract_text(chars, x_tolerance_ratio=0.25)


def test_one_word_shortcut_taken_for_a_figure_and_left_for_two_words() -> None:
    assert _one_word([_char(" ", 0), _char("2", 25), _char("1", 15), _char(" ", 40)]) == "12"
    assert _one_word([_char("6", 0), _char("7", 12.6)]) is None
