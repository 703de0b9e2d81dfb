"""The pages as a reader uses them in a real browser: the 报告库 list (count, region filter, sorting), the
报告 page (a cell leads to its source and back, a finding to its cells) and the 规则 page. Each test writes
the screenshot the documentation shows (docs/screenshots/)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import needs
from tests.web.browser.conftest import CHROMIUM

pytestmark = needs(CHROMIUM.exists(), "chromium not installed")

SCREENSHOTS = Path(__file__).parents[3] / "docs" / "screenshots"
NEW_TOTAL = "requests.new_received.total"  # table 3, 新收政府信息公开申请数量 · 总计


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def shown_count(page: Any) -> int:
    return int(page.locator("#count strong").inner_text())


def row_ids(page: Any, n: int) -> list[int]:
    """The report ids of the first `n` rows of the list, from their organ links."""
    hrefs = page.locator("#reports tbody tr td:first-child a").evaluate_all("as => as.map(a => a.pathname)")
    return [int(h.rsplit("/", 1)[1]) for h in hrefs[:n]]


def cell_of(detail: dict[str, Any], key: str) -> dict[str, Any]:
    table, row, column = key.split(".")
    (t,) = [t for t in detail["tables"] if t["key"] == table]
    (r,) = [r for r in t["rows"] if r["key"] == row]
    (c,) = [c for c in r["cells"] if c["column"] == column]
    return c


def report_with_cell(api: httpx.Client, media_type: str) -> tuple[int, dict[str, Any]]:
    """A stored report of `media_type` whose table-3 total of new requests was read, and that cell."""
    for item in api.get("/api/reports", params={"per_page": 500}).json()["items"]:
        detail = api.get(f"/api/reports/{item['id']}").json()
        if detail["media_type"] == media_type and detail["tables"]:
            cell = cell_of(detail, NEW_TOTAL)
            if cell["raw"] is not None and cell["provenance"]:
                return item["id"], cell
    pytest.fail(f"no {media_type} report with {NEW_TOTAL} in the store")


def block_selector(prov: dict[str, Any]) -> str:
    """The source block a provenance names (the reader's table position when it has one, else its line)."""
    if prov.get("table") is not None:
        return f'#source .blk[data-table="{prov["table"]}"][data-row="{prov["row"]}"][data-col="{prov["col"]}"]'
    return f'#source .blk[data-line="{prov["line"]}"]'


def in_source_panel(page: Any, block: Any) -> bool:
    """Whether the block lies inside the visible part of the scrolled source panel."""
    return block.evaluate("""b => { const s = document.getElementById('source').getBoundingClientRect();
        const r = b.getBoundingClientRect(); return r.top >= s.top && r.bottom <= s.bottom; }""")


def no_csp_violation(console: list[str]) -> None:
    assert not [m for m in console if "Content Security Policy" in m], console


def test_corpus_count_and_region_filter(page: Any, base_url: str, api: httpx.Client) -> None:
    page.goto(base_url + "/")
    total = api.get("/api/reports").json()["count"]
    assert total >= 25
    assert shown_count(page) == total
    assert page.locator("#reports tbody tr").count() == total  # one page holds them all
    screenshot(page, "corpus")

    city = "长沙市"
    assert city in api.get("/api/choices").json()["cities"]
    expected = api.get("/api/reports", params={"region": city}).json()["count"]
    assert 0 < expected < total
    page.fill("input[name=region]", city)
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert "region=" in page.url
    assert shown_count(page) == expected
    regions = page.locator("#reports tbody tr td:nth-child(2)").all_inner_texts()
    assert len(regions) == expected and all(city in r for r in regions)


def test_sort_by_new_requests(page: Any, base_url: str, api: httpx.Client) -> None:
    page.goto(base_url + "/")
    with page.expect_navigation():
        page.click("#reports thead a:has-text('新收申请')")
    assert "sort=new_requests" in page.url
    ascending = api.get("/api/reports", params={"sort": "new_requests", "per_page": 5}).json()["items"]
    assert row_ids(page, 5) == [i["id"] for i in ascending]
    figures = [int(t) for t in page.locator("#reports tbody tr td:nth-child(4)").all_inner_texts()[:5]]
    assert figures == sorted(figures) and figures == [int(i["new_requests"]) for i in ascending]
    assert "▲" in page.locator("#reports thead th:nth-child(4)").inner_text()

    with page.expect_navigation():  # the same heading again: descending
        page.click("#reports thead a:has-text('新收申请')")
    descending = api.get("/api/reports", params={"sort": "new_requests", "desc": "true", "per_page": 5}).json()
    assert row_ids(page, 5) == [i["id"] for i in descending["items"]]
    figures = [int(t) for t in page.locator("#reports tbody tr td:nth-child(4)").all_inner_texts()[:5]]
    assert figures == sorted(figures, reverse=True)


@pytest.mark.parametrize("media_type", ["text/plain", "text/html"])
def test_report_cell_and_source_highlight_each_other(page: Any, console: list[str], base_url: str,
                                                     api: httpx.Client, media_type: str) -> None:
    report_id, cell = report_with_cell(api, media_type)
    page.goto(base_url + "/")
    with page.expect_navigation():
        page.click(f'#reports a[href$="/reports/{report_id}"]')
    assert page.url.endswith(f"/reports/{report_id}")
    td = page.locator(f'td.cell[data-key="{NEW_TOTAL}"]')
    assert td.inner_text() == cell["raw"]

    td.click()  # cell → source
    assert "hl" in td.get_attribute("class").split()
    lit = page.locator("#source .blk.hl")
    assert lit.count() >= 1
    assert cell["raw"] in lit.first.inner_text()
    assert in_source_panel(page, lit.first)
    if media_type == "text/html":
        screenshot(page, "report")

    other = page.locator('td.cell[data-key="requests.carried_over.total"]')
    other.focus()  # the keyboard does the same; the former highlighting goes
    page.keyboard.press("Enter")
    assert "hl" in other.get_attribute("class").split()
    assert "hl" not in td.get_attribute("class").split()

    block = page.locator(block_selector(cell["provenance"])).first
    block.click()  # source → cell
    assert "hl" in block.get_attribute("class").split()
    assert "hl" in td.get_attribute("class").split()
    assert "hl" not in other.get_attribute("class").split()
    no_csp_violation(console)


def test_finding_highlights_its_cells(page: Any, console: list[str], base_url: str, api: httpx.Client) -> None:
    chosen = None
    for item in api.get("/api/reports", params={"errors": "true", "per_page": 500}).json()["items"]:
        detail = api.get(f"/api/reports/{item['id']}").json()
        for index, f in enumerate(detail["findings"]):
            keys = {f"{c['table']}.{c['row']}.{c['column']}" for c in f["cells"] if c["row"] and c["column"]}
            if f["severity"] == "error" and keys:
                chosen = item["id"], index, keys
                break
        if chosen:
            break
    assert chosen, "no report with a finding on cells in the store"
    report_id, index, keys = chosen

    page.goto(f"{base_url}/reports/{report_id}")
    page.click(f'#findings li.finding[data-index="{index}"]')
    marked = page.locator("td.finding-cell")
    assert set(marked.evaluate_all("tds => tds.map(td => td.dataset.key)")) == keys
    assert all("hl" in c.split() for c in marked.evaluate_all("tds => tds.map(td => td.className)"))
    assert page.locator("#source .blk.hl").count() >= 1
    screenshot(page, "finding")

    first = page.locator("#findings li.finding").first
    first.focus()  # Enter on a focused finding activates it as a click does
    page.keyboard.press("Enter")
    assert "hl" in first.get_attribute("class").split()
    no_csp_violation(console)


def test_rules_page_lists_the_catalogue(page: Any, base_url: str) -> None:
    from gongkai.check import catalogue

    rules = catalogue()
    page.goto(base_url + "/rules")
    codes = page.locator("#rules tbody tr td:first-child").all_inner_texts()
    assert codes == [r.code for r in rules]
    assert re.search(rf"共 {len(rules)} 条规则", page.locator("main").inner_text())
