"""Word .docx (python-docx, merged cells) and legacy .doc/.wps through LibreOffice: rendered from
synthetic report data and from the seeds, read back cell for cell."""

from __future__ import annotations

import random
import shutil

import pytest

from gongkai import parse_bytes
from gongkai.read import ReadError, read_bytes
from gongkai.read.detect import DOCX, OLE, sniff
from gongkai.read.docx import read_docx
from gongkai.render.docx import Grid, GridCell, Page, differences, synthetic_page, to_docx
from gongkai.render.layouts import render_text
from gongkai.render.synthetic import synthesize
from tests.conftest import needs

needs_lo = needs(shutil.which("soffice") is not None, "LibreOffice not installed")


def _expected_cells(rep, report) -> None:
    """Every cell of the report equals the synthetic figure it was rendered from."""
    for table, rows in rep.values.items():
        data = report.table(table)
        assert data is not None, table
        for row, cols in rows.items():
            for col, value in cols.items():
                cell = data.cell(row, col)
                assert cell is not None, (table, row, col)
                assert cell.value == value, (table, row, col, cell.raw)


@pytest.mark.parametrize("format_id", ["2021", "2019"])
@pytest.mark.parametrize("seed", range(4))
def test_docx_round_trip_every_cell(format_id: str, seed: int) -> None:
    rep = synthesize(format_id, random.Random(seed))
    data = to_docx(synthetic_page(rep))
    assert sniff(data) == DOCX
    report = parse_bytes(data, "report.bin")  # recognised by content, not by name
    assert report.meta.format == format_id
    assert report.meta.organ == rep.organ and report.meta.year == rep.year
    _expected_cells(rep, report)
    assert differences(parse_bytes(render_text(rep, "cells").encode()), report) == []


def test_merged_cells_emitted_once_at_first_position() -> None:
    grid = Grid([[GridCell("A", rowspan=2, colspan=2), GridCell("B")], [GridCell("C")],
                 [GridCell("D"), GridCell(""), GridCell("E")]])
    blocks = [b for b in read_docx(to_docx(Page(["前言", grid, "后记"]))) if b.cell]
    got = [(b.text, b.provenance.row, b.provenance.col) for b in blocks]
    assert got == [("A", 1, 1), ("B", 1, 3), ("C", 2, 3), ("D", 3, 1), ("", 3, 2), ("E", 3, 3)]
    assert all(b.provenance.table == 1 for b in blocks)


def test_reading_order_text_and_tables() -> None:
    blocks = read_docx(to_docx(Page(["第一段", Grid([[GridCell("x"), GridCell("1")]]), "第二段"])))
    assert [(b.text, b.cell) for b in blocks] == [("第一段", False), ("x", True), ("1", True), ("第二段", False)]


def test_corrupt_docx() -> None:
    data = to_docx(Page(["文字"]))
    with pytest.raises(ReadError) as exc:
        read_bytes(data[: len(data) // 2])
    assert exc.value.code == "corrupt"


@needs_lo
def test_doc_and_wps_through_libreoffice() -> None:
    from gongkai.render.pdf import docx_to_doc

    rep = synthesize("2021", random.Random(7))
    doc = docx_to_doc(to_docx(synthetic_page(rep)))
    assert sniff(doc) == OLE
    for name in ("report.doc", "report.wps", "report"):
        report = parse_bytes(doc, name)
        _expected_cells(rep, report)


def test_converter_missing(monkeypatch) -> None:
    from gongkai.read import ole

    monkeypatch.setattr(ole, "soffice", lambda: None)
    with pytest.raises(ReadError) as exc:
        read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert exc.value.code == "converter_missing"
