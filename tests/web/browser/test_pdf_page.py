"""A PDF report's 页面图像 in a real browser: a table-3 cell draws its box over the picture of its page, where
the figure is (the reader's box in points scaled by the picture's width over the page's), and a click on
the picture lights the cell found there. Writes docs/screenshots/report-pdf.png."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import needs
from tests.web.browser.conftest import CHROMIUM, serving
from tests.web.browser.test_browse import cell_of, screenshot
from tests.web.test_pdf_pages import make_pdf

pytestmark = [needs(CHROMIUM.exists(), "chromium not installed"),
              needs(shutil.which("soffice") is not None, "LibreOffice not installed")]

NEW_TOTAL = "requests.new_received.total"  # table 3, 新收政府信息公开申请数量 · 总计
CARRIED = "requests.carried_over.total"  # table 3, 上年结转政府信息公开申请数量 · 总计
TOLERANCE = 3  # pixels


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The application over a fresh SQLite store holding one text PDF report, served on a free port."""
    folder = tmp_path_factory.mktemp("browser-pdf")
    with serving(folder, [make_pdf(folder)]) as url:
        yield url


def _pdf_report(api: httpx.Client) -> dict[str, Any]:
    (item,) = api.get("/api/reports").json()["items"]
    detail = api.get(f"/api/reports/{item['id']}").json()
    assert detail["media_type"] == "application/pdf"
    return detail


def _geometry(page: Any, page_number: int) -> dict[str, Any]:
    """Where the picture of the page and the boxes over it are (CSS pixels), once the picture has loaded."""
    fig = page.locator(f'#pages figure.pdf-page[data-page="{page_number}"]')
    img = fig.locator("img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    return fig.evaluate("""f => { const img = f.querySelector('img').getBoundingClientRect();
        const panel = document.getElementById('pages').getBoundingClientRect();
        return {width: Number(f.dataset.width), img: {x: img.x, y: img.y, w: img.width, h: img.height},
                panel: {top: panel.top, bottom: panel.bottom},
                boxes: Array.from(f.querySelectorAll('.pdf-box')).map(b => {
                    const r = b.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; })}; }""")


def _expected(geo: dict[str, Any], bbox: list[float]) -> tuple[float, float, float, float]:
    """The reader's box in points as CSS pixels from the picture's top left."""
    k = geo["img"]["w"] / geo["width"]
    return bbox[0] * k, bbox[1] * k, (bbox[2] - bbox[0]) * k, (bbox[3] - bbox[1]) * k


def _assert_box_at(geo: dict[str, Any], bbox: list[float]) -> None:
    (box,) = geo["boxes"]
    x, y, w, h = _expected(geo, bbox)
    got = (box["x"] - geo["img"]["x"], box["y"] - geo["img"]["y"], box["w"], box["h"])
    assert all(abs(a - b) <= TOLERANCE for a, b in zip(got, (x, y, w, h), strict=True)), (got, (x, y, w, h))


def test_a_cell_is_boxed_on_its_page_and_the_page_leads_back(page: Any, console: list[str], base_url: str,
                                                           api: httpx.Client) -> None:
    detail = _pdf_report(api)
    cell, other = cell_of(detail, NEW_TOTAL), cell_of(detail, CARRIED)
    prov, other_prov = cell["provenance"], other["provenance"]
    assert cell["raw"] and prov["page"] and prov["bbox"] and other_prov["bbox"]
    page.goto(f"{base_url}/reports/{detail['id']}")
    assert page.locator("#pages figure.pdf-page").count() >= 2

    td = page.locator(f'td.cell[data-key="{NEW_TOTAL}"]')
    td.click()  # cell → its box over its page, brought into the pages panel
    box = page.locator(f'#pages figure.pdf-page[data-page="{prov["page"]}"] .pdf-box')
    assert box.count() == 1 and box.is_visible()
    assert page.locator("#pages .pdf-box").count() == 1
    geo = _geometry(page, prov["page"])
    _assert_box_at(geo, prov["bbox"])
    (drawn,) = geo["boxes"]
    assert geo["panel"]["top"] <= drawn["y"] and drawn["y"] + drawn["h"] <= geo["panel"]["bottom"]
    assert page.locator("#source .blk.hl").count() >= 1  # the text source view still answers
    screenshot(page, "report-pdf")

    # picture → cell: a click in the middle of the other cell's box on its page
    fig = page.locator(f'#pages figure.pdf-page[data-page="{other_prov["page"]}"]')
    x, y, w, h = _expected(_geometry(page, other_prov["page"]), other_prov["bbox"])
    fig.evaluate("""(f, y) => { const p = document.getElementById('pages');
        p.scrollTop += f.querySelector('img').getBoundingClientRect().top + y - p.getBoundingClientRect().top
                       - p.clientHeight / 2; }""", y + h / 2)
    geo = _geometry(page, other_prov["page"])
    page.mouse.click(geo["img"]["x"] + x + w / 2, geo["img"]["y"] + y + h / 2)
    other_td = page.locator(f'td.cell[data-key="{CARRIED}"]')
    assert "hl" in other_td.get_attribute("class").split()
    assert "hl" not in td.get_attribute("class").split()
    _assert_box_at(_geometry(page, other_prov["page"]), other_prov["bbox"])
    assert not [m for m in console if "Content Security Policy" in m], console
