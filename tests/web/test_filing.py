"""Writing, checking and filing an organ's own report through the web pages and the JSON API (SQLite and
PostgreSQL): who may see and do what across organs and roles, live edits with their findings at the cell,
refused steps with their Chinese reasons, the audit trail cell by cell, the official renderings as downloads,
and the superior's view with its consolidated tables."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import openpyxl
import pytest
from fastapi.testclient import TestClient

from gongkai import parse_bytes
from gongkai.filing import service
from gongkai.filing.drafts import Edit, grid
from gongkai.registers import service as registers
from gongkai.store import Store
from gongkai.store import registers as regs
from gongkai.store.drafts import audit_trail
from gongkai.web import WebSettings, create_app
from gongkai.web.users import add_user
from tests.conftest import needs
from tests.filing.test_drafts import consistent

CITY, BUREAU, OTHER = "沙门市人民政府", "沙门市住房和城乡建设局", "沙门市自然资源局"
PASSWORD = "pass-word-1"
YEAR = 2025
CELL = "requests.granted.natural_person"  # table 3, （一）予以公开 · 自然人


@pytest.fixture
def offices(store: Store) -> dict[str, regs.Office]:
    """wang drafts and li approves the bureau's report; zhao reviews for the city; sun approves another organ's;
    nobody holds no role."""
    gov = regs.ensure_office(store, CITY)
    bureau = regs.ensure_office(store, BUREAU, parent=CITY)
    other = regs.ensure_office(store, OTHER, parent=CITY)
    for user in ("wang", "li", "zhao", "sun", "nobody"):
        add_user(store, user, PASSWORD)
    regs.grant(store, "wang", bureau, "drafter")
    regs.grant(store, "li", bureau, "approver")
    regs.grant(store, "zhao", gov, "reviewer")
    regs.grant(store, "sun", other, "approver")
    return {"gov": gov, "bureau": bureau, "other": other}


Login = Callable[[str], TestClient]


@pytest.fixture
def login(store: Store, offices: dict) -> Iterator[Login]:
    """A client signed in (through the login page) as the given user, with the session's CSRF header."""
    with ExitStack() as stack:
        def signed_in(user: str) -> TestClient:
            client = stack.enter_context(TestClient(create_app(WebSettings(db_url=store.url, secret_key="test"))))
            token = _csrf(client.get("/login").text)
            res = client.post("/login", data={"name": user, "password": PASSWORD, "csrf_token": token},
                              follow_redirects=False)
            assert res.status_code == 303
            client.headers["X-CSRF-Token"] = client.get("/api/csrf").json()["csrf_token"]
            return client

        yield signed_in


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def filled(store: Store, office: regs.Office, user: str = "wang", seed: int = 3) -> int:
    """A draft with consistent figures and every section written (made through the service)."""
    record = service.create(store, office, YEAR, by=user)
    content = consistent(seed=seed)
    edits = [Edit(str(content.value(c.table, c.row, c.column)), c.table, c.row, c.column) for c in grid("2021")]
    edits += [Edit(text, section=key) for key, text in content.sections.items()]
    return service.edit(store, record.id, edits, by=user).id


def cell_box(html: str, name: str) -> str:
    """The grid cell `name` of a page: its <td> with the input, messages and comments."""
    found = re.search(rf'<td class="[^"]*" data-cell="{re.escape(name)}">(.*?)</td>', html, re.S)
    assert found is not None, name
    return found.group(0)


def test_the_pages_and_the_api_need_a_signed_in_user(store: Store, offices: dict) -> None:
    draft_id = filled(store, offices["bureau"])
    with TestClient(create_app(WebSettings(db_url=store.url, secret_key="test"))) as anonymous:
        res = anonymous.get(f"/drafts/{draft_id}", follow_redirects=False)
        assert (res.status_code, res.headers["location"]) == (303, f"/login?next=/drafts/{draft_id}")
        assert anonymous.get("/drafts", follow_redirects=False).status_code == 303
        assert anonymous.get(f"/api/drafts/{draft_id}").status_code == 401
        token = anonymous.get("/api/csrf").json()["csrf_token"]
        res = anonymous.patch(f"/api/drafts/{draft_id}", json=[{"section": "other", "text": "x"}],
                              headers={"X-CSRF-Token": token})
        assert res.status_code == 401 and res.json()["detail"] == "需要登录后才能执行此操作"
        assert "年度报告" not in anonymous.get("/").text  # the nav link is for signed-in users


def test_creating_a_draft_says_what_was_prefilled_and_shows_the_official_grid(store: Store, offices: dict,
                                                                             login: Login) -> None:
    registers.new_request(store, offices["bureau"], {"id": "A1", "received": "2024-12-20", "channel": "网络申请",
                                                     "applicant": "commercial", "content": "…"}, by="wang")
    wang = login("wang")
    index = wang.get("/drafts").text
    assert BUREAU in index and 'id="create-draft"' in index
    res = wang.post("/drafts", data={"csrf_token": _csrf(index), "office": offices["bureau"].key, "year": str(YEAR),
                                     "format": "2021"}, follow_redirects=False)
    assert res.status_code == 303
    page = wang.get(res.headers["location"]).text
    assert "已新建草稿" in page and "新建时预填" in page and "取自本机关的台账" in page
    assert 'value="1"' in cell_box(page, "requests.carried_over.commercial")  # from the register
    assert len(re.findall(r'<input name="(?:proactive|requests|review_litigation)\.', page)) == 200
    for label in ("收到和处理政府信息公开申请情况", "（三）不予公开", "法人或其他组织", "本年收费金额（单位：万元）",
                  "一、总体情况", "按主动公开、依申请公开"):
        assert label in page, label
    again = wang.post("/drafts", data={"csrf_token": _csrf(index), "office": offices["bureau"].key,
                                       "year": str(YEAR)})
    assert again.status_code == 422 and "已经有草稿" in again.text
    listed = wang.get("/drafts").text
    assert "草稿" in listed and "已逾期" in listed  # due 31 January of the next year, today is later


def test_another_organs_user_sees_nothing_of_the_draft(store: Store, offices: dict, login: Login) -> None:
    draft_id = filled(store, offices["bureau"])
    for user in ("sun", "nobody"):
        client = login(user)
        res = client.get(f"/drafts/{draft_id}")
        assert res.status_code == 403 and "无权查看这份报告" in res.text and "本机关" not in res.text.split("<main>")[0]
        assert client.get(f"/api/drafts/{draft_id}").status_code == 403
        assert client.get(f"/drafts/{draft_id}/history").status_code == 403
        assert client.get(f"/api/drafts/{draft_id}/render.html").status_code == 403
        res = client.patch(f"/api/drafts/{draft_id}", json=[{"section": "other", "text": "改"}])
        assert res.status_code == 403
        res = client.post(f"/api/drafts/{draft_id}/steps/submit")
        assert res.status_code == 403
        assert client.get(f"/api/drafts/overview?office={offices['gov'].key}&year={YEAR}").status_code == 403
    assert [e.action for e in audit_trail(store, draft_id)] == ["create", "edit"]  # nothing changed


def test_a_drafter_cannot_submit_and_a_reviewer_cannot_edit(store: Store, offices: dict, login: Login) -> None:
    draft_id = filled(store, offices["bureau"])
    wang, zhao = login("wang"), login("zhao")
    page = wang.get(f"/drafts/{draft_id}").text
    assert 'id="step-submit"' not in page  # the drafter is not offered the step …
    res = wang.post(f"/drafts/{draft_id}/steps/submit", data={"csrf_token": _csrf(page)})
    assert res.status_code == 403 and "只有本机关的审核人可以报送" in res.text  # … and is refused it

    page = zhao.get(f"/drafts/{draft_id}").text  # the superior's reviewer reads the draft, read-only
    assert 'id="save"' not in page and "readonly" in cell_box(page, CELL)
    res = zhao.patch(f"/api/drafts/{draft_id}", json=[{"table": "requests", "row": "granted",
                                                       "column": "natural_person", "text": "1"}])
    assert res.status_code == 403 and res.json()["message"] == "只有本机关的撰写人或审核人可以修改本机关的年度报告"
    res = zhao.post(f"/drafts/{draft_id}", data={"csrf_token": _csrf(page), CELL: "1"})
    assert res.status_code == 403


def test_a_refused_transition_shows_its_message(store: Store, offices: dict, login: Login) -> None:
    li = login("li")
    draft_id = li.post("/api/drafts", json={"office": offices["bureau"].key, "year": YEAR}).json()["id"]
    page = li.get(f"/drafts/{draft_id}").text
    res = li.post(f"/drafts/{draft_id}/steps/submit", data={"csrf_token": _csrf(page)})
    assert res.status_code == 422
    shown = re.search(r'id="step-error" role="alert">([^<]+)<', res.text)
    assert shown is not None and "不能报送" in shown.group(1) and "处错误" in shown.group(1)
    res = li.post(f"/api/drafts/{draft_id}/steps/accept")  # an organ does not accept its own report
    assert res.status_code == 403 and "只有上级机关的审核人" in res.json()["message"]
    assert li.get(f"/api/drafts/{draft_id}").json()["status"] == "draft"


def test_a_live_edit_returns_the_findings_at_the_cell(store: Store, offices: dict, login: Login) -> None:
    draft_id = filled(store, offices["bureau"])
    wang = login("wang")
    before = wang.get(f"/api/drafts/{draft_id}").json()
    assert before["counts"]["error"] == 0 and before["editable"]
    value = before["cells"]["requests"]["granted"]["natural_person"]
    res = wang.patch(f"/api/drafts/{draft_id}", json={"revision": before["revision"], "edits": [
        {"table": "requests", "row": "granted", "column": "natural_person", "text": str(value + 3)}]})
    assert res.status_code == 200
    errors = [f for f in res.json()["findings"] if f["severity"] == "error"]
    assert errors and all(CELL in f["cells"] and f["code"].startswith("arithmetic.") for f in errors)
    assert res.json()["revision"] == before["revision"] + 1

    page = wang.get(f"/drafts/{draft_id}").text  # the page marks the cell and shows the message at the total
    assert "filing-error" in cell_box(page, CELL) and "相差" in cell_box(page, "requests.granted.total")

    stale = wang.patch(f"/api/drafts/{draft_id}", json={"revision": before["revision"], "edits": []})
    assert stale.status_code == 409 and "刚被他人修改" in stale.json()["message"]
    bad = wang.patch(f"/api/drafts/{draft_id}", json=[{"table": "requests", "row": "granted",
                                                        "column": "natural_person", "text": "三"}])
    assert bad.status_code == 422 and bad.json()["cell"] == CELL and "应为整数" in bad.json()["message"]
    fixed = wang.patch(f"/api/drafts/{draft_id}", json=[{"table": "requests", "row": "granted",
                                                          "column": "natural_person", "text": str(value)}])
    assert fixed.json()["counts"]["error"] == 0


def test_the_grid_form_saves_and_shows_a_bad_figure_beside_its_cell(store: Store, offices: dict,
                                                                   login: Login) -> None:
    draft_id = filled(store, offices["bureau"])
    wang = login("wang")
    del wang.headers["X-CSRF-Token"]  # as a browser posts the form: the token in its field
    page = wang.get(f"/drafts/{draft_id}").text
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": _csrf(page), "revision": revision, CELL: "-4", "overview": "本年度……"}
    res = wang.post(f"/drafts/{draft_id}", data=form)
    assert res.status_code == 422 and "不能为负数" in cell_box(res.text, CELL) and 'value="-4"' in res.text
    res = wang.post(f"/drafts/{draft_id}", data={**form, CELL: "7"}, follow_redirects=False)
    assert res.status_code == 303
    data = wang.get(f"/api/drafts/{draft_id}").json()
    assert data["cells"]["requests"]["granted"]["natural_person"] == 7 and data["sections"]["overview"] == "本年度……"
    res = wang.post(f"/drafts/{draft_id}", data={**form, CELL: "8"})  # the page's revision is now stale
    assert res.status_code == 409 and "刚被他人修改" in res.text
    res = wang.post(f"/drafts/{draft_id}", data={**form, "csrf_token": "guessed"})
    assert res.status_code == 403


def test_the_audit_trail_page_lists_the_changes_cell_by_cell(store: Store, offices: dict, login: Login) -> None:
    draft_id = filled(store, offices["bureau"])
    wang = login("wang")
    old = wang.get(f"/api/drafts/{draft_id}").json()["cells"]["requests"]["granted"]["natural_person"]
    wang.patch(f"/api/drafts/{draft_id}", json=[{"table": "requests", "row": "granted", "column": "natural_person",
                                                 "text": "999"}])
    page = login("li").get(f"/drafts/{draft_id}/history").text
    assert f"<li>表3·（一）予以公开·自然人：{old} → 999</li>" in page
    rows = re.findall(r'<tr data-action="(\w+)">\s*<td>[^<]+</td><td>(\w+)</td>', page)
    assert rows == [("create", "wang"), ("edit", "wang"), ("edit", "wang")]
    trail = wang.get(f"/api/drafts/{draft_id}/history").json()
    assert trail[-1]["detail"]["changes"] == [{"cell": CELL, "where": "表3·（一）予以公开·自然人", "old": str(old),
                                              "new": "999"}]


def test_the_renderings_download_and_read_back(store: Store, offices: dict, login: Login) -> None:
    draft_id = filled(store, offices["bureau"])
    li = login("li")
    res = li.get(f"/api/drafts/{draft_id}/render.html")
    assert res.headers["content-type"] == "text/html; charset=utf-8"
    assert res.headers["content-disposition"].startswith("attachment;")
    report = parse_bytes(res.content, "draft.html")
    expected = service._get(store, draft_id).content
    assert report.meta.organ == BUREAU and report.meta.year == YEAR
    for c in grid("2021"):
        cell = report.table(c.table).cells[c.row][c.column]
        value = expected.value(c.table, c.row, c.column)
        assert cell is not None and cell.value == (float(value) if c.kind == "money" else value), c
    res = li.get(f"/api/drafts/{draft_id}/render.docx")
    assert res.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert parse_bytes(res.content, "draft.docx").table("requests").cells["granted"]["total"].value \
        == expected.value("requests", "granted", "total")
    assert li.get(f"/api/drafts/{draft_id}/render.txt").status_code == 404


@needs(shutil.which("soffice") is not None, "LibreOffice not installed")
def test_the_pdf_rendering_downloads(store: Store, offices: dict, login: Login) -> None:
    draft_id = filled(store, offices["bureau"])
    res = login("wang").get(f"/api/drafts/{draft_id}/render.pdf")
    assert res.headers["content-type"] == "application/pdf" and res.content.startswith(b"%PDF")


def test_return_with_a_comment_at_a_cell_then_accept_publish_and_the_overview(store: Store, offices: dict,
                                                                             login: Login) -> None:
    draft_id = filled(store, offices["bureau"])
    li, zhao, wang = login("li"), login("zhao"), login("wang")
    assert li.post(f"/api/drafts/{draft_id}/steps/submit").json()["status"] == "submitted"
    page = zhao.get(f"/drafts/{draft_id}").text
    assert 'id="step-return"' in page and 'id="step-accept"' in page
    res = zhao.post(f"/drafts/{draft_id}/steps/return", data={"csrf_token": _csrf(page), "comment": ""})
    assert res.status_code == 422 and "退回时须写明意见" in res.text
    res = zhao.post(f"/drafts/{draft_id}/steps/return", follow_redirects=False, data={
        "csrf_token": _csrf(page), "comment": "请核对全文", "target_1": f"cell:{CELL}", "text_1": "请核对自然人申请数",
        "target_2": "section:problems", "text_2": "请写明改进措施"})
    assert res.status_code == 303
    page = wang.get(f"/drafts/{draft_id}").text
    assert "已退回" in page and "审核意见：请核对自然人申请数" in cell_box(page, CELL)
    section = re.search(r'data-section="problems">(.*?)</textarea>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "审核意见：请写明改进措施" in section and "请核对全文" in page

    overview = zhao.get(f"/drafts/overview?office={offices['gov'].key}&year={YEAR}").text
    assert BUREAU in overview and "已退回" in overview and OTHER in overview and "未开始" in overview
    assert li.get(f"/drafts/overview?office={offices['gov'].key}&year={YEAR}").status_code == 403

    li.post(f"/api/drafts/{draft_id}/steps/submit")
    assert zhao.post(f"/api/drafts/{draft_id}/steps/accept").json()["status"] == "accepted"
    data = zhao.get(f"/api/drafts/overview?office={offices['gov'].key}&year={YEAR}").json()
    expected = consistent(seed=3).value("requests", "granted", "total")
    assert data["consolidated"]["units"] == [BUREAU]
    assert data["consolidated"]["cells"]["requests"]["granted"]["total"] == expected
    overview = zhao.get(f"/drafts/overview?office={offices['gov'].key}&year={YEAR}").text
    assert "汇总规则" in overview and f"汇总的机关（1个）：{BUREAU}" in overview
    xlsx = zhao.get(f"/drafts/overview/export?office={offices['gov'].key}&year={YEAR}")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheets = openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames
    assert sheets == ["报送情况", "汇总表二", "汇总表三", "汇总表四"]

    page = li.get(f"/drafts/{draft_id}").text
    assert 'id="step-publish"' in page
    res = li.post(f"/drafts/{draft_id}/steps/publish", data={"csrf_token": _csrf(page)}, follow_redirects=False)
    assert res.status_code == 303
    data = li.get(f"/api/drafts/{draft_id}").json()
    assert data["status"] == "published" and data["report_id"]
    report = li.get(f"/api/reports/{data['report_id']}").json()
    assert report["meta"]["organ"] == BUREAU


def test_a_warning_is_acknowledged_with_a_reason(store: Store, offices: dict, login: Login) -> None:
    draft_id = filled(store, offices["bureau"])
    wang = login("wang")
    data = wang.patch(f"/api/drafts/{draft_id}", json=[{"section": "other", "text": ""}]).json()
    warning = next(f for f in data["findings"] if f["severity"] == "warning")
    page = wang.get(f"/drafts/{draft_id}").text
    assert f'value="{warning["key"]}"' in page  # the page offers the acknowledgement
    res = wang.post(f"/drafts/{draft_id}/acknowledge", data={"csrf_token": _csrf(page), "key": warning["key"],
                                                             "reason": "  "})
    assert res.status_code == 422 and "确认警告须写明理由" in res.text
    res = wang.post(f"/api/drafts/{draft_id}/acknowledge", json={"key": warning["key"], "reason": "本年度无其他事项"})
    assert res.status_code == 200
    page = wang.get(f"/drafts/{draft_id}").text
    assert "已确认：本年度无其他事项（wang）" in page
