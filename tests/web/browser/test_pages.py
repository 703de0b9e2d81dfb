"""The other pages in a real browser: upload a report to 核查 and see its findings, and the 统计 page's chart;
each writes its screenshot (docs/screenshots/check.png, stats.png) and none breaks the page's policy."""

from __future__ import annotations

from typing import Any

import httpx

from gongkai import parse_path
from gongkai.check import check
from tests.conftest import needs, seed_path
from tests.web.browser.conftest import CHROMIUM
from tests.web.browser.test_browse import screenshot

pytestmark = needs(CHROMIUM.exists(), "chromium not installed")


def _csp_violations(console: list[str]) -> list[str]:
    return [m for m in console if "Content Security Policy" in m]


def test_uploading_a_report_to_check_shows_its_findings(page: Any, console: list[str], base_url: str,
                                                        api: httpx.Client) -> None:
    seed = seed_path("002")
    expected = {f.code for f in check(parse_path(seed))}
    assert expected  # the seed has findings to show
    before = api.get("/api/reports").json()["count"]
    page.goto(f"{base_url}/check")
    page.set_input_files("input[name=file]", str(seed))
    page.click("text=核查文件")
    page.wait_for_selector("#findings")
    shown = {code.inner_text() for code in page.locator("#findings li.finding > code").all()}
    assert shown == expected
    assert "成安县" in page.locator("#meta").inner_text()
    screenshot(page, "check")
    assert api.get("/api/reports").json()["count"] == before  # checked, not stored
    assert not _csp_violations(console)


def test_the_stats_page_draws_its_charts(page: Any, console: list[str], base_url: str) -> None:
    page.goto(f"{base_url}/stats")
    page.wait_for_selector(".main-svg")
    assert page.locator(".main-svg").count() >= 1
    screenshot(page, "stats")
    assert not _csp_violations(console)


def test_the_compare_and_rules_pages(page: Any, console: list[str], base_url: str, api: httpx.Client) -> None:
    cities = api.get("/api/choices").json()["cities"][:2]
    assert len(cities) == 2
    page.goto(f"{base_url}/compare?region={cities[0]}&region={cities[1]}")
    page.wait_for_selector(".main-svg")
    screenshot(page, "compare")
    page.goto(f"{base_url}/rules")
    assert page.locator("#rules tbody tr").count() > 0
    screenshot(page, "rules")
    assert not _csp_violations(console)
