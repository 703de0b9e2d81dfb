"""PDF: text lines with their positions, and table grids rebuilt from ruling lines.

pdfium (pypdfium2) gives characters with positions and the page's ruling lines, which pdfplumber's
table finder and line grouping read. Tables are found from the lines (their cells, merged cells
included, once each at their first grid position); the text around them becomes lines in reading
order, with a paragraph wrapped over several lines joined again. A table continued on the next page
(same columns) is one table, its repeated header rows dropped. Header characters stacked vertically
in a narrow cell are joined into one label. Table rows without ruling lines are left as text lines
(`一、本年新收… 103 4 0 …`), which extraction reads as rows. Pages without text (scans) are OCR'd
when Tesseract is installed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from gongkai.model import Provenance
from gongkai.read.document import Block, ReadError

_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3,
                   "join_tolerance": 3, "intersection_tolerance": 3}
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）])")
_ENDS_SENTENCE = re.compile(r"[：:]$")
_COL_TOLERANCE = 2.5
_SPACE_RATIO = 0.25
"""A gap under a quarter of the font size is not a space (LibreOffice's spacing between CJK and digits)."""
MIN_TEXT_CHARS = 8
"""A page with fewer characters than this has no text layer worth reading: it is a scan."""
MAX_PAGES = 1000
"""A PDF with more pages than this is refused before any page is read (`too_many_pages`): annual reports
have tens of pages, and 20,000 blank pages would hold a worker for minutes."""


@dataclass
class _Line:
    text: str
    page: int
    bbox: tuple[float, float, float, float]
    size: float
    confidence: float | None = None  # OCR'd lines only


_Box = tuple[float, float, float, float]
_Cell = tuple[str, _Box, float | None, bool]
"""A table cell: text, box, confidence when OCR'd, and whether it is an OCR'd label still to be
matched to the formats' labels (after a row broken by the page is joined again)."""


@dataclass
class _Table:
    page: int
    columns: list[float]
    rows: list[list[_Cell | None]]
    continued: list[tuple[int, int]] = field(default_factory=list)  # (page, first row index) of each part


def _open(data: bytes):  # type: ignore[no-untyped-def]
    try:
        import pypdfium2 as pdfium
        import pypdfium2.raw as pdfium_c
    except ImportError as exc:  # pragma: no cover - installed with the package (pdfplumber needs it)
        raise ReadError("reader_missing", "缺少读取 PDF 所需的 pypdfium2") from exc
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise ReadError("encrypted", "PDF 文件设有打开密码（已加密），无法读取；请提供未加密的文件") from exc
        raise ReadError("corrupt", f"PDF 文件已损坏，无法打开：{exc}".strip()) from exc


@dataclass
class _Page:
    """A page as pdfplumber's table finder and line grouping read it (its `chars`, `edges` and `bbox`),
    taken from pdfium: pdfminer's parsing of the page in pure Python took five sixths of the time of
    reading a text PDF. Positions are in pdfplumber's terms, points from the page's top left."""
    number: int
    bbox: tuple[float, float, float, float]
    chars: list[dict]
    edges: list[dict]
    images: list[dict]

    @property
    def width(self) -> float:
        return self.bbox[2] - self.bbox[0]

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]


def _load_page(doc, index: int) -> _Page:  # type: ignore[no-untyped-def]
    import pypdfium2.raw as c

    page = doc[index]
    try:
        x0, y0, x1, y1 = page.get_mediabox()
        top = y1
        textpage = page.get_textpage()
        try:
            chars = _chars(textpage.raw, top)
        finally:
            textpage.close()
        edges: list[dict] = []
        images: list[dict] = []
        n = c.FPDFPage_CountObjects(page.raw)
        _objects([c.FPDFPage_GetObject(page.raw, k) for k in range(n)], None, top, edges, images)
    finally:
        page.close()
    return _Page(index + 1, (x0, 0.0, x1, y1 - y0), chars, edges, images)


def _chars(tp, top: float) -> list[dict]:  # type: ignore[no-untyped-def]
    """The page's characters as pdfplumber's char dicts: from the baseline up by the font size, as
    wide as the character's advance. The line ends pdfium adds are left out; the spaces it adds stay
    (it puts them in place of the text's own spaces)."""
    import ctypes

    import pypdfium2.raw as c

    rect, matrix = c.FS_RECTF(), c.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    left, right, bottom, upper = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    p_rect, p_matrix, p_ox, p_oy = ctypes.byref(rect), ctypes.byref(matrix), ctypes.byref(ox), ctypes.byref(oy)
    unicode, generated, get_matrix = c.FPDFText_GetUnicode, c.FPDFText_IsGenerated, c.FPDFText_GetMatrix
    origin, loose, font_size = c.FPDFText_GetCharOrigin, c.FPDFText_GetLooseCharBox, c.FPDFText_GetFontSize
    n = c.FPDFText_CountChars(tp)
    buffer = ctypes.create_string_buffer(2 * (n + 1))
    got = c.FPDFText_GetText(tp, 0, n, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))) if n else 0
    text = buffer.raw[:2 * max(0, got - 1)].decode("utf-16-le", "replace")
    codes = [ord(t) for t in text] if len(text) == n else [unicode(tp, i) for i in range(n)]  # one call a page
    out = []
    for i, code in enumerate(codes):
        if code in (0, 0xFFFE, 0xFFFF) or (code != 0x20 and code < 0x20 and generated(tp, i) == 1):
            continue
        if not get_matrix(tp, i, p_matrix) or not origin(tp, i, p_ox, p_oy) or not loose(tp, i, p_rect):
            continue
        upright = matrix.a * matrix.d > 0 and matrix.b * matrix.c <= 0
        size = font_size(tp, i) * (abs(matrix.d) if upright else abs(matrix.c) or abs(matrix.b))
        x0, x1 = rect.left, rect.right
        if x1 - x0 > 1.5 * size:  # pdfium gave the text object's box: the glyph's own right edge
            c.FPDFText_GetCharBox(tp, i, ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom),
                                  ctypes.byref(upper))
            x1 = max(x0, right.value)
        y = oy.value
        base = top - y
        out.append({"object_type": "char", "text": chr(code), "x0": x0, "x1": x1, "top": base - size,
                    "bottom": base, "doctop": base - size, "y0": y, "y1": y + size,
                    "width": x1 - x0, "height": size, "size": size, "upright": upright})
    return out


def _objects(objs: list, parent: tuple | None, top: float, edges: list[dict], images: list[dict]) -> None:
    """Ruling lines (the horizontal and vertical straight segments of painted paths, as pdfplumber's
    edges) and pictures (box and pixel size) among a page's objects, inside form objects too."""
    import ctypes

    import pypdfium2.raw as c

    m = c.FS_MATRIX()
    for obj in objs:
        kind = c.FPDFPageObj_GetType(obj)
        if kind not in (c.FPDF_PAGEOBJ_PATH, c.FPDF_PAGEOBJ_IMAGE, c.FPDF_PAGEOBJ_FORM):
            continue
        c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m))
        mat = _compose((m.a, m.b, m.c, m.d, m.e, m.f), parent)
        if kind == c.FPDF_PAGEOBJ_FORM:
            n = c.FPDFFormObj_CountObjects(obj)
            _objects([c.FPDFFormObj_GetObject(obj, k) for k in range(n)], mat, top, edges, images)
        elif kind == c.FPDF_PAGEOBJ_IMAGE:
            w, h = ctypes.c_uint(), ctypes.c_uint()
            c.FPDFImageObj_GetImagePixelSize(obj, ctypes.byref(w), ctypes.byref(h))
            corners = [_apply(mat, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]  # the unit square
            xs, ys = [p[0] for p in corners], [p[1] for p in corners]
            images.append({"x0": min(xs), "x1": max(xs), "top": top - max(ys), "bottom": top - min(ys),
                           "srcsize": (w.value, h.value)})
        else:
            _path_edges(obj, mat, top, edges)


def _path_edges(obj, mat: tuple, top: float, edges: list[dict]) -> None:  # type: ignore[no-untyped-def]
    import ctypes

    import pypdfium2.raw as c

    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke)) or (not fill.value
                                                                                     and not stroke.value):
        return
    x, y = ctypes.c_float(), ctypes.c_float()
    start = prev = None
    for k in range(c.FPDFPath_CountSegments(obj)):
        seg = c.FPDFPath_GetPathSegment(obj, k)
        c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
        point = _apply(mat, x.value, y.value)
        kind = c.FPDFPathSegment_GetType(seg)
        if kind == c.FPDF_SEGMENT_MOVETO:
            start = prev = point
            continue
        if kind == c.FPDF_SEGMENT_LINETO and prev is not None:
            _edge(prev, point, top, edges)
        prev = point
        if c.FPDFPathSegment_GetClose(seg) and start is not None:
            _edge(point, start, top, edges)
            prev = start


def _edge(a: tuple[float, float], b: tuple[float, float], top: float, edges: list[dict]) -> None:
    """A straight segment as pdfplumber's edge when it is horizontal or vertical."""
    (ax, ay), (bx, by) = a, b
    if abs(ay - by) < 0.01 and abs(ax - bx) >= 0.01:
        x0, x1 = sorted((ax, bx))
        edges.append({"object_type": "line", "orientation": "h", "x0": x0, "x1": x1, "width": x1 - x0,
                      "top": top - ay, "bottom": top - ay, "height": 0.0})
    elif abs(ax - bx) < 0.01 and abs(ay - by) >= 0.01:
        t, bottom = sorted((top - ay, top - by))
        edges.append({"object_type": "line", "orientation": "v", "x0": ax, "x1": ax, "width": 0.0,
                      "top": t, "bottom": bottom, "height": bottom - t})


def _compose(m: tuple, parent: tuple | None) -> tuple:
    """Matrix `m` then `parent` (an object inside a form object)."""
    if parent is None:
        return m
    a, b, c, d, e, f = m
    pa, pb, pc, pd, pe, pf = parent
    return (a * pa + b * pc, a * pb + b * pd, c * pa + d * pc, c * pb + d * pd,
            e * pa + f * pc + pe, e * pb + f * pd + pf)


def _apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _cell_text(text: str | None) -> str:
    """Lines inside a cell joined without a break (wrapped labels, characters stacked vertically)."""
    if not text:
        return ""
    return "".join(line.strip() for line in text.split("\n")).strip()


def _page_tables(page: _Page, number: int) -> list[tuple[float, _Table]]:
    from pdfplumber.table import TableFinder, TableSettings

    out = []
    tables = TableFinder(page, TableSettings.resolve(_TABLE_SETTINGS)).tables  # type: ignore[arg-type]
    if not tables:
        return out
    centres = sorted(((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, k, c) for k, c in enumerate(page.chars))
    ys = [c[0] for c in centres]
    for t in tables:
        texts = [[None if bbox is None else _text_in(bbox, centres, ys) for bbox in row.cells] for row in t.rows]
        rows = []
        columns: set[float] = set()
        for row, row_texts in zip(t.rows, texts, strict=False):
            cells: list[_Cell | None] = []
            for bbox, txt in zip(row.cells, row_texts, strict=False):
                if bbox is None:
                    cells.append(None)
                    continue
                columns.update((round(bbox[0], 1), round(bbox[2], 1)))
                cells.append((_cell_text(txt), tuple(round(v, 2) for v in bbox), None, False))  # type: ignore[arg-type]
            rows.append(cells)
        if len(rows) < 1 or (max((sum(c is not None for c in r) for r in rows), default=0) < 2 and len(rows) < 2):
            continue  # a box drawn around text, not a table
        out.append((t.bbox[1], _Table(number, sorted(columns), rows)))
    return out


def _text_in(bbox: tuple[float, float, float, float], centres: list, ys: list[float]) -> str:
    """The text of the characters centred in a cell (as pdfplumber's `Table.extract`, without testing
    every character of the page against every cell)."""
    from bisect import bisect_left

    from pdfplumber.utils import extract_text

    x0, top, x1, bottom = bbox
    chars = [c for c in centres[bisect_left(ys, top):bisect_left(ys, bottom)] if x0 <= c[1] < x1]
    if not chars:
        return ""
    chars.sort(key=lambda c: c[2])
    objs = [c[3] for c in chars]
    word = _one_word(objs)
    return extract_text(objs, x_tolerance_ratio=_SPACE_RATIO) if word is None else word


def _one_word(chars: list[dict]) -> str | None:
    """The text of characters that pdfplumber's `extract_text` reads as one word on one line (most
    cells: a figure, a short label, maybe a space before or after it), without building its text map;
    None for anything else."""
    from pdfplumber.utils.text import LIGATURES

    line = sorted((c for c in chars if not c["text"].isspace()), key=lambda c: c["x0"])
    if not line:
        return None
    first, last = line[0]["x0"], line[-1]["x0"]
    if any(first <= c["x0"] <= last for c in chars if c["text"].isspace()):  # a space inside the word
        return None
    tops = sorted(c["top"] for c in line)
    if any(b - a > 3 for a, b in itertools.pairwise(tops)):  # more than one line (y_tolerance 3)
        return None
    prev = line[0]
    for c in line:
        if not c["upright"] or c["text"] in LIGATURES:
            return None
        if c is not prev and (c["x0"] > prev["x1"] + _SPACE_RATIO * prev["size"] or abs(c["top"] - prev["top"]) > 3):
            return None
        prev = c
    return "".join(c["text"] for c in line)


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)


def _page_lines(page: _Page, number: int, boxes: list) -> list[tuple[float, _Line]]:
    from pdfplumber.utils import chars_to_textmap

    chars = [c for c in page.chars if not _inside(c, boxes)] if boxes else page.chars
    textmap = chars_to_textmap(chars, layout_bbox=page.bbox, layout_width=page.width, layout_height=page.height,
                               x_tolerance_ratio=_SPACE_RATIO)
    out = []
    for ln in textmap.extract_text_lines(strip=True, return_chars=True):
        chars = ln.get("chars") or []
        size = max((c.get("size", 10) for c in chars), default=10.0)
        text = ln["text"]
        if text.strip():
            out.append((ln["top"], _Line(text, number, (ln["x0"], ln["top"], ln["x1"], ln["bottom"]), size)))
    return out


def _near(x: float, xs: list[float]) -> bool:
    return any(abs(x - y) <= _COL_TOLERANCE for y in xs)


def _same_columns(a: _Table, b: _Table) -> bool:
    """The same table's columns: same outer edges, and the column edges of one part all in the other
    (a part may lack an edge no cell of it starts at, such as a sub-label column)."""
    small, large = sorted((a.columns, b.columns), key=len)
    return (len(small) >= 2 and abs(small[0] - large[0]) <= _COL_TOLERANCE
            and abs(small[-1] - large[-1]) <= _COL_TOLERANCE and all(_near(x, large) for x in small))


def _row_texts(row: list) -> list[str]:
    return [_label(c)[0] for c in row if c is not None]


def _label(cell: _Cell) -> tuple[str, float | None]:
    """The cell's text and confidence; an OCR'd label as the formats' label it reads as."""
    text, _, confidence, label = cell
    if not label or confidence is None:
        return text, confidence
    from gongkai.read.ocr import snapped

    return snapped(text, confidence)


def _continue(prev: _Table, nxt: _Table) -> None:
    """Append a table continued on the next page, without the header rows it repeats."""
    drop = 0
    while (drop < len(nxt.rows) - 1 and drop < len(prev.rows)
           and _row_texts(nxt.rows[drop]) == _row_texts(prev.rows[drop])
           and (drop > 0 or any(t.strip() for t in _row_texts(nxt.rows[drop])))):
        drop += 1
    rows = nxt.rows[drop:]
    if rows and _rejoin_split_row(prev, rows[0]):
        rows = rows[1:]
    prev.continued.append((nxt.page, len(prev.rows)))
    prev.rows.extend(rows)


def _rejoin_split_row(prev: _Table, first: list[_Cell | None]) -> bool:
    """A row broken by the page (the rest of a wrapped label, or of a header, at the top of the next
    page): its text appended to the cells above it. It is a broken row when every text in it falls
    under a cell that reaches the bottom of the previous part, no figure meets another figure or
    label, and no label in it is whole by itself (a format label, or an item number such as `8.`)."""
    if not prev.rows:
        return False
    bottom = max(c[1][3] for c in prev.rows[-1] if c is not None) if any(prev.rows[-1]) else None
    if bottom is None:
        return False
    targets: list[tuple[int, int, str]] = []
    for cell in first:
        if cell is None or not cell[0]:
            continue
        x0, x1 = cell[1][0], cell[1][2]
        spot = next(((r, c) for r in range(len(prev.rows) - 1, -1, -1) for c, above in enumerate(prev.rows[r])
                     if above is not None and abs(above[1][0] - x0) <= _COL_TOLERANCE
                     and abs(above[1][2] - x1) <= _COL_TOLERANCE and abs(above[1][3] - bottom) <= _COL_TOLERANCE),
                    None)
        if spot is None:
            return False
        above_text = prev.rows[spot[0]][spot[1]][0]  # type: ignore[index]
        if _FIGURE.match(cell[0]) and above_text:
            return False
        if above_text and (_FIGURE.match(above_text) or _whole_label(cell[0])):
            return False
        targets.append((spot[0], spot[1], cell))
    for r, c, rest in targets:
        above = prev.rows[r][c]
        assert above is not None
        confs = [v for v in (above[2], rest[2]) if v is not None]
        prev.rows[r][c] = (above[0] + rest[0], above[1], min(confs) if confs else None, above[3] or rest[3])
    return True


_FIGURE = re.compile(r"^[-+−]?[\d,.，．]+(?:万元|万|元|%)?$")
_ITEM = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、])")


def _whole_label(text: str) -> bool:
    """A label that stands by itself: an item number starts it, or it is one of the formats' labels."""
    from gongkai.read.ocr import label_known

    return bool(_ITEM.match(text)) or label_known(text)


def _joins(prev: _Line, nxt: _Line, right: float) -> bool:
    """A line that runs to the right margin is continued by the next one (a wrapped paragraph)."""
    if _HEADING.match(nxt.text) or _ENDS_SENTENCE.search(prev.text):
        return False
    full = right - prev.bbox[2] <= 2.5 * prev.size
    return full and len(prev.text) >= 8 and abs(nxt.size - prev.size) < 0.6


def _table_blocks(table: _Table, index: int) -> list[Block]:
    blocks = []
    parts = [*table.continued]
    for r, row in enumerate(table.rows):
        page = table.page
        for p, first in parts:
            if r >= first:
                page = p
        for c, cell in enumerate(row):
            if cell is None:
                continue
            text, confidence = _label(cell)
            bbox = cell[1]
            prov = Provenance(page=page, table=index, row=r + 1, col=c + 1, bbox=bbox, confidence=confidence)
            blocks.append(Block(text, prov, cell=True))
    return blocks


def read_pdf(data: bytes) -> list[Block]:
    pdf = _open(data)
    if len(pdf) > MAX_PAGES:
        count = len(pdf)
        pdf.close()
        raise ReadError("too_many_pages", f"PDF 共 {count} 页，超过 {MAX_PAGES} 页的上限，不像一份年度报告，未读取")
    items: list[_Line | _Table] = []
    scanned: list[int] = []
    pages: list[object] = []
    try:
        with ThreadPoolExecutor(max_workers=OCR_WORKERS) as pool:
            for number in range(1, len(pdf) + 1):
                try:
                    page = _load_page(pdf, number - 1)
                except Exception as exc:
                    raise ReadError("corrupt", f"PDF 第{number}页已损坏，无法读取：{exc}") from exc
                if len(page.chars) < MIN_TEXT_CHARS:
                    scanned.append(number)
                    pages.append(_ocr_page(pdf, page, pool))  # rendered here, read in the pool
                else:
                    tables = _page_tables(page, number)
                    boxes = [(t.rows and _bbox(t)) for _, t in tables]
                    pages.append((tables, _page_lines(page, number, boxes)))
            for number, content in enumerate(pages, 1):
                tables, lines = content() if callable(content) else content  # type: ignore[misc]
                _place(items, number, tables, lines)
    finally:
        pdf.close()
    if scanned and len(scanned) == len(pages) and not items:
        raise ReadError("empty", "PDF 没有可读取的文字（扫描件中未识别出文字）")
    return _blocks(items)


def _place(items: list[_Line | _Table], number: int, tables: list[tuple[float, _Table]],
           lines: list[tuple[float, _Line]]) -> None:
    """A page's tables and lines in reading order after the pages before it; a table that goes on
    from the previous page with the same columns joins it."""
    placed: list[tuple[float, int, _Line | _Table]] = [(y, 1, t) for y, t in tables]
    placed += [(y, 0, ln) for y, ln in lines]
    placed.sort(key=lambda p: (p[0], p[1]))
    for k, (_, _, item) in enumerate(placed):
        prev = items[-1] if items else None
        if (k == 0 and isinstance(item, _Table) and isinstance(prev, _Table)
                and prev.page < number and _same_columns(prev, item)):
            _continue(prev, item)
            continue
        items.append(item)


def _bbox(t: _Table) -> tuple[float, float, float, float]:
    boxes = [c[1] for row in t.rows for c in row if c is not None]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _scan_dpi(page: _Page) -> float:
    """The resolution the page's picture was scanned at (read at that size: no resampling blur)."""
    from gongkai.read import ocr

    dpis = [img["srcsize"][0] / ((img["x1"] - img["x0"]) / 72) for img in page.images
            if img.get("srcsize") and img["x1"] - img["x0"] > page.width / 3]
    return min(400.0, max(100.0, max(dpis))) if dpis else float(ocr.SCAN_DPI)


_Content = tuple[list[tuple[float, _Table]], list[tuple[float, _Line]]]
OCR_WORKERS = 2
"""Scanned pages read at the same time (each Tesseract run is one process on one core)."""


def _ocr_page(pdf, page: _Page, pool: ThreadPoolExecutor) -> Callable[[], _Content]:  # type: ignore[no-untyped-def]
    """A page without a text layer: rendered at its scan resolution now (pdfium is not thread-safe),
    read by OCR in the pool; the result gives its tables and lines in PDF points like a text page."""
    from gongkai.read import ocr

    if not ocr.available():
        raise ReadError("needs_ocr", "PDF 是扫描件（只有图像，没有文字层），需要 OCR：请安装 Tesseract 及其简体中文数据"
                        "（tesseract-ocr、tesseract-ocr-chi-sim）")
    if not page.images:
        return lambda: ([], [])
    dpi = _scan_dpi(page)
    if page.width * page.height * (dpi / 72) ** 2 > ocr.MAX_IMAGE_PIXELS:  # a huge page: drawn smaller to fit
        dpi = max(72.0, 72 * (ocr.MAX_IMAGE_PIXELS / (page.width * page.height)) ** 0.5 * 0.999)
    number = page.number
    future = pool.submit(ocr.read_scan, _render(pdf, number - 1, dpi), dpi)
    return lambda: _scan_items(*future.result(), number=number, dpi=dpi)


def _render(pdf, index: int, dpi: float):  # type: ignore[no-untyped-def]
    """The page as a picture, drawn as pdfplumber's `to_image` draws it (no anti-aliasing: the
    scan's own pixels)."""
    from gongkai.read import ocr

    page = pdf[index]
    try:
        width, height = page.get_size()
        ocr.check_pixels(width * dpi / 72, height * dpi / 72)
        return page.render(scale=dpi / 72, no_smoothtext=True, no_smoothpath=True, no_smoothimage=True,
                           prefer_bgrx=True).to_pil().convert("RGB")
    finally:
        page.close()


def _scan_items(scan_tables: list, scan_lines: list, *, number: int, dpi: float) -> _Content:
    k = 72 / dpi

    def box(b: tuple[int, int, int, int]) -> _Box:
        return (round(b[0] * k, 2), round(b[1] * k, 2), round(b[2] * k, 2), round(b[3] * k, 2))

    tables = []
    for t in scan_tables:
        ncols = len(t.columns) - 1
        nrows = max(c.row for c in t.cells)
        rows: list[list[_Cell | None]] = [[None] * ncols for _ in range(nrows)]
        for c in t.cells:
            rows[c.row - 1][c.col - 1] = (c.text, box(c.box), round(c.confidence, 3), c.label)
        columns = [round(x * k, 1) for x in t.columns]
        tables.append((t.box[1] * k, _Table(number, columns, rows)))
    lines = [(ln.box[1] * k, _Line(ln.text, number, box(ln.box), (ln.box[3] - ln.box[1]) * k, round(ln.confidence, 3)))
             for ln in scan_lines]
    return tables, lines


def _blocks(items: list) -> list[Block]:
    right = max((i.bbox[2] for i in items if isinstance(i, _Line)), default=0.0)
    blocks: list[Block] = []
    tables = 0
    prev_line: _Line | None = None
    for item in items:
        if isinstance(item, _Line):
            if prev_line is not None and blocks and not blocks[-1].cell and _joins(prev_line, item, right):
                last = blocks[-1]
                sep = " " if last.text[-1:].isascii() and item.text[:1].isascii() and last.text[-1:].isalnum() else ""
                last.text += sep + item.text
                prev_line = item
                continue
            blocks.append(Block(item.text, Provenance(page=item.page, bbox=tuple(round(v, 2) for v in item.bbox),
                                                      confidence=item.confidence)))
            prev_line = item
        elif isinstance(item, _Table):
            tables += 1
            blocks.extend(_table_blocks(item, tables))
            prev_line = None
        else:
            blocks.extend(item)
            prev_line = None
    return blocks
