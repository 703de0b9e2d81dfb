"""Render a table (`render.docx.Grid`) as a PNG picture with ruled lines, as sites publish tables,
and degraded copies of it (blur, noise, low resolution) to test that OCR doubts are flagged."""

from __future__ import annotations

import io
import random
import subprocess
from functools import cache

from gongkai.render.docx import Grid


@cache
def cjk_font_path() -> tuple[str, int]:
    """The Noto Sans CJK SC font file (fonts-noto-cjk) and its index in the collection."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}|%{index}", "Noto Sans CJK SC"], capture_output=True,
                             text=True, check=True, timeout=20).stdout
        path, index = out.split("|")
        return path, int(index)
    except (OSError, subprocess.SubprocessError, ValueError):
        return "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2


def table_image(grid: Grid, *, font_size: int = 22, line: int = 2, padding: int = 10):  # type: ignore[no-untyped-def]
    """A PIL image of the table: black ruling lines, one line of text per cell, centred."""
    from PIL import Image, ImageDraw, ImageFont

    path, index = cjk_font_path()
    font = ImageFont.truetype(path, font_size, index=index)
    positions = grid.positions()
    ncols = grid.width
    nrows = max(r + cell.rowspan for cell, r, _ in positions)
    covered = {(r + dr, c + dc) for cell, r, c in positions for dr in range(cell.rowspan) for dc in range(cell.colspan)}
    last: dict[int, int] = {}
    for k, (_, r, _) in enumerate(positions):
        last[r] = k
    for r, k in last.items():  # a short row: its last cell is drawn to the table's edge
        cell, _, c = positions[k]
        free = 0
        while c + cell.colspan + free < ncols and (r, c + cell.colspan + free) not in covered:
            free += 1
        if free:
            positions[k] = (type(cell)(cell.text, cell.rowspan, cell.colspan + free), r, c)
    widths = [font_size * 2] * ncols
    need = [font.getlength(cell.text) + 2 * padding for cell, _, _ in positions]
    for (cell, _, c), w in sorted(zip(positions, need, strict=True), key=lambda t: t[0][0].colspan):
        have = sum(widths[c:c + cell.colspan])
        if w > have:
            widths[c + cell.colspan - 1] += int(w - have) + 1
    height = int(font_size * 1.9)
    xs = [padding]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [padding + k * height for k in range(nrows + 1)]
    img = Image.new("L", (xs[-1] + padding, ys[-1] + padding), 255)
    draw = ImageDraw.Draw(img)
    for cell, r, c in positions:
        x0, y0, x1, y1 = xs[c], ys[r], xs[c + cell.colspan], ys[r + cell.rowspan]
        draw.rectangle((x0, y0, x1, y1), outline=0, width=line)
        if cell.text:
            draw.text(((x0 + x1) / 2, (y0 + y1) / 2), cell.text, font=font, fill=0, anchor="mm")
    return img


def degrade(img, rng: random.Random, *, scale: float = 0.5, blur: float = 0.8, noise: float = 25.0):  # type: ignore[no-untyped-def]
    """A poor copy: shrunk (low resolution), blurred, with speckle noise, saved as JPEG."""
    import numpy as np
    from PIL import Image, ImageFilter

    small = img.resize((max(1, int(img.width * scale)), max(1, int(img.height * scale))), Image.BILINEAR)
    small = small.filter(ImageFilter.GaussianBlur(blur))
    arr = np.asarray(small, dtype=np.float32)
    gen = np.random.default_rng(rng.randrange(2**32))
    arr = np.clip(arr + gen.normal(0, noise, arr.shape), 0, 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(arr).save(out, "JPEG", quality=50)
    return Image.open(io.BytesIO(out.getvalue()))


def png_bytes(img) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()
