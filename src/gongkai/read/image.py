"""Tables published as images: image files, and the <img> of an HTML page where the table should be."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from gongkai.read.document import Block, Document, ReadError

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/bmp", "image/tiff", "image/webp")


def read_image(data: bytes) -> list[Block]:
    from gongkai.read import ocr

    return ocr.read_image_bytes(data)


MAX_PICTURE_BYTES = 64 * 1024 * 1024
"""A picture beside a page larger than this is not read (a table picture is a few hundred KB)."""


def _inside(path: Path, base: Path) -> Path | None:
    """`path` with its links followed, when it is a regular file inside `base` (itself resolved); None
    otherwise, so `../../private/t.png`, an absolute path, or a link out of the folder is never opened,
    nor a device, a FIFO or a directory."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a loop of links
        return None
    if not real.is_relative_to(base):
        return None
    try:
        return real if real.is_file() else None
    except OSError:
        return None


def _resolve(src: str, base: Path) -> Path | None:
    """The file an <img src> names, inside the page's folder `base`: relative paths as given, URLs by
    their file name. Nothing outside `base` is ever returned (see `_inside`)."""
    parsed = urlparse(src)
    if parsed.scheme in ("data",):
        return None
    rel = unquote(parsed.path if parsed.scheme in ("http", "https", "file", "") else src).lstrip("/")
    if not rel or "\x00" in rel:
        return None
    try:
        root = base.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    for c in (root / rel, root / Path(rel).name):
        found = _inside(c, root)
        if found is not None:
            return found
    return None


def attach_images(doc: Document, base: Path) -> None:
    """OCR the pictures of an HTML page and insert their table cells where each <img> stood.

    Pictures that are not tables (logos, QR codes) give no cells and are skipped; a picture that
    cannot be found, or OCR that is not installed, leaves a warning on the document.
    """
    from gongkai.read import ocr

    tables = max((b.provenance.table or 0 for b in doc.blocks), default=0)
    inserts: list[tuple[int, list[Block]]] = []
    for ref in doc.images:
        path = _resolve(ref.src, base)
        if path is None:
            doc.warnings.append(f"页面图片未找到：{ref.src}")
            continue
        if not ocr.available():
            doc.warnings.append(f"页面中的图片（{ref.src}）可能是表格，需要 OCR（Tesseract）才能读取")
            continue
        try:
            if path.stat().st_size > MAX_PICTURE_BYTES:
                doc.warnings.append(f"页面图片过大（超过 {MAX_PICTURE_BYTES // 2**20} MiB），未读取：{ref.src}")
                continue
            image = ocr._open_image(path.read_bytes())
            if image.width < 200 or image.height < 80:
                continue  # icons, logos
            blocks = ocr.read_table_image(image, table=tables + 1)
        except (ReadError, OSError) as exc:
            doc.warnings.append(f"页面图片无法读取：{ref.src}（{exc}）")
            continue
        if len(blocks) < 4:
            continue
        tables += 1
        inserts.append((ref.position, blocks))
    for position, blocks in sorted(inserts, key=lambda t: t[0], reverse=True):
        doc.blocks[position:position] = blocks
