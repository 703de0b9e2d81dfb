"""Hostile Word, PDF and picture files: zip bombs, entities, huge page counts and pictures — each refused
quickly with its code, in little memory."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from gongkai.read import ReadError, read_bytes, read_path
from gongkai.read import docx as docx_reader
from gongkai.read.docx import read_docx

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="word/document.xml"/></Relationships>')


def _docx(document: bytes | str, *, level: int = 6) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", document)
    return out.getvalue()


def _paragraph_doc(text: str) -> str:
    return f'<w:document {_W}><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>'


def _refused(data: bytes, code: str, *, peak_mib: int = 64) -> ReadError:
    """Read `data`; it must be refused with `code`, Python's allocations peaking under `peak_mib`."""
    tracemalloc.start()
    try:
        with pytest.raises(ReadError) as err:
            read_bytes(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.value.code == code, err.value.message
    assert peak < peak_mib * 2**20
    return err.value


# --- Word ----------------------------------------------------------------------------------------------


def test_a_plain_docx_still_reads():
    assert [b.text for b in read_docx(_docx(_paragraph_doc("年度报告")))] == ["年度报告"]


def test_zip_bomb_docx_is_refused_after_a_few_mib():
    zeros = _paragraph_doc("0" * (40 * 2**20))  # 40 MiB that compress 1,000 times
    err = _refused(_docx(zeros, level=9), "zip_bomb", peak_mib=16)
    assert "压缩炸弹" in err.message


def test_a_part_larger_than_the_limit_is_refused_before_decompressing(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(docx_reader, "MAX_PART_BYTES", 2**20)
    _refused(_docx(_paragraph_doc("年" * 2**20)), "zip_bomb")
    assert read_docx(_docx(_paragraph_doc("年" * 1000)))[0].text == "年" * 1000


def test_entity_expansion_in_word_xml_is_refused():
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    doc = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "哈">{laughs}]>'
           f'<w:document {_W}><w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>')
    err = _refused(_docx(doc), "unsafe_xml")
    assert "DTD" in err.message


def test_external_entities_in_word_xml_are_refused_and_never_read(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("机密 4242", encoding="utf-8")
    for decl in (f'<!ENTITY x SYSTEM "{secret.as_uri()}">', '<!ENTITY x SYSTEM "http://127.0.0.1:9/x">'):
        doc = (f'<?xml version="1.0"?><!DOCTYPE w:document [{decl}]>'
               f'<w:document {_W}><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>')
        err = _refused(_docx(doc), "unsafe_xml")
        assert "4242" not in err.message


def test_broken_deflate_stream_is_corrupt_not_a_traceback():
    data = bytearray(_docx(_paragraph_doc("年度报告" * 200)))
    start = data.index(b"word/document.xml") + len("word/document.xml")
    data[start + 20:start + 60] = b"\xff" * 40  # inside the compressed part
    with pytest.raises(ReadError) as err:
        read_bytes(bytes(data))
    assert err.value.code == "corrupt"


# --- PDF ------------------------------------------------------------------------------------------------


def test_pdf_of_20000_blank_pages_is_refused_at_once():
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument.new()
    for _ in range(20_000):
        pdf.new_page(100, 100).close()
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    err = _refused(out.getvalue(), "too_many_pages")
    assert "20000" in err.message


def test_huge_page_is_never_drawn_past_the_pixel_limit():
    pdfium = pytest.importorskip("pypdfium2")
    from gongkai.read.pdf import _render

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(14_400, 14_400).close()  # 200 inches square: 3.6 billion pixels at 300 dpi
    with pytest.raises(ReadError) as err:
        _render(pdf, 0, 300)
    assert err.value.code == "image_too_large"
    assert _render(pdf, 0, 5).size == (1000, 1000)  # within the limit it is drawn
    pdf.close()


# --- pictures --------------------------------------------------------------------------------------------


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height grey pixels, with one compressed row of data (a few bytes)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * (width + 1)))
            + chunk(b"IEND", b""))


def test_a_png_claiming_20000_squared_pixels_is_refused():
    from gongkai.read import ocr

    for size, shown in ((20_000, "图片过大，"), (10_000, "图片过大（10000 × 10000 像素）")):
        with pytest.raises(ReadError) as err:
            ocr._open_image(_png_claiming(size, size))
        assert err.value.code == "image_too_large"
        assert err.value.message.startswith(shown)
    if ocr.available():
        _refused(_png_claiming(20_000, 20_000), "image_too_large", peak_mib=16)


def test_pillow_bomb_limit_is_a_read_error(monkeypatch: pytest.MonkeyPatch):
    from gongkai.read import ocr

    monkeypatch.setattr(ocr, "MAX_IMAGE_PIXELS", 10**12)  # ours out of the way: Pillow's own refusal
    with pytest.raises(ReadError) as err:
        ocr._open_image(_png_claiming(20_000, 20_000))
    assert err.value.code == "image_too_large"


def test_a_huge_picture_beside_a_page_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from gongkai.read import ocr

    monkeypatch.setattr(ocr, "available", lambda: True)
    (tmp_path / "t.png").write_bytes(_png_claiming(20_000, 20_000))
    page = tmp_path / "report.html"
    page.write_text("<html><body><p>年度报告</p><img src='t.png'></body></html>", encoding="utf-8")
    doc = read_path(page)
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith("页面图片无法读取：t.png（图片过大")
