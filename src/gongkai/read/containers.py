"""Registers the container readers (PDF, Word, images) in `gongkai.read.CONTAINER_READERS`.

Imported lazily by `read_bytes`; each reader turns the file's bytes into blocks in reading order
(text lines, and table cells with their grid position, page, box and, when OCR'd, confidence).
"""

from __future__ import annotations

from gongkai.read import CONTAINER_READERS
from gongkai.read.detect import DOCX, OLE, PDF
from gongkai.read.docx import read_docx
from gongkai.read.image import IMAGE_TYPES, read_image
from gongkai.read.ole import read_ole
from gongkai.read.pdf import read_pdf

CONTAINER_READERS[PDF] = read_pdf
CONTAINER_READERS[DOCX] = read_docx
CONTAINER_READERS[OLE] = read_ole
for _media_type in IMAGE_TYPES:
    CONTAINER_READERS[_media_type] = read_image
