"""The pictures of a stored PDF's pages (`/reports/{id}/pages/{n}.png`) and the 页面图像 view of the 报告 page:
a real text PDF (made through Word and LibreOffice) stored in SQLite, its pages drawn at their own shape, a
cell's box lying on the ink of its figure in the picture, 404 for what has no page, private reading obeyed."""

from __future__ import annotations

import io
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gongkai.ingest import ingest
from gongkai.render.layouts import render_text
from gongkai.render.synthetic import synthesize
from gongkai.store import Store, open_store
from gongkai.web import WebSettings, create_app
from tests.conftest import needs

pytestmark = needs(shutil.which("soffice") is not None, "LibreOffice not installed")

ORGAN, YEAR = "长沙市财政局", 2023
NEW_TOTAL = ("requests", "new_received", "total")  # table 3, 新收政府信息公开申请数量 · 总计


def make_pdf(folder: Path) -> Path:
    """A synthetic 2021-format report as a text PDF with ruling lines (two A4 pages), as tests/read do."""
    from gongkai.render.docx import synthetic_page
    from gongkai.render.pdf import to_pdf

    rep = synthesize("2021", random.Random(7), organ=ORGAN, year=YEAR)
    path = folder / "report.pdf"
    path.write_bytes(to_pdf(synthetic_page(rep)))
    return path


def pdf_sizes(path: Path) -> list[tuple[float, float]]:
    """Every page's size in points, read independently of the application."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path.read_bytes())
    try:
        return [pdf[i].get_size() for i in range(len(pdf))]
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, int, int]]:
    """(store URL, the PDF, its report id, the id of a plain-text report) in a fresh SQLite store."""
    folder = tmp_path_factory.mktemp("pdfpages")
    pdf = make_pdf(folder)
    text = folder / "other.txt"
    text.write_text(render_text(synthesize("2021", random.Random(8), organ="岳阳市财政局", year=YEAR), "cells"),
                    encoding="utf-8")
    url = f"sqlite:///{folder / 'store.db'}"
    store = open_store(url)
    try:
        summary = ingest(store, [str(pdf), str(text)], workers=0)
        assert not summary.failed, summary.failed
        ids = _ids_by_media(store)
    finally:
        store.close()
    yield url, pdf, ids["application/pdf"], ids["text/plain"]


def _ids_by_media(store: Store) -> dict[str, int]:
    from sqlalchemy import select

    from gongkai.store import reports

    with store.reading() as conn:
        return {m: i for i, m in conn.execute(select(reports.c.id, reports.c.media_type)).all()}


@pytest.fixture(scope="module")
def client(stored: tuple[str, Path, int, int]) -> Iterator[TestClient]:
    with TestClient(create_app(WebSettings(db_url=stored[0], secret_key="test", public_read=True))) as c:
        yield c


def _picture(client: TestClient, report_id: int, n: int):  # type: ignore[no-untyped-def]
    from PIL import Image

    res = client.get(f"/reports/{report_id}/pages/{n}.png")
    assert res.status_code == 200, res.text
    assert res.headers["content-type"] == "image/png"
    return Image.open(io.BytesIO(res.content))


def test_each_page_is_a_png_of_the_page_shape(client: TestClient, stored: tuple[str, Path, int, int]) -> None:
    _url, pdf, report_id, _text = stored
    sizes = pdf_sizes(pdf)
    assert len(sizes) >= 2  # the tables run onto a second page
    for n, (width, height) in enumerate(sizes, 1):
        image = _picture(client, report_id, n)
        assert image.width / image.height == pytest.approx(width / height, rel=0.005)
        assert 1.4 * width <= image.width <= 1.5 * width + 1  # drawn at 1.5 pixels a point


def test_a_cell_box_lies_on_its_figure_in_the_picture(client: TestClient,
                                                      stored: tuple[str, Path, int, int]) -> None:
    """The reader's box (points from the page's top left) scaled to the picture frames the figure's ink."""
    _url, pdf, report_id, _text = stored
    detail = client.get(f"/api/reports/{report_id}").json()
    (table,) = [t for t in detail["tables"] if t["key"] == NEW_TOTAL[0]]
    (row,) = [r for r in table["rows"] if r["key"] == NEW_TOTAL[1]]
    (cell,) = [c for c in row["cells"] if c["column"] == NEW_TOTAL[2]]
    prov = cell["provenance"]
    assert cell["raw"] and prov["page"] and prov["bbox"]
    image = _picture(client, report_id, prov["page"]).convert("L")
    k = image.width / pdf_sizes(pdf)[prov["page"] - 1][0]
    x0, top, x1, bottom = (round(v * k) for v in prov["bbox"])
    inner = image.crop((x0 + 4, top + 4, x1 - 4, bottom - 4))  # inside the ruling lines
    ink = inner.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert ink is not None, "no figure inside the cell's box"
    ink_width = ink[2] - ink[0]
    assert 0.3 * k * 7 * len(cell["raw"]) <= ink_width <= (x1 - x0)  # digits of about 7 points, not a line
    # The box is where the figure is: shifted by its own height it no longer holds the same ink.
    shifted = image.crop((x0 + 4, top + 4 - (bottom - top), x1 - 4, bottom - 4 - (bottom - top)))
    assert shifted.tobytes() != inner.tobytes()


def test_what_has_no_page_is_not_found(client: TestClient, stored: tuple[str, Path, int, int]) -> None:
    _url, pdf, report_id, text_id = stored
    count = len(pdf_sizes(pdf))
    for path in (f"/reports/{report_id}/pages/0.png", f"/reports/{report_id}/pages/{count + 1}.png",
                 f"/reports/{text_id}/pages/1.png", "/reports/99999/pages/1.png"):
        res = client.get(path)
        assert res.status_code == 404, path
        assert re.search("没有|不是 PDF", res.json()["detail"]), res.json()
    assert f"共 {count} 页" in client.get(f"/reports/{report_id}/pages/{count + 1}.png").json()["detail"]


def test_the_report_page_lists_every_page(client: TestClient, stored: tuple[str, Path, int, int]) -> None:
    _url, pdf, report_id, text_id = stored
    sizes = pdf_sizes(pdf)
    html = client.get(f"/reports/{report_id}").text
    assert f"页面图像（共 {len(sizes)} 页）" in html
    figures = re.findall(r'<figure class="pdf-page" data-page="(\d+)" data-width="([\d.]+)" data-height="([\d.]+)"',
                         html)
    assert [int(n) for n, _w, _h in figures] == list(range(1, len(sizes) + 1))
    for (_n, w, h), (width, height) in zip(figures, sizes, strict=True):
        assert float(w) == pytest.approx(width, abs=0.01) and float(h) == pytest.approx(height, abs=0.01)
    for n in range(1, len(sizes) + 1):
        assert f'src="/reports/{report_id}/pages/{n}.png"' in html and f'alt="第{n}页"' in html
    assert 'id="source"' in html  # the text source view stays
    other = client.get(f"/reports/{text_id}").text
    assert "pdf-page" not in other and "页面图像" not in other


def test_private_reading_covers_the_pictures(stored: tuple[str, Path, int, int]) -> None:
    url, _pdf, report_id, _text = stored
    with TestClient(create_app(WebSettings(db_url=url, secret_key="test", public_read=False))) as c:
        res = c.get(f"/reports/{report_id}/pages/1.png")
    assert res.status_code == 401 and "登录" in res.json()["detail"]


def test_rotated_and_cropped_pages_carry_what_maps_the_reader_boxes(tmp_path: Path,
                                                                     stored: tuple[str, Path, int, int]) -> None:
    """A page turned a quarter and cropped: drawn at its turned size, with the crop's offsets and the turn
    that report.js applies to the reader's (unturned, media-box) coordinates."""
    import pypdfium2 as pdfium

    from gongkai.web.pdf_pages import page_sizes

    pdf = pdfium.PdfDocument(stored[1].read_bytes())
    media_top = pdf[0].get_mediabox()[3]
    for i in range(len(pdf)):
        pdf[i].set_rotation(90)
        pdf[i].set_cropbox(30, 40, 560, 800)
    turned = tmp_path / "turned.pdf"
    with turned.open("wb") as out:
        pdf.save(out)
    pdf.close()
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        assert not ingest(store, [str(turned)], workers=0).failed
        (report_id,) = _ids_by_media(store).values()
        first = page_sizes(store, report_id)[0]
    finally:
        store.close()
    assert (first.width, first.height, first.rotate) == (760, 530, 90)
    assert (first.x0, first.y0) == (30, pytest.approx(media_top - 800, abs=0.01))
    assert first.pixel_width == round(760 * 1.5)


def test_a_huge_page_is_drawn_smaller() -> None:
    from gongkai.web.pdf_pages import MAX_PIXELS, MAX_SIDE, SCALE, scale_for

    assert scale_for(595, 842) == SCALE
    s = scale_for(14400, 14400)  # the largest page PDF allows
    assert (14400 * s) ** 2 <= MAX_PIXELS * 1.001 and 14400 * s <= MAX_SIDE
