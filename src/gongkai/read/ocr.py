"""OCR of tables published as pictures (image files, <img> on HTML pages, scanned PDF pages).

Tesseract (Debian tesseract-ocr with tesseract-ocr-chi-sim: offline, nothing downloaded at run
time) reads the text; the table grid is rebuilt from the ruling lines (OpenCV morphology): the
line positions give the grid, a missing line segment between two grid slots makes them one
merged cell. Each cell is OCR'd on its own (Chinese for labels, digits only for figures), all
cells of a picture in one Tesseract run per pass, and every cell carries Tesseract's confidence
(0–1) in its provenance. Nothing is corrected here: the checks flag doubtful cells.

With tesserocr installed (built against the system's libtesseract) the runs are made in this
process by engines that stay loaded, two at a time: loading the Chinese model took about a third of
the OCR time when every pass started the `tesseract` program. The readings are the same.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gongkai.model import Provenance
from gongkai.read.document import Block, ReadError

SCAN_DPI = 300
LANG = "chi_sim"
OCR_TIMEOUT = 600
_TARGET_HEIGHT = 40  # cell crops are scaled so that a text line is about this tall (labels)
_DIGIT_HEIGHT, _DIGIT_HEIGHT_2 = 24, 20  # figures: read at two sizes, Tesseract's digits are best about here
_NUMERIC = re.compile(r"^[+\-−]?[0-9OoIl|,.，．]+(?:万元|万|元|%)?$")
_DIGITS_WHITELIST = "0123456789+-."
_CJK = re.compile(r"[\u4e00-\u9fff]")
_UNIT = re.compile(r"(万元|万|元|%)$")
_INK_SHARE = 0.004  # a cell with less dark area than this (after its borders are cut away) is empty
MAX_IMAGE_PIXELS = 50_000_000
"""A picture with more pixels than this (about 7,000 × 7,000; an A4 page scanned at 600 dpi is 35 million)
is refused before it is decoded: a few KB of PNG can claim 20,000 × 20,000 pixels and take gigabytes."""


@cache
def available() -> bool:
    """Whether Tesseract with Simplified Chinese data is installed."""
    binary = shutil.which("tesseract")
    if binary is None:
        return False
    try:
        out = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return LANG in out.split()


def require() -> None:
    if not available():
        raise ReadError("needs_ocr", "表格是图片，需要 OCR：请安装 Tesseract 及其简体中文数据"
                        "（Debian 软件包 tesseract-ocr、tesseract-ocr-chi-sim）")


@dataclass
class GridCell:
    row: int
    col: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels (inside the ruling lines)
    text: str = ""
    confidence: float = 1.0
    label: bool = False  # read as words (to be matched to the formats' labels), not as a figure


def _gray(image):  # type: ignore[no-untyped-def]
    import numpy as np

    return np.asarray(image.convert("L"))


def _binary(gray):  # type: ignore[no-untyped-def]
    import cv2

    blurred = cv2.medianBlur(gray, 3)
    _, inv = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return inv


def _clusters(profile, minimum: float) -> list[int]:  # type: ignore[no-untyped-def]
    """Centres of runs of positions whose profile reaches `minimum`."""
    out: list[int] = []
    start = None
    for i, v in enumerate([*list(profile), 0]):
        if v >= minimum and start is None:
            start = i
        elif v < minimum and start is not None:
            out.append((start + i - 1) // 2)
            start = None
    return out


def _masks(inv):  # type: ignore[no-untyped-def]
    import cv2

    h, w = inv.shape
    h_len = max(25, w // 50)
    v_len = max(20, h // 60)
    hmask = cv2.morphologyEx(inv, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1)))
    vmask = cv2.morphologyEx(inv, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
    # close small gaps left by blur or noise in the lines
    hmask = cv2.dilate(hmask, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 3)))
    vmask = cv2.dilate(vmask, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 5)))
    return hmask, vmask, h_len, v_len


def table_regions(image) -> list[tuple[int, int, int, int]]:  # type: ignore[no-untyped-def]
    """Boxes of the ruled tables on a picture or page, top to bottom."""
    import cv2

    inv = _binary(_gray(image))
    hmask, vmask, _, _ = _masks(inv)
    both = cv2.bitwise_or(hmask, vmask)
    n, _, stats, _ = cv2.connectedComponentsWithStats(both)
    out = []
    for k in range(1, n):
        x, y, w, h, _ = stats[k]
        if w > 60 and h > 40:
            out.append((int(x), int(y), int(x + w), int(y + h)))
    return sorted(out, key=lambda b: (b[1], b[0]))


def _merged_slots(nr: int, nc: int, v_line: Callable[[int, int], bool],
                  h_line: Callable[[int, int], bool]) -> list[list[tuple[int, int]]]:
    """The grid's slots grouped into cells: neighbouring slots with no ruling line between them are one merged
    cell. `v_line(j, i)`: a line at column boundary j in row i; `h_line(i, j)`: at row boundary i in column j."""
    parent = list(range(nr * nc))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i in range(nr):
        for j in range(nc):
            if j + 1 < nc and not v_line(j + 1, i):
                parent[find(i * nc + j)] = find(i * nc + j + 1)
            if i + 1 < nr and not h_line(i + 1, j):
                parent[find(i * nc + j)] = find((i + 1) * nc + j)
    groups: dict[int, list[tuple[int, int]]] = {}
    for i in range(nr):
        for j in range(nc):
            groups.setdefault(find(i * nc + j), []).append((i, j))
    return list(groups.values())



def grid_cells(image) -> list[GridCell]:  # type: ignore[no-untyped-def]
    """The table's cells from its ruling lines, each merged cell once at its first grid position."""
    import cv2
    import numpy as np

    inv = _binary(_gray(image))
    hmask, vmask, h_len, v_len = _masks(inv)
    ys = _clusters((hmask > 0).sum(axis=1), 2 * h_len)
    if len(ys) >= 2:
        # vertical ruling lines run the height of a row: taller than any character stroke in it
        gap = int(np.median(np.diff(ys)))
        v_len = max(v_len, int(0.8 * gap))
        vmask = cv2.morphologyEx(inv, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
        vmask = cv2.dilate(vmask, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 5)))
    xs = _clusters((vmask > 0).sum(axis=0), 2 * v_len)
    if len(ys) < 2 or len(xs) < 2:
        return []
    nr, nc = len(ys) - 1, len(xs) - 1

    def h_line(i: int, j: int) -> bool:  # the line at ys[i] between xs[j] and xs[j+1]
        y, x0, x1 = ys[i], xs[j], xs[j + 1]
        pad = max(2, (x1 - x0) // 8)
        seg = (hmask[max(0, y - 3):y + 4, x0 + pad:x1 - pad] > 0).any(axis=0)
        return seg.size == 0 or seg.mean() > 0.8

    def v_line(j: int, i: int) -> bool:  # the line at xs[j] between ys[i] and ys[i+1]
        x, y0, y1 = xs[j], ys[i], ys[i + 1]
        pad = max(2, (y1 - y0) // 8)
        seg = (vmask[y0 + pad:y1 - pad, max(0, x - 3):x + 4] > 0).any(axis=1)
        return seg.size == 0 or seg.mean() > 0.8

    cells = []
    for slots in _merged_slots(nr, nc, v_line, h_line):
        i0 = min(i for i, _ in slots)
        j0 = min(j for i, j in slots if i == i0)
        i1 = max(i for i, _ in slots) + 1
        j1 = max(j for _, j in slots) + 1
        cells.append(GridCell(i0 + 1, j0 + 1, (xs[j0], ys[i0], xs[j1], ys[i1])))
    cells.sort(key=lambda c: (c.row, c.col))
    return cells


def _crop(gray, inv, box: tuple[int, int, int, int], target: int, noisy: bool = False):  # type: ignore[no-untyped-def]
    """The cell's inside, trimmed to its ink and padded, scaled for Tesseract; None when empty."""
    import cv2
    import numpy as np
    from PIL import Image

    x0, y0, x1, y1 = box
    m = 4
    inner = inv[y0 + m:y1 - m + 1, x0 + m:x1 - m + 1]
    if inner.size == 0:
        return None
    # drop what is left of the ruling lines touching the border
    inner = inner.copy()
    ink = cv2.morphologyEx(inner, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    if ink.mean() / 255 < _INK_SHARE:
        return None
    rows = np.nonzero((ink > 0).sum(axis=1) >= 2)[0]
    cols = np.nonzero((ink > 0).sum(axis=0) >= 1)[0]
    if rows.size == 0 or cols.size == 0:
        return None
    ty0, ty1, tx0, tx1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    # Tesseract reads the cleaned black-on-white cell, not the noisy original
    piece = 255 - ink[ty0:ty1, tx0:tx1] if noisy else gray[y0 + m + ty0:y0 + m + ty1, x0 + m + tx0:x0 + m + tx1]
    text_h = max(1, ty1 - ty0)
    scale = target / text_h
    img = Image.fromarray(piece)
    if scale != 1.0:
        img = img.resize((max(1, int(img.width * scale)), max(1, int(img.height * scale))), Image.LANCZOS)
    canvas = Image.new("L", (img.width + 40, img.height + 40), 255)
    canvas.paste(img, (20, 20))
    return canvas


def _tesseract(images: list, lang: str, psm: int, whitelist: str | None = None) -> list[tuple[str, float]]:
    """(text, confidence 0–1) of each image, all images in one Tesseract run."""
    if not images:
        return []
    words: dict[int, list[tuple[int, int, int, str, float]]] = {}
    for parts in _tsv(images, lang, psm, whitelist):
        if parts[0] != "5":
            continue
        page, block, par, ln = int(parts[1]), int(parts[2]), int(parts[3]), int(parts[4])
        conf, text = float(parts[10]), parts[11]
        if text.strip():
            words.setdefault(page, []).append((block, par, ln, text, conf))
    out = []
    for k in range(1, len(images) + 1):
        ws = words.get(k, [])
        text = "".join(w[3] for w in ws)
        conf = min((w[4] for w in ws), default=0.0) / 100
        out.append((text, max(0.0, conf)))
    return out


def _tsv(images: list, lang: str, psm: int, whitelist: str | None = None) -> list[list[str]]:
    """Tesseract's TSV rows (level, page 1…, block, paragraph, line, word, box, confidence, text) of
    the images read one after another: in this process through the Tesseract library when tesserocr
    is installed (the language model loaded once, not once per run), else by the `tesseract` program
    with the images listed in one file. Both give the same readings."""
    api_pool = _api_pool()
    if api_pool is not None:
        text = api_pool.tsv(images, lang, psm, whitelist)
    else:
        text = _tsv_program(images, lang, psm, whitelist)
    rows = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 12 and parts[0] != "level":
            rows.append(parts)
    return rows


def _tsv_program(images: list, lang: str, psm: int, whitelist: str | None) -> str:
    binary = shutil.which("tesseract")
    if binary is None:
        raise ReadError("needs_ocr", "需要 OCR，但未安装 Tesseract")
    with tempfile.TemporaryDirectory(prefix="gongkai-ocr-") as tmp:
        paths = []
        for k, img in enumerate(images):
            p = Path(tmp) / f"{k:05d}.png"
            img.save(p)
            paths.append(str(p))
        listing = Path(tmp) / "list.txt"
        listing.write_text("\n".join(paths) + "\n")
        cmd = [binary, str(listing), "stdout", "-l", lang, "--psm", str(psm), "-c", "preserve_interword_spaces=1"]
        if whitelist:
            cmd += ["-c", f"tessedit_char_whitelist={whitelist}"]
        cmd.append("tsv")
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=OCR_TIMEOUT, check=False,
                                  env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
        except subprocess.TimeoutExpired as exc:
            raise ReadError("ocr_failed", "OCR 超时") from exc
        if proc.returncode != 0:
            raise ReadError("ocr_failed", f"OCR 失败：{proc.stderr.decode('utf-8', 'replace')[:200]}")
    return proc.stdout.decode("utf-8", "replace")


class _ApiPool:
    """Tesseract engines kept loaded (tesserocr), one per language and thread at a time: loading the
    Chinese model costs about a quarter of a second, more than reading a page's cells. Each image is
    read as the `tesseract` program reads a PNG file without a resolution (70 dpi), with the same
    settings; the adaptive classifier does not learn, so a reading never depends on what was read
    before it."""

    _SOURCE_DPI = 70

    def __init__(self, module) -> None:  # type: ignore[no-untyped-def]
        self._tesserocr = module
        self._free: dict[str, list] = {}
        self._lock = threading.Lock()

    def tsv(self, images: list, lang: str, psm: int, whitelist: str | None) -> str:
        """The images read in parts at the same time, one engine each (Tesseract works without
        holding Python's lock): every image is read by itself, so the parts change no reading."""
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        parts = max(1, min(OCR_THREADS, cpus, len(images) // _MIN_PART))
        if parts == 1:
            return self._read(images, 0, lang, psm, whitelist)
        size = -(-len(images) // parts)
        with ThreadPoolExecutor(max_workers=parts) as pool:
            futures = [pool.submit(self._read, images[k:k + size], k, lang, psm, whitelist)
                       for k in range(0, len(images), size)]
            return "\n".join(f.result() for f in futures)

    def _read(self, images: list, first: int, lang: str, psm: int, whitelist: str | None) -> str:
        with self._lock:
            free = self._free.setdefault(lang, [])
            api = free.pop() if free else None
        if api is None:
            api = self._tesserocr.PyTessBaseAPI(lang=lang, variables={"preserve_interword_spaces": "1",
                                                                      "classify_enable_learning": "0"})
        try:
            api.SetPageSegMode(psm)
            api.SetVariable("tessedit_char_whitelist", whitelist or "")
            out = []
            for k, img in enumerate(images, first):
                if img.mode not in ("L", "RGB"):
                    img = img.convert("RGB")  # Tesseract makes the grey of a colour picture itself
                depth = 1 if img.mode == "L" else 3
                api.SetImageBytes(img.tobytes(), img.width, img.height, depth, depth * img.width)
                api.SetSourceResolution(self._SOURCE_DPI)
                if not api.Recognize(OCR_TIMEOUT * 1000):
                    raise ReadError("ocr_failed", "OCR 失败或超时")
                out.append(api.GetTSVText(k))
        finally:
            with self._lock:
                self._free[lang].append(api)
        return "\n".join(out)


OCR_THREADS = 2
"""Tesseract engines reading one pass's images at the same time (in-process engines only, no more
than the CPUs this process may use)."""
_MIN_PART = 8
"""Fewer images than this per engine are not worth a second engine."""


@cache
def _api_pool() -> _ApiPool | None:
    # Tesseract's OpenMP threads would spin beside the engines this module runs: one thread each (as
    # the `tesseract` program is run); read when the library is loaded, so set before the import
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        import tesserocr
    except ImportError:
        return None
    try:
        langs = tesserocr.get_languages()[1]
    except Exception:
        return None
    return _ApiPool(tesserocr) if LANG in langs and "eng" in langs else None


def _normalise_number(text: str) -> str:
    return text.replace("−", "-").replace("，", ",").replace("．", ".")


@cache
def _vocabulary() -> dict[str, str]:
    """Folded form → printed form of every label the formats know (rows, columns, groups, headers)."""
    from gongkai.formats import formats, get_format

    out: dict[str, str] = {}
    extra = ("统计指标", "单位", "统计数", "三、本年度办理结果")
    for fid in formats():
        for t in get_format(fid).tables:
            labels = [*t.headers, *t.anchors, *(g.label for g in t.groups)]
            for r in t.rows:
                labels += [r.label, *r.aliases, *r.deviations, *([r.item] if r.item else [])]
            for c in t.columns:
                labels += [c.label, *c.aliases]
            for lb in labels:
                out.setdefault(_key(lb), lb)
    for lb in extra:
        out.setdefault(_key(lb), lb)
    return out


def _key(text: str) -> str:
    from gongkai.normalize import fold, squeeze

    return squeeze(fold(text)).replace("〈", "(").replace("《", "(").replace("〉", ")").replace("》", ")")


def label_known(text: str) -> bool:
    """Whether a text is, folded, one of the formats' labels."""
    return _key(text) in _vocabulary()


def snap_label(text: str) -> tuple[str, float]:
    """A label OCR'd with a few wrong characters → the format's label it is closest to, with the
    similarity. Labels are the template's own words, so this is reading, not correcting data."""
    import difflib

    vocab = _vocabulary()
    k = _key(text)
    if not k or k in vocab:
        return (vocab.get(k, text), 1.0)
    best = difflib.get_close_matches(k, list(vocab), n=1, cutoff=0.6)
    if not best:
        return text, 0.0
    return vocab[best[0]], difflib.SequenceMatcher(None, k, best[0]).ratio()


def _vote(crop, inv, cells: list[GridCell], noisy: bool,  # type: ignore[no-untyped-def]
          min_h: float | None = None, units: list[int] | None = None) -> list[tuple[str, float]]:
    """Figures read twice (Chinese and English models, digits only); where the two disagree a third
    reading at another size decides, and a cell without a majority is doubtful (confidence ≤ 0.3)."""
    crops = [crop(c.box, _DIGIT_HEIGHT) for c in cells]
    first = _tesseract(crops, LANG, 7, _DIGITS_WHITELIST)
    second = _tesseract(crops, "eng", 7, _DIGITS_WHITELIST)
    split = [k for k, (a, b) in enumerate(zip(first, second, strict=True))
             if a[0] != b[0] or not _fits(a[0], _glyphs(inv, cells[k].box, min_h), units[k] if units else 0)]
    third = dict(zip(split, _tesseract([crop(cells[k].box, _DIGIT_HEIGHT_2) for k in split],
                                       LANG, 7, _DIGITS_WHITELIST), strict=True))
    out = []
    for k, (a, b) in enumerate(zip(first, second, strict=True)):
        glyphs = _glyphs(inv, cells[k].box, min_h)
        unit = units[k] if units else 0
        candidates = [a, b] + ([third[k]] if k in third else [])
        fits = [r for r in candidates if r[0] and _fits(r[0], glyphs, unit)]
        if a[0] == b[0] and (not fits or fits[0][0] == a[0] or noisy):
            text, conf = a[0], max(a[1], b[1])
        elif fits and (len({r[0] for r in fits}) == 1 or not noisy):
            # the reading most of the fitting readings agree on (two models against one)
            text = max(fits, key=lambda r: (sum(f[0] == r[0] for f in fits), r[1]))[0]
            agree = [r for r in fits if r[0] == text]
            conf = min(r[1] for r in agree)
            if len(agree) < 2:
                conf = min(conf, 0.5)  # one reading alone, confirmed only by the count of glyphs
        else:
            best = max(candidates, key=lambda r: r[1])
            text, conf = best[0], min(best[1], 0.3)
        if not noisy and text and not _fits(text, glyphs, unit):
            conf = min(conf, 0.3)
        out.append((text, conf))
    return out


def _fits(reading: str, glyphs: int, unit: int) -> bool:
    """Whether a digits-only reading has as many characters as the cell has marks (the marks of a
    unit such as 万 counted in or out: how many marks 万 makes depends on the font)."""
    return len(reading) == glyphs or (unit > 0 and len(reading) == glyphs - unit)


def _slash(inv, box: tuple[int, int, int, int]) -> bool:  # type: ignore[no-untyped-def]
    """Whether a cell holds one thin stroke rising to the right: a slash, not a 1 or a 7."""
    import numpy as np

    if _glyphs(inv, box) != 1:
        return False
    x0, y0, x1, y1 = box
    m = 4
    inner = inv[y0 + m:y1 - m + 1, x0 + m:x1 - m + 1] > 0
    ys, xs = np.nonzero(inner)
    if ys.size < 6:
        return False
    h, w = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
    if h < 6 or w < 3 or w > h:
        return False
    q = max(1, h // 4)
    top = xs[ys < ys.min() + q].mean()
    bottom = xs[ys > ys.max() - q].mean()
    widest = max(int(np.ptp(xs[ys == y])) + 1 for y in np.unique(ys))
    return bool(top - bottom >= 0.5 * w and widest <= 0.6 * w)


def _glyphs(inv, box: tuple[int, int, int, int], min_h: float | None = None) -> int:  # type: ignore[no-untyped-def]
    """How many separate marks a figure cell holds: one per digit, sign or point in clean print.
    With `min_h` (a scan's smallest glyph height) the cell's lines are counted one by one: a figure
    wrapped in a narrow column stands one digit above the other."""
    x0, y0, x1, y1 = box
    m = 4
    inner = inv[y0 + m:y1 - m + 1, x0 + m:x1 - m + 1]
    if inner.size == 0:
        return 0
    if min_h:
        parts = [inner[a:b] for a, b in _bands(inner, min_h)]
        if len(parts) > 1:
            return sum(_marks(p) for p in parts)
    return _marks(inner)


def _marks(inner) -> int:  # type: ignore[no-untyped-def]
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(inner)
    spans = sorted((int(stats[k][0]), int(stats[k][0] + stats[k][2])) for k in range(1, n) if stats[k][4] >= 3)
    count, end = 0, -1
    for x0_, x1_ in spans:  # pieces of one glyph broken by thresholding stand one above the other
        if x0_ >= end - 1:
            count += 1
            end = x1_
        else:
            end = max(end, x1_)
    return count


def ocr_cells(image, cells: list[GridCell], dpi: float | None = None,  # type: ignore[no-untyped-def]
              snap: bool = True) -> None:
    """OCR every cell in place: Chinese first; a cell that reads as a figure again with digits only
    (at two scales: when the two readings disagree the cell is doubtful). With the scan's `dpi`
    known, a cell's lines are set side by side and read as one line. Labels are matched to the
    formats' labels unless `snap` is off (a scanned page: a label broken by the page is matched once
    joined again)."""
    require()
    gray = _gray(image)
    noisy = _is_noisy(gray)  # a poor scan or photo: read the cleaned cells
    if dpi:
        inv = _ink(gray, noisy)
        min_h = dpi * 6 / 72

        def crop(box: tuple[int, int, int, int], target: int):  # type: ignore[no-untyped-def]
            return _line_crop(255 - inv if noisy else gray, inv, box, target, min_h)
    else:
        inv = _binary(gray)
        min_h = None

        def crop(box: tuple[int, int, int, int], target: int):  # type: ignore[no-untyped-def]
            return _crop(gray, inv, box, target, noisy)
    crops = {id(c): crop(c.box, _TARGET_HEIGHT) for c in cells}
    todo = [c for c in cells if crops[id(c)] is not None]
    for c in cells:
        if crops[id(c)] is None:
            c.text, c.confidence = "", 1.0
    first = _tesseract([crops[id(c)] for c in todo], LANG, 7)
    numeric = []
    numbered: set[int] = set()
    for c, (text, conf) in zip(todo, first, strict=True):
        c.text, c.confidence = text.strip(), conf
        if not text.strip() or _NUMERIC.match(text.strip()) or len(_CJK.findall(_UNIT.sub("", text))) < 2:
            numeric.append(c)
    slashes = [c for c in numeric if not noisy and _slash(inv, c.box)]
    numbered.update(id(c) for c in slashes)
    for c in slashes:  # "/" (not applicable) is not a figure: the digits-only readings would make it 1
        c.text, c.confidence = "/", (max(c.confidence, 0.9) if c.text in ("/", "／") else 0.6)
    numeric = [c for c in numeric if c not in slashes]
    units = [len(u.group(1)) if (u := _UNIT.search(c.text)) else 0 for c in numeric]
    readings = _vote(crop, inv, numeric, noisy, min_h, units)
    for c, (text, conf) in zip(numeric, readings, strict=True):
        unit = _UNIT.search(c.text)
        if not re.search(r"\d", text):
            if not c.text:
                c.confidence = 0.0  # ink but nothing read: doubtful
            continue
        figure = _normalise_number(text) + (unit.group(1) if unit else "")
        if unit and figure == _normalise_number(c.text) and not noisy:
            # the unit's glyph disturbs the digits-only readings; the whole reading, the same,
            # vouches for them
            conf = max(conf, c.confidence)
        c.text, c.confidence = figure, conf
        numbered.add(id(c))
    for c in todo:
        if id(c) not in numbered and c.text:
            c.label = True
            if snap:
                c.text, c.confidence = snapped(c.text, c.confidence)


def snapped(text: str, confidence: float) -> tuple[str, float]:
    """An OCR'd label matched to the formats' labels, its confidence lowered by the distance."""
    label, similarity = snap_label(text)
    return label, (min(confidence, similarity) if similarity < 1.0 else max(confidence, 0.0))


def read_table_image(image, *, page: int | None = None, table: int = 1,  # type: ignore[no-untyped-def]
                     offset: tuple[int, int] = (0, 0)) -> list[Block]:
    """The cells of one ruled table picture, row by row, with box and confidence."""
    cells = grid_cells(image)
    if not cells:
        return []
    ocr_cells(image, cells)
    ox, oy = offset
    return [Block(c.text, Provenance(page=page, table=table, row=c.row, col=c.col,
                                     bbox=(c.box[0] + ox, c.box[1] + oy, c.box[2] + ox, c.box[3] + oy),
                                     confidence=round(c.confidence, 3)), cell=True) for c in cells]


def _open_image(data: bytes):  # type: ignore[no-untyped-def]
    """The picture in `data`, as RGB or grey; its size is checked from the header before the pixels are
    decoded (`image_too_large`)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # Pillow warns past its own limit: ours, lower, refuses the picture
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
        check_pixels(img.width, img.height)
        img.load()
    except Image.DecompressionBombError as exc:  # Pillow's own limit, should ours ever be raised above it
        raise _too_large(0, 0) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ReadError("corrupt", f"图片已损坏，无法打开：{exc}") from exc
    if img.mode in ("RGBA", "LA", "P"):
        bg = Image.new("RGB", img.size, "white")
        rgba = img.convert("RGBA")
        bg.paste(rgba, mask=rgba.split()[-1])
        img = bg
    return img


def check_pixels(width: float, height: float) -> None:
    """Refuse a picture (or a page to render) of more than MAX_IMAGE_PIXELS pixels."""
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_large(width, height)


def _too_large(width: float, height: float) -> ReadError:
    size = f"（{int(width)} × {int(height)} 像素）" if width and height else ""
    return ReadError("image_too_large", f"图片过大{size}，超过 {MAX_IMAGE_PIXELS:,} 像素的上限，未读取")


def _text_lines(image, page: int | None, offset_y: int = 0) -> list[tuple[int, Block]]:  # type: ignore[no-untyped-def]
    """Running text of a picture or scanned page, line by line (Tesseract's page layout)."""
    require()
    binary = shutil.which("tesseract")
    assert binary is not None
    with tempfile.TemporaryDirectory(prefix="gongkai-ocr-") as tmp:
        p = Path(tmp) / "page.png"
        image.save(p)
        proc = subprocess.run([binary, str(p), "stdout", "-l", LANG, "--psm", "4", "tsv"], capture_output=True,
                              timeout=OCR_TIMEOUT, check=False, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
    lines: dict[tuple[int, int, int], list[tuple[int, int, int, int, str, float]]] = {}
    for row in proc.stdout.decode("utf-8", "replace").splitlines()[1:]:
        parts = row.split("\t")
        if len(parts) < 12 or parts[0] != "5" or not parts[11].strip():
            continue
        key = (int(parts[2]), int(parts[3]), int(parts[4]))
        x, y, w, h = (int(v) for v in parts[6:10])
        lines.setdefault(key, []).append((x, y, w, h, parts[11], float(parts[10])))
    out = []
    for words in lines.values():
        text = "".join(w[4] for w in words)
        x0 = min(w[0] for w in words)
        y0 = min(w[1] for w in words)
        x1 = max(w[0] + w[2] for w in words)
        y1 = max(w[1] + w[3] for w in words)
        conf = min(w[5] for w in words) / 100
        out.append((y0 + offset_y, Block(text, Provenance(page=page, bbox=(x0, y0 + offset_y, x1, y1 + offset_y),
                                                          confidence=round(max(conf, 0.0), 3)))))
    return sorted(out, key=lambda t: t[0])


def read_page_image(image, *, page: int | None = None, first_table: int = 1) -> list[Block]:  # type: ignore[no-untyped-def]
    """A scanned page or a picture: its ruled tables as cells, the text around them as lines."""
    from PIL import ImageDraw

    require()
    image = image.convert("L")
    regions = table_regions(image)
    items: list[tuple[int, list[Block]]] = []
    rest = image.copy()
    draw = ImageDraw.Draw(rest)
    for k, (x0, y0, x1, y1) in enumerate(regions):
        crop = image.crop((x0, y0, x1 + 1, y1 + 1))
        blocks = read_table_image(crop, page=page, table=first_table + k, offset=(x0, y0))
        if blocks:
            items.append((y0, blocks))
            draw.rectangle((x0, y0, x1, y1), fill=255)
    if _has_ink_outside(rest):
        items += [(y, [b]) for y, b in _text_lines(rest, page)]
    items.sort(key=lambda t: t[0])
    return [b for _, blocks in items for b in blocks]


def _has_ink_outside(image) -> bool:  # type: ignore[no-untyped-def]
    import numpy as np

    return bool((np.asarray(image) < 128).mean() > 0.0005)


def read_image_bytes(data: bytes) -> list[Block]:
    """An image file: a table picture (or a page photo) read by OCR."""
    require()
    return read_page_image(_open_image(data))


# --- scanned pages: tables found from their ruling lines at the scan's own resolution ---------------


@dataclass
class PageTable:
    """One ruled table of a page picture: its box, column edges and cells (pixels)."""
    box: tuple[int, int, int, int]
    columns: list[int]
    cells: list[GridCell]


@dataclass
class PageLine:
    """A line of running text outside the tables (pixels)."""
    text: str
    box: tuple[int, int, int, int]
    confidence: float


def _is_noisy(gray) -> bool:  # type: ignore[no-untyped-def]
    """A poor scan or photo (blur, speckle, JPEG): many mid-grey pixels. The anti-aliased edges of
    a clean 150 dpi page of dense text and its grey ruling lines stay under 5 %; a degraded picture
    has three times that."""
    return bool(((gray > 70) & (gray < 190)).mean() > _NOISY_GREY)


_NOISY_GREY = 0.08
_FAINT = 200


def _ink(gray, noisy: bool):  # type: ignore[no-untyped-def]
    """Dark pixels as 255. A clean scan is not blurred first: at 150 dpi a ruling line is one grey
    pixel wide and a median filter would erase it."""
    import cv2

    if noisy:
        return _binary(gray)
    _, inv = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return inv


def _line_masks(inv, dpi: float):  # type: ignore[no-untyped-def]
    """Horizontal and vertical ruling lines: runs longer than any character stroke (¼ inch)."""
    import cv2

    k = max(15, int(dpi * 0.25))
    hmask = cv2.morphologyEx(inv, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    vmask = cv2.morphologyEx(inv, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    return hmask, vmask, k


def _grid(hmask, vmask, k: int) -> tuple[list[int], list[int], list[GridCell]]:  # type: ignore[no-untyped-def]
    """Line positions and cells of one table's masks (a merged cell once, at its first position)."""
    ys = _clusters((hmask > 0).sum(axis=1), k)
    xs = _clusters((vmask > 0).sum(axis=0), k)
    if len(ys) < 2 or len(xs) < 2:
        return ys, xs, []
    nr, nc = len(ys) - 1, len(xs) - 1

    def h_line(i: int, j: int) -> bool:
        y, x0, x1 = ys[i], xs[j], xs[j + 1]
        pad = max(2, (x1 - x0) // 8)
        seg = (hmask[max(0, y - 2):y + 3, x0 + pad:x1 - pad] > 0).any(axis=0)
        return seg.size == 0 or seg.mean() > 0.8

    def v_line(j: int, i: int) -> bool:
        x, y0, y1 = xs[j], ys[i], ys[i + 1]
        pad = max(2, (y1 - y0) // 8)
        seg = (vmask[y0 + pad:y1 - pad, max(0, x - 2):x + 3] > 0).any(axis=1)
        return seg.size == 0 or seg.mean() > 0.8

    cells = []
    for slots in _merged_slots(nr, nc, v_line, h_line):
        i0, i1 = min(i for i, _ in slots), max(i for i, _ in slots) + 1
        j0 = min(j for i, j in slots if i == i0)
        j1 = max(j for _, j in slots) + 1
        cells.append(GridCell(i0 + 1, j0 + 1, (xs[j0], ys[i0], xs[j1], ys[i1])))
    cells.sort(key=lambda c: (c.row, c.col))
    return ys, xs, cells


def page_tables(gray, dpi: float, noisy: bool = False) -> list[PageTable]:  # type: ignore[no-untyped-def]
    """The ruled tables of a page picture, top to bottom, with their cells (not yet read).

    A table is a connected set of ruling lines at least an inch wide whose outer frame (two long
    horizontal and two long vertical lines) is there: big title characters are not tables."""
    import cv2
    import numpy as np

    inv = _ink(gray, noisy)
    hmask, vmask, k = _line_masks(inv, dpi)
    both = cv2.dilate(cv2.bitwise_or(hmask, vmask), np.ones((3, 3), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(both)
    out = []
    for c in range(1, n):
        x, y, w, h, _ = (int(v) for v in stats[c])
        if w < dpi or h < dpi * 0.2:
            continue
        hm, vm = hmask[y:y + h, x:x + w], vmask[y:y + h, x:x + w]
        if ((hm > 0).sum(axis=1) >= 0.6 * w).sum() < 2 or ((vm > 0).sum(axis=0) >= 0.6 * h).sum() < 2:
            continue
        _, xs, cells = _grid(hm, vm, k)
        if len(cells) < 2:
            continue
        for cell in cells:
            x0, y0, x1, y1 = cell.box
            cell.box = (x0 + x, y0 + y, x1 + x, y1 + y)
        out.append(PageTable((x, y, x + w, y + h), [v + x for v in xs], cells))
    return sorted(out, key=lambda t: (t.box[1], t.box[0]))


def _bands(mask, min_h: float) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """The text lines of a cell's or page's ink (rows with ink): a fragment shorter than a glyph (the
    strokes of 三) joined to its nearer neighbour, and pieces closer than a fifth of their height joined."""
    import numpy as np

    rows = (mask > 0).sum(axis=1) > 0
    runs: list[list[int]] = []
    for i, v in enumerate(rows):
        if v and (not runs or runs[-1][1] != i):
            runs.append([i, i + 1])
        elif v:
            runs[-1][1] = i + 1
    changed = True
    while changed and len(runs) > 1:
        changed = False
        short = [k for k, r in enumerate(runs) if r[1] - r[0] < min_h]
        if not short:
            break
        k = min(short, key=lambda s: runs[s][1] - runs[s][0])
        gaps = [(runs[k][0] - runs[k - 1][1], k - 1) if k > 0 else (np.inf, -1),
                (runs[k + 1][0] - runs[k][1], k + 1) if k + 1 < len(runs) else (np.inf, -1)]
        _, other = min(gaps)
        a, b = sorted((k, other))
        runs[a] = [runs[a][0], runs[b][1]]
        del runs[b]
        changed = True
    k = 1
    while k < len(runs):  # the halves of a large character (告) stand closer than two lines do
        if runs[k][0] - runs[k - 1][1] <= 0.2 * max(runs[k][1] - runs[k][0], runs[k - 1][1] - runs[k - 1][0]):
            runs[k - 1][1] = runs[k][1]
            del runs[k]
        else:
            k += 1
    return [(a, b) for a, b in runs]


def _line_crop(gray, ink, box: tuple[int, int, int, int], target: int, min_h: float):  # type: ignore[no-untyped-def]
    """A cell of a scan as one line of text: its lines (a wrapped label, characters stacked one per
    line) cut apart and set side by side, each scaled to `target` pixels high; None when empty."""
    import numpy as np
    from PIL import Image

    x0, y0, x1, y1 = box
    m = 3
    inner = ink[y0 + m:y1 - m + 1, x0 + m:x1 - m + 1]
    if inner.size == 0 or (inner > 0).sum() < max(4, min_h):
        return None
    pieces = []
    faint = gray[y0 + m:y1 - m + 1, x0 + m:x1 - m + 1] < _FAINT  # thin strokes of 一, 二 are grey
    for a, b in _bands(inner, min_h):
        cols = np.nonzero((inner[a:b] > 0).sum(axis=0) + faint[a:b].sum(axis=0))[0]
        if cols.size == 0:
            continue
        g = gray[y0 + m + a:y0 + m + b, x0 + m + cols.min():x0 + m + cols.max() + 1]
        img = Image.fromarray(np.ascontiguousarray(g))
        scale = target / max(1, b - a)
        pieces.append(img.resize((max(1, round(img.width * scale)), target), Image.LANCZOS))
    if not pieces:
        return None
    gap = target // 2
    canvas = Image.new("L", (sum(p.width for p in pieces) + gap * (len(pieces) - 1) + 40, target + 40), 255)
    x = 20
    for p in pieces:
        canvas.paste(p, (x, 20))
        x += p.width + gap
    return canvas


def read_scan(image, dpi: float) -> tuple[list[PageTable], list[PageLine]]:  # type: ignore[no-untyped-def]
    """A scanned page at its own resolution: its ruled tables with every cell read (all cells of
    the page in one Tesseract run per pass), and the text around them as lines."""
    from PIL import ImageDraw

    require()
    image = image.convert("L")
    gray = _gray(image)
    tables = page_tables(gray, dpi, _is_noisy(gray))
    cells = [c for t in tables for c in t.cells]
    if cells:
        ocr_cells(image, cells, dpi, snap=False)
    rest = image.copy()
    draw = ImageDraw.Draw(rest)
    for t in tables:
        draw.rectangle(t.box, fill=255)
    lines = scan_lines(rest, dpi) if _has_ink_outside(rest) else []
    return tables, lines


def scan_lines(image, dpi: float) -> list[PageLine]:  # type: ignore[no-untyped-def]
    """The running text of a scanned page (tables blanked out), line by line: the lines are cut
    apart at the blank rows between them and each is read as one line at Tesseract's best text
    height, all in one run (the page layout of Tesseract breaks a large title character in two).
    A band taller than two lines (lines touching) is read as a block."""
    import numpy as np
    from PIL import Image

    gray = _gray(image)
    inv = _ink(gray, _is_noisy(gray))
    min_h = dpi * 6 / 72
    bands = []
    faint = gray < _FAINT  # the thin horizontal strokes of 一 and 二 are grey at 150 dpi
    for a, b in _bands(inv, min_h):
        cols = np.nonzero(faint[a:b].sum(axis=0))[0]
        if cols.size and b - a >= min_h / 2:
            bands.append((int(cols.min()), a, int(cols.max()) + 1, b))
    if not bands:
        return []
    usual = float(np.median([b[3] - b[1] for b in bands]))

    def crop(box: tuple[int, int, int, int], target: float):  # type: ignore[no-untyped-def]
        y0, y1 = box[1], box[3]
        piece = image.crop(box)
        scale = target / (usual if y1 - y0 > 2.2 * usual else max(1, y1 - y0))
        piece = piece.resize((max(1, round(piece.width * scale)), max(1, round(piece.height * scale))), Image.LANCZOS)
        canvas = Image.new("L", (piece.width + 40, piece.height + 40), 255)
        canvas.paste(piece, (20, 20))
        return canvas

    high = [b[3] - b[1] > 2.2 * usual for b in bands]
    single = iter(_tesseract([crop(b, _TARGET_HEIGHT) for b, h in zip(bands, high, strict=True) if not h], LANG, 7))
    block = iter(_tesseract([crop(b, _TARGET_HEIGHT) for b, h in zip(bands, high, strict=True) if h], LANG, 6))
    readings = [next(block) if h else next(single) for h in high]
    # a doubtful line is read again at another size, and when the two differ at a third; a text two
    # readings agree on is kept
    doubt = [k for k, (text, conf) in enumerate(readings) if text.strip() and conf < _LINE_DOUBT and not high[k]]
    second = dict(zip(doubt, _tesseract([crop(bands[k], _LINE_SIZES[0]) for k in doubt], LANG, 7), strict=True))
    split = [k for k in doubt if second[k][0].strip() != readings[k][0].strip()]
    third = dict(zip(split, _tesseract([crop(bands[k], _LINE_SIZES[1]) for k in split], LANG, 7), strict=True))
    for k in doubt:
        votes = [readings[k], second[k], *([third[k]] if k in third else [])]
        texts = [v[0].strip() for v in votes]
        agreed = [v for v in votes if texts.count(v[0].strip()) >= 2]
        readings[k] = max(agreed or votes, key=lambda v: v[1])
    out = []
    for box, (text, conf) in zip(bands, readings, strict=True):
        if text.strip():
            out.append(PageLine(text.strip(), box, round(max(conf, 0.0), 3)))
    return out


_LINE_DOUBT = 0.5
_LINE_SIZES = (24, 32)


def _lanczos():  # type: ignore[no-untyped-def]
    from PIL import Image

    return Image.LANCZOS
