"""An organ files its own report in a real browser: the drafter creates the draft, types a figure that breaks a
table-3 identity and sees the error at that cell (docs/screenshots/draft-error.png), fixes it; the approver
submits; the superior's reviewer returns it with a comment at a cell; it is resubmitted, accepted and published,
and the published report is in the corpus with its figures. Three users, each signed in through the login page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gongkai.filing import service
from gongkai.filing.drafts import Edit, grid
from gongkai.store import open_store
from gongkai.store import registers as regs
from gongkai.web.users import add_user
from tests.conftest import needs, seed_path
from tests.filing.test_drafts import consistent
from tests.web.browser.conftest import CHROMIUM, VIEWPORT, serving
from tests.web.browser.test_browse import screenshot

pytestmark = needs(CHROMIUM.exists(), "chromium not installed")

CITY, BUREAU = "沙门市人民政府", "沙门市住房和城乡建设局"
PASSWORD = "pass-word-1"
CELL = "requests.granted.natural_person"  # table 3, （一）予以公开 · 自然人
TIMEOUT = 20_000  # ms: publishing reads the report back into the corpus


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The application over a store with one seed, the bureau under the city government and its three users:
    (URL, store URL)."""
    folder: Path = tmp_path_factory.mktemp("filing")
    with serving(folder, [seed_path("000")]) as url:
        db_url = f"sqlite:///{folder / 'store.db'}"
        store = open_store(db_url)
        try:
            gov = regs.ensure_office(store, CITY)
            bureau = regs.ensure_office(store, BUREAU, parent=CITY)
            for user, office, role in (("wang", bureau, "drafter"), ("li", bureau, "approver"),
                                       ("zhao", gov, "reviewer")):
                add_user(store, user, PASSWORD)
                regs.grant(store, user, office, role)
        finally:
            store.close()
        yield url, db_url


class User:
    """One user's browser: its own context (cookies), signed in through the login page."""

    def __init__(self, browser: Any, url: str, name: str, violations: list[str]) -> None:
        self.url = url
        self.context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT)
        self.page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text
                     else None)
        self.page.add_init_script("document.addEventListener('securitypolicyviolation', e => console.error("
                                  "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));")
        self.page.goto(f"{url}/login?next=/drafts")
        self.page.fill("input[name=name]", name)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("form.account button[type=submit]")
        self.page.wait_for_url(f"{url}/drafts")

    def open(self, draft_id: int) -> Any:
        self.page.goto(f"{self.url}/drafts/{draft_id}")
        return self.page

    def step(self, draft_id: int, code: str, status: str) -> None:
        from playwright.sync_api import expect

        page = self.open(draft_id)
        page.click(f"#step-{code} button[type=submit]")
        expect(page.locator("#status-label")).to_have_text(status, timeout=TIMEOUT)


def fill_consistent(db_url: str, draft_id: int) -> int:
    """Every cell and section of the draft filled with consistent figures (as the drafter, through the service):
    the figure of `CELL`."""
    content = consistent(seed=3)
    store = open_store(db_url)
    try:
        edits = [Edit(str(content.value(c.table, c.row, c.column)), c.table, c.row, c.column) for c in grid("2021")]
        edits += [Edit(text, section=key) for key, text in content.sections.items()]
        service.edit(store, draft_id, edits, by="wang")
    finally:
        store.close()
    return int(content.value("requests", "granted", "natural_person"))  # type: ignore[arg-type]


def test_a_report_is_written_checked_filed_and_published(browser: Any, site: tuple[str, str]) -> None:
    from playwright.sync_api import expect

    url, db_url = site
    violations: list[str] = []
    wang = User(browser, url, "wang", violations)

    # The drafter creates the draft for last year from the 年度报告 page.
    page = wang.page
    page.click("#create-draft button[type=submit]")
    page.wait_for_url(f"{url}/drafts/*?created=1")
    draft_id = int(page.url.split("/drafts/")[1].split("?")[0])
    expect(page.locator("#draft-notice")).to_have_text("已新建草稿。")
    value = fill_consistent(db_url, draft_id)
    page = wang.open(draft_id)
    expect(page.locator("#finding-counts")).to_contain_text("0 处错误")

    # A figure that breaks table 3's identities: the error shows at that cell as soon as it is left.
    cell = page.locator(f'td[data-cell="{CELL}"]')
    page.fill(f'input[name="{CELL}"]', str(value + 3))
    page.press(f'input[name="{CELL}"]', "Tab")
    expect(cell.locator(".filing-msg")).to_contain_text("相差-3")
    expect(cell).to_have_class("filing-cell filing-error")
    expect(page.locator("#finding-counts")).to_contain_text("2 处错误")
    assert page.locator("#findings li[data-severity=error]").count() == 2
    cell.evaluate("td => td.scrollIntoView({block: 'center', inline: 'center'})")
    screenshot(page, "draft-error")

    # Fixed: the error is gone from the cell and from the list.
    page.fill(f'input[name="{CELL}"]', str(value))
    page.press(f'input[name="{CELL}"]', "Tab")
    expect(page.locator("#finding-counts")).to_contain_text("0 处错误")
    expect(cell.locator(".filing-msg")).to_be_empty()
    expect(cell).to_have_class("filing-cell")

    # The approver submits; the report is locked.
    li = User(browser, url, "li", violations)
    li.step(draft_id, "submit", "已报送")
    expect(li.page.locator(f'input[name="{CELL}"]')).to_have_attribute("readonly", "")

    # The superior's reviewer finds it in the overview and returns it with a comment at the cell.
    zhao = User(browser, url, "zhao", violations)
    zhao.page.goto(f"{url}/drafts")
    zhao.page.click("#reviews a")
    expect(zhao.page.locator("#units")).to_contain_text("已报送")
    zhao.page.click("#units a:text('查看')")
    zhao.page.select_option("select[name=target_1]", f"cell:{CELL}")
    zhao.page.fill("input[name=text_1]", "请核对自然人申请数")
    zhao.page.click("#step-return button[type=submit]")
    expect(zhao.page.locator("#status-label")).to_have_text("已退回")

    # The drafter sees the comment beside the cell; the approver submits again, the reviewer accepts.
    page = wang.open(draft_id)
    expect(page.locator(f'td[data-cell="{CELL}"] .filing-comment')).to_have_text("审核意见：请核对自然人申请数")
    li.step(draft_id, "submit", "已报送")
    zhao.step(draft_id, "accept", "已审核通过")
    li.step(draft_id, "publish", "已公开")

    # The published report is in the corpus, with its figures.
    li.page.click("#published-link a")
    li.page.wait_for_url(f"{url}/reports/*")
    report_id = li.page.url.rsplit("/", 1)[1]
    expect(li.page.locator(f'td.cell[data-key="{CELL}"]')).to_have_text(str(value))
    total = consistent(seed=3).value("requests", "new_received", "total")
    expect(li.page.locator('td.cell[data-key="requests.new_received.total"]')).to_have_text(str(total))
    li.page.goto(f"{url}/?q=住房和城乡建设局")
    listed = li.page.locator(f'#reports a[href$="/reports/{report_id}"]')
    expect(listed).to_have_text(BUREAU)
    assert not violations
    for user in (wang, li, zhao):
        user.context.close()
