"""Render reports into PDF: the .docx of `render.docx` converted by LibreOffice (a text PDF, with
ruling lines and CJK fonts from fonts-noto-cjk), or table images put on pages (a scanned PDF)."""

from __future__ import annotations

import io

from gongkai.read.ole import convert
from gongkai.render.docx import Page, to_docx


def docx_to_pdf(docx: bytes) -> bytes:
    return convert(docx, ".docx", "pdf:writer_pdf_Export")


def to_pdf(page: Page) -> bytes:
    """A text PDF of the page, through Word: as most published reports are made."""
    return docx_to_pdf(to_docx(page))


def docx_to_doc(docx: bytes) -> bytes:
    """A legacy Word 97 .doc of the same document (an OLE file, as .doc and .wps are)."""
    return convert(docx, ".docx", "doc:MS Word 97")


def scanned_pdf(images: list, dpi: int = 200) -> bytes:
    """A PDF with one image per page and no text layer, as a scanner makes."""
    out = io.BytesIO()
    first, *rest = [im.convert("RGB") for im in images]
    first.save(out, "PDF", resolution=dpi, save_all=True, append_images=rest)
    return out.getvalue()
