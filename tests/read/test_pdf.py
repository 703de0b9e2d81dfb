"""PDF with a text layer: synthetic reports and the seeds rendered through Word and LibreOffice
into real PDFs (tables split across pages, header rows repeated) and read back cell for cell."""

from __future__ import annotations

import io
import random
import shutil
from pathlib import Path

import pytest

from gongkai import parse_bytes, parse_path
from gongkai.read import ReadError, read_bytes
from gongkai.read.pdf import read_pdf
from gongkai.render.docx import Grid, GridCell, Page, differences, report_page, synthetic_page, to_docx
from gongkai.render.layouts import render_text
from gongkai.render.synthetic import synthesize
from tests.conftest import needs

pytestmark = needs(shutil.which("soffice") is not None, "LibreOffice not installed")
SEEDS = sorted((Path(__file__).parents[1] / "fixtures" / "seeds").glob("*.txt"))


def _pdf(page: Page) -> bytes:
    from gongkai.render.pdf import to_pdf

    return to_pdf(page)


@pytest.mark.parametrize("format_id", ["2021", "2019"])
@pytest.mark.parametrize("seed", range(2))
def test_pdf_round_trip_every_cell(format_id: str, seed: int) -> None:
    rep = synthesize(format_id, random.Random(100 + seed))
    data = _pdf(synthetic_page(rep))
    report = parse_bytes(data, "report.html")  # the name lies; the content decides
    assert report.source.media_type == "application/pdf"
    for table, rows in rep.values.items():
        for row, cols in rows.items():
            for col, value in cols.items():
                cell = report.table(table).cell(row, col)
                assert cell is not None and cell.value == value, (table, row, col)
                assert cell.provenance.page and cell.provenance.bbox
    assert differences(parse_bytes(render_text(rep, "cells").encode()), report) == []


@pytest.fixture(scope="module")
def seed_renderings() -> dict[str, tuple[bytes, bytes]]:
    from gongkai.render.pdf import docx_to_pdf

    out = {}
    for path in SEEDS:
        docx = to_docx(report_page(parse_path(path)))
        out[path.name] = (docx, docx_to_pdf(docx))
    return out


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_seeds_read_back_identically(path: Path, seed_renderings) -> None:
    text = parse_path(path)
    docx, pdf = seed_renderings[path.name]
    assert differences(text, parse_bytes(docx)) == []
    assert differences(text, parse_bytes(pdf)) == []


def test_table_split_across_pages_is_one_table(seed_renderings) -> None:
    """Seed 004's table 3 breaks across pages with its three header rows repeated (Word's
    heading rows): one table, headers once, every row in order."""
    _, pdf = seed_renderings[next(p.name for p in SEEDS if p.name.startswith("004"))]
    blocks = read_pdf(pdf)
    cells = [b for b in blocks if b.cell and b.provenance.table == 2]
    assert len({b.provenance.page for b in cells}) >= 2
    assert sum(b.text == "申请人情况" for b in cells) == 1
    rows = [b.provenance.row for b in cells]
    assert rows == sorted(rows)


def test_stacked_header_characters_joined() -> None:
    """A narrow header cell whose label wraps one character per line reads as the label."""
    grid = Grid([[GridCell("结果维持"), GridCell("结果纠正"), GridCell("其他结果"), GridCell("很长的一列说明文字")],
                 [GridCell("1"), GridCell("2"), GridCell("3"), GridCell("4")]])
    from docx import Document as Docx
    from docx.shared import Cm

    doc = Docx(io.BytesIO(to_docx(Page(["表", grid]))))
    table = doc.tables[0]
    table.autofit = False
    for k, width in enumerate((Cm(0.8), Cm(0.8), Cm(0.8), Cm(12))):
        table.columns[k].width = width
        for cell in table.columns[k].cells:
            cell.width = width
    out = io.BytesIO()
    doc.save(out)
    from gongkai.render.pdf import docx_to_pdf

    blocks = [b for b in read_pdf(docx_to_pdf(out.getvalue())) if b.cell]
    assert [b.text for b in blocks] == ["结果维持", "结果纠正", "其他结果", "很长的一列说明文字", "1", "2", "3", "4"]
    assert blocks[0].provenance.bbox[3] - blocks[0].provenance.bbox[1] > 30  # really stacked


def test_encrypted_pdf() -> None:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, encrypt="secret")
    c.drawString(100, 700, "annual report")
    c.save()
    with pytest.raises(ReadError) as exc:
        read_bytes(out.getvalue())
    assert exc.value.code == "encrypted"
    assert "密码" in exc.value.message


def test_corrupt_pdf() -> None:
    with pytest.raises(ReadError) as exc:
        read_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 200)
    assert exc.value.code == "corrupt"


def test_image_only_pdf_without_ocr(monkeypatch) -> None:
    from PIL import Image

    from gongkai.read import ocr
    from gongkai.render.pdf import scanned_pdf

    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(ReadError) as exc:
        read_bytes(scanned_pdf([Image.new("RGB", (400, 300), "white")]))
    assert exc.value.code == "needs_ocr"
    assert "OCR" in exc.value.message
