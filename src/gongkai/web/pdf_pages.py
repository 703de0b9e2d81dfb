"""A stored PDF's pages as pictures for the 报告 page: `GET /reports/{id}/pages/{n}.png`, and the size of
every page (`page_sizes`) so that report.js can draw a cell's bounding box over its page.

The original is untrusted: it is opened and drawn only in a bounded worker process (gongkai.bounded:
a time and a memory limit, killed when over), never in the web process; at most `MAX_PAGES` pages, each
drawn at `SCALE` or smaller so that a picture has at most `MAX_PIXELS` pixels and `MAX_SIDE` pixels a side.
Pictures and page sizes are kept in small in-process LRU caches by (SHA-256, page): an original never
changes under its SHA-256.

Coordinates. The reader gives a cell's box in PDF points from the top left (x0, top, x1, bottom): for a
page with a text layer, x in the page's own space and top from the media box's top, unrotated; for a
scanned page (OCR), from the top left of the page as drawn (crop box, rotation applied). pdfium draws the
crop box with the page's rotation. Each page therefore carries the offsets (`x0`, `y0`) and the rotation
(`rotate`) that take a text page's boxes onto its picture (0 for scans and for ordinary pages).
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response
from sqlalchemy import select

from gongkai.store import Store, originals, reports
from gongkai.web.auth import require_reader
from gongkai.web.deps import get_store

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_reader)])
StoreDep = Annotated[Store, Depends(get_store)]

PDF = "application/pdf"
SCALE = 1.5  # pixels per point: 893 × 1263 pixels for an A4 page
MAX_PIXELS = 3_000_000
MAX_SIDE = 3000
RENDER_TIMEOUT = 20.0  # seconds (bounded.Limits gives PDFs twice this and more by size)
MAX_RENDERS = 4  # pages drawn at the same time (each in its own worker process)
MIN_TEXT_CHARS = 8  # as gongkai.read.pdf: fewer characters on a page means a scan read by OCR

K = TypeVar("K")
V = TypeVar("V")


class _LRU(Generic[K, V]):
    """A small thread-safe least-recently-used cache, bounded by entries and by total size."""

    def __init__(self, entries: int, max_bytes: int = 0) -> None:
        self.entries, self.max_bytes = entries, max_bytes
        self.items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self.lock:
            found = self.items.get(key)
            if found is None:
                return None
            self.items.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V, size: int = 0) -> None:
        with self.lock:
            if key in self.items:
                self.size -= self.items.pop(key)[1]
            self.items[key] = (value, size)
            self.size += size
            while len(self.items) > self.entries or (self.max_bytes and self.size > self.max_bytes
                                                     and len(self.items) > 1):
                self.size -= self.items.popitem(last=False)[1][1]


@dataclass(frozen=True)
class PageSize:
    """One page as drawn: size in points (rotation applied), offsets and rotation taking the reader's boxes
    onto it, and the picture's size in pixels (for the <img> before it loads)."""

    number: int
    width: float
    height: float
    x0: float
    y0: float
    rotate: int
    pixel_width: int
    pixel_height: int


_PICTURES: _LRU[tuple[str, int], bytes] = _LRU(48, 48 << 20)
_SIZES: _LRU[str, list[PageSize]] = _LRU(64)
_RENDERING = threading.BoundedSemaphore(MAX_RENDERS)


def scale_for(width: float, height: float) -> float:
    """Pixels per point for a page of `width` × `height` points: `SCALE`, less for a huge page."""
    if width <= 0 or height <= 0:
        return SCALE
    return min(SCALE, (MAX_PIXELS / (width * height)) ** 0.5, MAX_SIDE / max(width, height))


# --- in the worker process --------------------------------------------------------------------------------

def _open(data: bytes):  # type: ignore[no-untyped-def]
    """The document, or a message (Chinese) why it cannot be shown."""
    import pypdfium2 as pdfium

    from gongkai.read.pdf import MAX_PAGES

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        return f"PDF 文件无法打开：{exc}"
    if len(pdf) > MAX_PAGES:
        count = len(pdf)
        pdf.close()
        return f"PDF 共 {count} 页，超过 {MAX_PAGES} 页的上限"
    return pdf


def _chars(page: Any) -> int:
    textpage = page.get_textpage()
    try:
        return textpage.count_chars()
    finally:
        textpage.close()


def _size(page: Any, number: int) -> PageSize:
    try:
        width, height = page.get_size()  # crop box, rotation applied: what pdfium draws
        rotate = page.get_rotation() % 360
        left, _bottom, _right, top = page.get_bbox()
        x0, y0 = left, page.get_mediabox()[3] - top
        if (x0 or y0 or rotate) and _chars(page) < MIN_TEXT_CHARS:
            x0 = y0 = rotate = 0  # a scan: OCR boxes are already on the page as drawn
    finally:
        page.close()
    s = scale_for(width, height)
    return PageSize(number, round(width, 2), round(height, 2), round(x0, 2), round(y0, 2), rotate,
                    max(1, round(width * s)), max(1, round(height * s)))


def _sizes_worker(data: bytes) -> list[PageSize] | str:
    pdf = _open(data)
    if isinstance(pdf, str):
        return pdf
    try:
        return [_size(pdf[i], i + 1) for i in range(len(pdf))]
    finally:
        pdf.close()


def _render_worker(item: tuple[bytes, int]) -> bytes | str:
    """Page `n` (from 1) as PNG, or a message."""
    data, n = item
    pdf = _open(data)
    if isinstance(pdf, str):
        return pdf
    try:
        if not 1 <= n <= len(pdf):
            return f"PDF 没有第 {n} 页"
        page = pdf[n - 1]
        try:
            image = page.render(scale=scale_for(*page.get_size())).to_pil()
        finally:
            page.close()
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()
    finally:
        pdf.close()


# --- in the web process -----------------------------------------------------------------------------------

def _bounded(work: Any, item: Any, data: bytes) -> Any:
    """`work(item)` in a bounded worker process: its result, or a message when it failed or was killed."""
    from gongkai.bounded import Failed, Limits, Supervisor

    sup: Supervisor[Any, Any] = Supervisor(work, workers=1, limits=Limits(timeout=RENDER_TIMEOUT),
                                           describe=lambda _item: (None, len(data), data[:512]))
    try:
        results = [res for _index, res in sup.run([item])]
    finally:
        sup.close()
    result = results[0] if results else "没有结果"
    return result.message if isinstance(result, Failed) else result


def _located(store: Store, report_id: int) -> tuple[str, str] | None:
    """(SHA-256, media type) of the report's original, None when there is no such report."""
    o, r = originals.c, reports.c
    with store.reading() as conn:
        row = conn.execute(select(o.sha256, o.media_type).select_from(originals.join(reports, r.sha256 == o.sha256))
                           .where(r.id == report_id)).first()
    return None if row is None else (row.sha256, row.media_type)


def _content(store: Store, sha256: str) -> bytes:
    with store.reading() as conn:
        return bytes(conn.execute(select(originals.c.content).where(originals.c.sha256 == sha256)).scalar_one())


def _sizes_of(store: Store, sha256: str) -> list[PageSize]:
    cached = _SIZES.get(sha256)
    if cached is not None:
        return cached
    data = _content(store, sha256)
    result = _bounded(_sizes_worker, data, data)
    sizes = result if isinstance(result, list) else []
    if isinstance(result, list):  # a failure (timeout) may pass: tried again next time
        _SIZES.put(sha256, sizes)
    return sizes


def page_sizes(store: Store, report_id: int) -> list[PageSize]:
    """The pages of a PDF report, in order (empty for another medium or a PDF that cannot be opened)."""
    found = _located(store, report_id)
    if found is None or found[1] != PDF:
        return []
    return _sizes_of(store, found[0])


@router.get("/reports/{report_id}/pages/{n}.png", name="report_page_image")
def report_page_image(report_id: int, n: int, store: StoreDep) -> Response:
    """Page `n` (from 1) of a PDF report as a PNG picture."""
    found = _located(store, report_id)
    if found is None:
        raise HTTPException(404, f"库中没有报告 {report_id}")
    sha256, media_type = found
    if media_type != PDF:
        raise HTTPException(404, f"报告 {report_id} 的原件不是 PDF，没有页面图像")
    picture = _PICTURES.get((sha256, n))
    if picture is None:
        count = len(_sizes_of(store, sha256))
        if not 1 <= n <= count:
            raise HTTPException(404, f"报告 {report_id} 没有第 {n} 页（共 {count} 页）")
        data = _content(store, sha256)
        with _RENDERING:
            result = _bounded(_render_worker, (data, n), data)
        if isinstance(result, str):
            raise HTTPException(422, f"第 {n} 页无法绘制：{result}")
        picture = result
        _PICTURES.put((sha256, n), picture, len(picture))
    return Response(picture, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
