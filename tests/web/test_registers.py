"""The registers in the web application (SQLite and PostgreSQL): an office's drafter registers requests and
records their events through the pages and the JSON API (the same functions as the command line), sees each
deadline with its steps, the open requests with the overdue ones flagged, the year's tables; a spreadsheet
imports all or nothing. Registers hold personal data: the signed-out, users of another office and reviewers
are refused and never see an applicant's name."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

import openpyxl
import pytest
from fastapi.testclient import TestClient

from gongkai.store import Store
from gongkai.store import registers as db
from gongkai.web import WebSettings, create_app
from gongkai.web.users import add_user

PASSWORD = "correct horse battery"
OFFICE, OTHER_OFFICE = "浏阳市人民政府", "长沙市教育局"
APPLICANT = "张三丰"  # personal data: only the office's drafters and approvers may ever see it
A1 = {"id": "A1", "received": "2025-09-26", "channel": "online", "applicant": "natural_person",
      "applicant_name": APPLICANT, "contact": "13800000000", "content": "申请公开2025年城区道路改造的招标文件"}

Client = Callable[[str | None], TestClient]


@pytest.fixture
def clients(store: Store) -> Iterator[Client]:
    """Clients signed in as the drafter, an approver, another office's drafter and a reviewer (or no one)."""
    office, other = db.ensure_office(store, OFFICE), db.ensure_office(store, OTHER_OFFICE)
    for name, where, role in (("撰写人", office, "drafter"), ("审核人", office, "approver"),
                              ("别的机关", other, "drafter"), ("上级审核", office, "reviewer")):
        add_user(store, name, PASSWORD)
        db.grant(store, name, where, role)
    app = create_app(WebSettings(db_url=store.url, secret_key="test", max_upload=1024 * 1024))
    opened: list[TestClient] = []

    def client(name: str | None) -> TestClient:
        c = TestClient(app)
        c.__enter__()
        opened.append(c)
        if name is not None:
            token = csrf(c, "/login")
            res = c.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token},
                         follow_redirects=False)
            assert res.status_code == 303
            c.headers["X-CSRF-Token"] = c.get("/api/csrf").json()["csrf_token"]
        return c

    yield client
    for c in opened:
        c.__exit__(None, None, None)


def csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None, f"no CSRF field on {path}"
    return found.group(1)


def base(office: str = OFFICE) -> str:
    return f"/registers/{quote(office)}"


def api(office: str = OFFICE) -> str:
    return f"/api/registers/{quote(office)}"


def form(client: TestClient, path: str, data: dict[str, str], **kw: object):
    """Submit a page's form as a browser would: the session's token in the form field, no header."""
    token = client.headers.pop("X-CSRF-Token")
    try:
        return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False, **kw)
    finally:
        client.headers["X-CSRF-Token"] = token


def event_form_html(page: str, code: str) -> str:
    """The HTML of one event's form on the request page."""
    found = re.search(rf'<form[^>]*id="event-{code}".*?</form>', page, re.S)
    assert found is not None, f"no form for {code}"
    return found.group(0)


def row_html(page: str, text: str) -> str:
    """The table row that contains `text`."""
    found = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(text)}.*?</tr>", page, re.S)
    assert found is not None, f"no row with {text}"
    return found.group(0)


def csv_bytes(rows: list[list[str]]) -> bytes:
    header = ["编号", "收到日期", "渠道", "申请人类型", "申请人姓名或名称", "申请内容", "答复日期", "答复类型"]
    return "\n".join(",".join(r) for r in [header, *rows]).encode("utf-8-sig")


# --- keeping the register --------------------------------------------------------------------------------

def test_a_drafter_registers_a_request_and_records_events_by_form_and_api(clients: Client) -> None:
    drafter = clients("撰写人")
    res = form(drafter, f"{base()}/requests", A1)
    assert (res.status_code, res.headers["location"]) == (303, f"{base()}/requests/A1")

    res = form(drafter, f"{base()}/requests/A1", {"event": "extension", "on": "2025-10-20", "days": "10",
                                                  "approved_by": "李主任"})
    assert res.status_code == 303
    page = drafter.get(f"{base()}/requests/A1?today=2025-10-21&done=extension").text
    assert "已登记：延期" in page and APPLICANT in page
    assert "答复期限：2025年11月13日" in page and "还剩 17 个工作日" in page
    assert "经李主任同意延长答复期限10个工作日" in page  # the steps that make the deadline
    assert "2025年10月20日" in row_html(page, "延长工作日数：10")

    shown = drafter.get(f"{api()}/requests/A1", params={"today": "2025-10-21"}).json()
    assert shown["applicant_name"] == APPLICANT
    assert {k: shown["deadline"][k] for k in ("due", "days_left", "overdue")} == \
        {"due": "2025-11-13", "days_left": 17, "overdue": False}
    assert any("答复期限：2025年11月13日" in s for s in shown["deadline"]["steps"])
    assert shown["events"] == [{"event": "extension", "label": "延期", "kind": "extension", "on": "2025-10-20",
                                "days": 10, "approved_by": "李主任"}]

    res = form(drafter, f"{base()}/requests/A1", {"event": "consultation_start", "on": "2025-10-22",
                                                  "party_kind": "协办", "party": "沙门市财政局"})
    assert res.status_code == 303
    res = drafter.post(f"{api()}/requests/A1/events", json={"kind": "consultation_end", "on": "2025-10-24"})
    assert res.status_code == 200, res.text
    assert res.json()["events"][1] == {"event": "consultation_start", "label": "征求意见开始",
                                            "kind": "consultation_start", "on": "2025-10-22",
                                            "party": "沙门市财政局", "party_kind": "agency"}
    page = drafter.get(f"{base()}/requests/A1?today=2025-10-24").text
    assert "征求其他机关意见（协办）" in page and "不计入答复期限" in page

    res = drafter.post(f"{api()}/requests/A1/events", json={"kind": "answer", "on": "2025-11-20",
                                                            "outcome": "granted"})
    assert res.status_code == 200, res.text
    answered = res.json()
    assert answered["closed_on"] == "2025-11-20" and answered["outcome_label"] == "（一）予以公开"
    assert answered["late"] is True  # answered after 13 November
    page = drafter.get(f"{base()}/requests/A1").text
    assert "2025年11月20日办结：（一）予以公开" in page and "逾期答复" in page


def test_the_api_registers_a_request_like_the_form(clients: Client) -> None:
    approver = clients("审核人")
    res = approver.post(f"{api()}/requests", json={**A1, "channel": "网络申请"})
    assert res.status_code == 201, res.text
    assert (res.json()["id"], res.json()["channel"]) == ("A1", "online")
    again = approver.post(f"{api()}/requests", json=A1)
    assert again.status_code == 422
    assert again.json() == {"code": "duplicate_id", "message": "申请编号「A1」已经登记过"}
    listed = approver.get(f"{api()}/requests").json()
    assert listed["count"] == 1 and listed["items"][0]["applicant_name"] == APPLICANT
    bad = form(approver, f"{base()}/requests", {**A1, "id": "A2", "received": "2025-02-30"})
    assert bad.status_code == 422 and "「收到日期」应为有效日期" in bad.text
    assert 'value="A2"' in bad.text  # what was typed is kept


def test_a_refused_event_shows_its_chinese_message_beside_its_form(clients: Client) -> None:
    drafter = clients("撰写人")
    assert drafter.post(f"{api()}/requests", json=A1).status_code == 201
    ext = {"event": "extension", "on": "2025-10-20", "days": "10", "approved_by": "李主任"}
    assert form(drafter, f"{base()}/requests/A1", ext).status_code == 303

    res = form(drafter, f"{base()}/requests/A1", {**ext, "on": "2025-10-22", "days": "5"})
    assert res.status_code == 422
    assert "答复期限只能延长一次" in event_form_html(res.text, "extension")
    assert "答复期限只能延长一次" not in event_form_html(res.text, "answer")
    assert 'value="2025-10-22"' in event_form_html(res.text, "extension")

    res = drafter.post(f"{api()}/requests/A1/events", json={"kind": "review_filed", "on": "2025-10-23"})
    assert res.status_code == 422
    assert res.json() == {"code": "not_answered", "message": "申请尚未答复，不能登记行政复议或行政诉讼"}
    assert len(drafter.get(f"{api()}/requests/A1").json()["events"]) == 1


def test_every_event_type_has_a_form_generated_from_the_catalogue(clients: Client) -> None:
    from gongkai.registers.events import EVENT_TYPES

    drafter = clients("撰写人")
    assert drafter.post(f"{api()}/requests", json=A1).status_code == 201
    page = drafter.get(f"{base()}/requests/A1").text
    for code, etype in EVENT_TYPES.items():
        html = event_form_html(page, code)
        assert f"登记{etype.label}" in html
        for f in etype.fields:
            assert f'name="{f.name}"' in html and f.label in html
    assert "（三）不予公开·1.属于国家秘密" in event_form_html(page, "answer")  # choices from the format


def test_the_open_list_flags_overdue_and_waiting_requests(clients: Client) -> None:
    drafter = clients("撰写人")
    for rid, received in (("A1", "2025-09-26"), ("A2", "2025-11-03"), ("A3", "2025-10-09")):
        assert drafter.post(f"{api()}/requests", json={**A1, "id": rid, "received": received}).status_code == 201
    drafter.post(f"{api()}/requests/A2/events", json={"kind": "correction_notice", "on": "2025-11-05"})
    drafter.post(f"{api()}/requests/A3/events", json={"kind": "answer", "on": "2025-10-20", "outcome": "granted"})

    page = drafter.get(f"{base()}?today=2025-11-20").text
    assert "截至2025年11月20日" in page
    open_table = re.search(r'<table[^>]*id="open-requests".*?</table>', page, re.S).group(0)
    assert "A3</a>" not in open_table  # answered
    overdue = row_html(open_table, "A1</a>")
    assert 'class="overdue"' in overdue and "已逾期 15 个工作日" in overdue and "2025年10月30日" in overdue
    assert "等待申请人补正" in row_html(open_table, "A2</a>")

    items = drafter.get(f"{api()}/open", params={"today": "2025-11-20"}).json()["items"]
    assert [(i["id"], i["deadline"]["overdue"], i["waiting_for"]) for i in items] == \
        [("A1", True, None), ("A2", False, "等待申请人补正")]


def test_the_years_tables_count_the_register(clients: Client, store: Store) -> None:
    drafter = clients("撰写人")
    rows = [("A1", "2024-12-20", "answer", "2025-01-10", "granted"), ("A2", "2025-03-03", "answer", "2025-03-20",
                                                                       "withheld.state_secret"),
            ("A3", "2025-06-02", "answer", "2025-06-10", "granted"), ("A4", "2025-12-22", None, None, None)]
    for rid, received, kind, on, outcome in rows:
        assert drafter.post(f"{api()}/requests", json={**A1, "id": rid, "received": received}).status_code == 201
        if kind:
            assert drafter.post(f"{api()}/requests/{rid}/events",
                                json={"kind": kind, "on": on, "outcome": outcome}).status_code == 200
    drafter.post(f"{api()}/requests/A2/events", json={"kind": "review_filed", "on": "2025-04-01"})
    drafter.post(f"{api()}/requests/A2/events", json={"kind": "review_decided", "on": "2025-05-20",
                                                      "result": "upheld"})
    doc = {"number": "浏政发〔2025〕1号", "title": "浏阳市城区道路管理办法", "kind": "normative_documents",
           "organ": OFFICE, "issued": "2025-04-01"}
    assert form(drafter, f"{base()}/documents", doc).status_code == 200

    tables = drafter.get(f"{api()}/tables", params={"year": 2025}).json()["tables"]
    t3 = tables["requests"]
    assert (t3["new_received"]["total"], t3["carried_over"]["total"], t3["granted"]["total"],
            t3["carried_forward"]["total"]) == (3, 1, 2, 1)
    assert tables["review_litigation"]["review"]["upheld"] == 1
    assert tables["proactive"]["normative_documents"] == {"issued": 1, "repealed": 0, "in_force": 1}

    page = drafter.get(f"{base()}/tables?year=2025").text
    assert "表3 收到和处理政府信息公开申请情况" in page and "表2 主动公开政府信息情况" in page
    new = row_html(page, "一、本年新收政府信息公开申请数量")
    assert re.findall(r'<td class="num">(\d+)</td>', new) == ["3", "0", "0", "0", "0", "0", "3"]
    assert re.findall(r'<td class="num">(\d+)</td>', row_html(page, "1.属于国家秘密"))[0] == "1"
    assert "（三）不予公开" in page and "法人或其他组织" in page

    res = drafter.get(f"{base()}/tables.xlsx?year=2025")
    assert res.status_code == 200 and "attachment" in res.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(res.content))["表三"]
    found = {row[0]: row[-1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert found["一、本年新收政府信息公开申请数量"] == 3


def test_a_bad_spreadsheet_shows_every_problem_and_imports_nothing(clients: Client) -> None:
    drafter = clients("撰写人")
    bad = csv_bytes([["B1", "2025-03-01", "网络申请", "自然人", "李四", "申请公开文件", "", ""],
                     ["B2", "2025-13-01", "网络申请", "自然人", "王五", "申请公开文件", "", ""],
                     ["B3", "2025-03-02", "飞鸽传书", "外星人", "赵六", "申请公开文件", "2025-03-10", "予以公开"]])
    res = form(drafter, f"{base()}/import", {}, files={"file": ("台账.csv", bad, "text/csv")})
    assert res.status_code == 422
    problems = re.search(r'<table[^>]*id="problems".*?</table>', res.text, re.S).group(0)
    assert "第3行" in row_html(problems, "收到日期")
    assert "第4行" in row_html(problems, "渠道") and "第4行" in row_html(problems, "申请人类型")
    assert len(re.findall(r"<tr><td", problems)) == 3
    assert "未导入任何" in res.text
    assert drafter.get(f"{api()}/requests").json()["count"] == 0

    good = csv_bytes([["B1", "2025-03-01", "网络申请", "自然人", "李四", "申请公开文件", "", ""],
                      ["B2", "2025-03-02", "挂号信", "商业企业", "某公司", "申请公开文件", "2025-03-10", "予以公开"]])
    res = form(drafter, f"{base()}/import", {}, files={"file": ("台账.csv", good, "text/csv")})
    assert res.status_code == 200 and "已导入 2 件申请" in res.text
    assert "李四" in row_html(res.text, "B1</a>") and "办结：（一）予以公开" in row_html(res.text, "B2</a>")

    again = form(drafter, f"{base()}/import", {}, files={"file": ("台账.csv", good, "text/csv")})
    assert again.status_code == 422 and "已经登记过" in again.text

    exported = drafter.get(f"{base()}/export")
    assert exported.status_code == 200
    from gongkai.registers.spreadsheet import import_requests

    assert [(r.id, r.applicant_name) for r in import_requests(exported.content)] == [("B1", "李四"), ("B2", "某公司")]


def test_the_documents_register_by_form_api_and_spreadsheet(clients: Client) -> None:
    drafter = clients("撰写人")
    doc = {"number": "浏政发〔2025〕1号", "title": "浏阳市城区道路管理办法", "kind": "normative_documents",
           "organ": OFFICE, "issued": "2025-04-01"}
    res = drafter.post(f"{api()}/documents", json=doc)
    assert res.status_code == 201 and res.json()["kind_label"] == "行政规范性文件"
    again = form(drafter, f"{base()}/documents", {**doc, "title": "另一个标题"})
    assert again.status_code == 422 and "以下文号已经登记过：浏政发〔2025〕1号" in again.text

    exported = drafter.get(f"{base()}/documents.xlsx")
    assert exported.status_code == 200
    res = form(drafter, f"{base()}/documents/import", {"replace": "1"},
               files={"file": ("文件库.xlsx", exported.content)})
    assert res.status_code == 200 and "已导入 1 件文件" in res.text
    res = form(drafter, f"{base()}/documents/import", {}, files={"file": ("文件库.csv", b"\xef\xbb\xbf")})
    assert res.status_code == 422
    items = drafter.get(f"{api()}/documents").json()["items"]
    assert [(d["number"], d["title"]) for d in items] == [("浏政发〔2025〕1号", "浏阳市城区道路管理办法")]


# --- who may see the registers ---------------------------------------------------------------------------

def test_only_the_offices_keepers_see_its_register(clients: Client) -> None:
    assert clients("撰写人").post(f"{api()}/requests", json=A1).status_code == 201
    paths = [base(), f"{base()}/requests/A1", f"{base()}/tables?year=2025", f"{base()}/documents",
             f"{base()}/export", f"{base()}/tables.xlsx?year=2025", f"{base()}/documents.xlsx"]
    apis = [f"{api()}/requests", f"{api()}/requests/A1", f"{api()}/open", f"{api()}/tables?year=2025",
            f"{api()}/documents"]

    anonymous = clients(None)
    for path in paths:
        res = anonymous.get(path, follow_redirects=False)
        assert res.status_code == 303 and res.headers["location"].startswith("/login?next=/registers/")
    for path in apis:
        assert anonymous.get(path).status_code == 401
    assert "台账" not in anonymous.get("/").text.split("</nav>")[0]

    for name in ("别的机关", "上级审核"):
        other = clients(name)
        for path in paths:
            res = other.get(path)
            assert res.status_code == 403 and "无权查看" in res.text and APPLICANT not in res.text
        for path in apis:
            res = other.get(path)
            assert res.status_code == 403 and "撰写人或审核人" in res.json()["detail"]
            assert APPLICANT not in res.text
        assert other.post(f"{api()}/requests", json={**A1, "id": "X9"}).status_code == 403
        assert form(other, f"{base()}/requests", {**A1, "id": "X9"}).status_code == 403
        assert other.post(f"{api()}/requests/A1/events", json={"kind": "answer", "on": "2025-10-10",
                                                               "outcome": "granted"}).status_code == 403
        for path in ("/", "/registers", "/api/reports"):
            assert APPLICANT not in other.get(path).text

    listed = clients("上级审核").get("/registers").text
    assert "上级审核人（政务公开办）（不能查看台账）" in listed and f'href="{base()}"' not in listed
    mine = clients("撰写人").get("/registers").text
    assert f'href="{base()}"' in mine and "台账</a>" in mine.split("</nav>")[0]
    assert clients("撰写人").get(f"{api()}/requests/A1").json()["events"] == []  # nothing was recorded


def test_writes_need_a_signed_in_user_and_the_csrf_token(clients: Client) -> None:
    anonymous = clients(None)
    token = anonymous.get("/api/csrf").json()["csrf_token"]
    res = anonymous.post(f"{api()}/requests", json=A1, headers={"X-CSRF-Token": token})
    assert res.status_code == 401
    drafter = clients("撰写人")
    res = drafter.post(f"{api()}/requests", json=A1, headers={"X-CSRF-Token": "guessed"})
    assert res.status_code == 403 and "CSRF" in res.json()["detail"]
    token = drafter.headers.pop("X-CSRF-Token")
    res = drafter.post(f"{base()}/requests", data={**A1, "csrf_token": "guessed"}, follow_redirects=False)
    assert res.status_code == 403
    drafter.headers["X-CSRF-Token"] = token
    assert drafter.get(f"{api()}/requests").json()["count"] == 0
