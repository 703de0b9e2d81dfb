"""Tables published as pictures: rendered to PNG from synthetic report data, read back by OCR
(Tesseract, offline) with the grid rebuilt from the ruling lines; every cell exact on clean
pictures, and every misread cell on degraded pictures doubtful (low confidence or a failed identity)."""

from __future__ import annotations

import random
import re

import pytest

from gongkai import parse_bytes
from gongkai.extract import extract
from gongkai.read import ReadError, read_bytes, read_path
from gongkai.read import ocr as ocr_mod
from gongkai.render.docx import differences, synthetic_page
from gongkai.render.image import degrade, png_bytes, table_image
from gongkai.render.layouts import render_html, render_text
from gongkai.render.synthetic import synthesize
from tests.conftest import needs

pytestmark = needs(ocr_mod.available(), "Tesseract with chi_sim not installed")
DOUBTFUL = 0.6


def _html_with_pictures(rep, tmp_path, pictures):
    """The report's HTML page with each table replaced by an <img> of it, files beside the page."""
    grids = synthetic_page(rep).grids
    counter = iter(range(len(grids)))

    def sub(_m: re.Match) -> str:
        k = next(counter)
        target = tmp_path / "images" / f"table{k}.png"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(png_bytes(pictures(grids[k])))
        return f'<p><img src="images/table{k}.png" alt="表{k + 2}"></p>'

    page = tmp_path / "report.html"
    page.write_text(re.sub(r"<table.*?</table>", sub, render_html(rep), flags=re.S), encoding="utf-8")
    return page


@pytest.mark.parametrize(("format_id", "seed"), [("2021", 3), ("2019", 4)])
def test_html_page_with_table_pictures_reads_every_cell(format_id, seed, tmp_path) -> None:
    rep = synthesize(format_id, random.Random(seed))
    page = _html_with_pictures(rep, tmp_path, table_image)
    doc = read_path(page)
    cells = [b for b in doc.blocks if b.cell]
    assert cells and all(b.provenance.confidence is not None for b in cells)
    report = extract(doc)
    assert differences(parse_bytes(render_text(rep, "cells").encode()), report) == []
    for table, rows in rep.values.items():
        for row, cols in rows.items():
            for col, value in cols.items():
                assert report.table(table).value(row, col) == value


def test_images_passed_in_another_directory(tmp_path) -> None:
    rep = synthesize("2021", random.Random(5))
    page = _html_with_pictures(rep, tmp_path, table_image)
    moved = tmp_path / "elsewhere"
    (tmp_path / "images").rename(moved)
    assert not [b for b in read_path(page).blocks if b.cell]  # not found beside the page: a warning
    assert any("未找到" in w for w in read_path(page).warnings)
    report = extract(read_path(page, images_dir=moved))
    assert report.requests is not None and not report.requests.missing()


def test_image_file_cells_exact_with_merged_cells() -> None:
    rep = synthesize("2021", random.Random(11))
    grid = synthetic_page(rep).grids[2]  # table 4: merged header cells
    blocks = read_bytes(png_bytes(table_image(grid)), "table.bin").blocks
    assert [b.text for b in blocks] == grid.cells()
    assert all(b.cell and b.provenance.bbox and b.provenance.confidence is not None for b in blocks)


def _identity_failures(grid_cells: list[str], read: list[str]) -> set[int]:
    """Indices of cells in a row of table 3 whose total is not the sum of its six applicant columns."""
    out: set[int] = set()
    k = 0
    while k < len(read):
        if grid_cells[k] and not re.fullmatch(r"\d*", grid_cells[k]) and k + 7 < len(read) + 1:
            row = list(range(k + 1, k + 8))
            if all(re.fullmatch(r"\d+", grid_cells[i] or "x") for i in row if i < len(grid_cells)):
                vals = [int(read[i]) if re.fullmatch(r"\d+", read[i]) else None for i in row]
                if None in vals or sum(vals[:6]) != vals[6]:
                    out.update(row)
        k += 1
    return out


def test_degraded_picture_doubtful_cells_flagged() -> None:
    rep = synthesize("2021", random.Random(1))
    grid = synthetic_page(rep).grids[1]
    image = degrade(table_image(grid), random.Random(0), scale=0.7)
    blocks = read_bytes(png_bytes(image)).blocks
    assert all(b.provenance.confidence is not None for b in blocks)
    expected = grid.cells()
    assert len(blocks) == len(expected)
    read = [b.text for b in blocks]
    failures = _identity_failures(expected, read)
    wrong = [k for k, (e, b) in enumerate(zip(expected, blocks, strict=True)) if e != b.text]
    assert wrong, "a degraded picture should not read perfectly in this test"
    unflagged = [(expected[k], read[k]) for k in wrong
                 if blocks[k].provenance.confidence >= DOUBTFUL and k not in failures
                 and re.fullmatch(r"\d+", expected[k])]
    assert unflagged == []
    assert sum(b.provenance.confidence < DOUBTFUL for b in blocks) > 0


def test_scanned_pdf_page_tables_read() -> None:
    from PIL import Image

    from gongkai.render.pdf import scanned_pdf

    rep = synthesize("2021", random.Random(2))
    grid = synthetic_page(rep).grids[2]
    table = table_image(grid)
    page = Image.new("L", (table.width + 200, table.height + 600), 255)
    page.paste(table, (100, 300))
    blocks = read_bytes(scanned_pdf([page], dpi=150)).blocks
    assert [b.text for b in blocks if b.cell] == grid.cells()
    assert all(b.provenance.page == 1 for b in blocks)


def test_ocr_missing_gives_clear_error(monkeypatch) -> None:
    monkeypatch.setattr(ocr_mod, "available", lambda: False)
    with pytest.raises(ReadError) as exc:
        read_bytes(png_bytes(table_image(synthetic_page(synthesize("2021", random.Random(1))).grids[2])))
    assert exc.value.code == "needs_ocr"


def test_corrupt_image() -> None:
    with pytest.raises(ReadError) as exc:
        read_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert exc.value.code == "corrupt"
