"""Recognise what a file is from its bytes, never from its name."""

from __future__ import annotations

import re

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OLE = "application/msword"
HTML = "text/html"
TEXT = "text/plain"

_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
_HTML_HINT = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|table|div|p|meta|title|span|td)\b", re.I)


def sniff(data: bytes) -> str:
    """The media type of `data`: PDF, Word (docx, or OLE for .doc/.wps), an image, HTML or plain text."""
    head = data[:8192].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return DOCX if b"word/" in data[:65536] or b"[Content_Types].xml" in data[:65536] else "application/zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    for magic, media_type in _IMAGES:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    hits = _HTML_HINT.findall(head[:4096])
    if (head.startswith(b"<") and hits) or len(hits) >= 3:
        return HTML
    return TEXT
