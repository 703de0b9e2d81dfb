"""Screenshot of an organ's report in the official layout: seed 004's prose and figures rendered by
`gongkai.render.official.to_html`, shown in Debian's chromium (driven by Playwright, nothing downloaded).

Usage: .venv/bin/python scripts/render_official_screenshot.py [output.png]
Writes docs/screenshots/official-layout.png by default.
"""

from __future__ import annotations

import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from gongkai import parse_path
from gongkai.model import TABLE_KEYS, Report
from gongkai.render.official import CellValue, ReportContent, to_html

ROOT = Path(__file__).resolve().parents[1]
SEED = next((ROOT / "tests" / "fixtures" / "seeds").glob("004_*"))
OUTPUT = ROOT / "docs" / "screenshots" / "official-layout.png"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _value(value: int | float | None) -> CellValue:
    return Decimal(str(value)) if isinstance(value, float) else value


def _clean(text: str) -> str:
    """The section without the lines `gongkai check` flags as injected spam (seed 004's site carried gambling
    advertising inside its prose): the screenshot shows the organ's report, not the site's compromise."""
    from gongkai.check.integrity import _injected

    return "\n".join(line for line in text.splitlines() if not _injected().search(line))


def content_of(report: Report) -> ReportContent:
    """The organ's prose and figures as gongkai read them from the seed."""
    cells = {}
    for key in TABLE_KEYS:
        table = report.table(key)
        if table is not None:
            cells[key] = {row: {col: None if c is None else _value(c.value) for col, c in cols.items()}
                          for row, cols in table.cells.items()}
    meta = report.meta
    if not (meta.format and meta.organ and meta.year):
        raise SystemExit("种子报告缺少格式、机关或年度，无法重新排版")
    prose = {k: _clean(v) for k, v in report.sections.items() if v}
    return ReportContent(meta.format, meta.organ, meta.year, meta.published, prose, cells)


def screenshot(html: str, output: Path) -> None:
    """Open the page from a file in headless chromium and save a full-page PNG."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "report.html"
        page_file.write_text(html, "utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
                page.goto(page_file.as_uri())
                output.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(output), full_page=True)
            finally:
                browser.close()


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    screenshot(to_html(content_of(parse_path(SEED))), output)
    print(f"已写入 {output}")


if __name__ == "__main__":
    main()
