"""Storing and deleting reports through the web application (SQLite and PostgreSQL): only a signed-in user
with the session's CSRF token writes; an upload is bounded in size and goes through the same pipeline as
`gongkai ingest` (read in a bounded worker, stored, versions settled); deleting a reading removes it
with its original and settles the versions of its organ and year again."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gongkai.render.layouts import render_html
from gongkai.render.synthetic import SyntheticReport, synthesize
from gongkai.store import Store, cells, findings, originals, reports
from gongkai.web import WebSettings, create_app
from tests.conftest import seed_path
from tests.web.test_auth import add_user, page_csrf, sign_in

LIMIT = 4096  # bytes an upload may have in these tests


@pytest.fixture
def anonymous(store: Store) -> Iterator[TestClient]:
    add_user(store)
    with TestClient(create_app(WebSettings(db_url=store.url, secret_key="test", max_upload=LIMIT * 64))) as c:
        yield c


@pytest.fixture
def client(anonymous: TestClient) -> TestClient:
    assert sign_in(anonymous).status_code == 303
    anonymous.headers["X-CSRF-Token"] = anonymous.get("/api/csrf").json()["csrf_token"]
    return anonymous


def _count(store: Store, table) -> int:
    with store.reading() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _seed(number: str) -> tuple[str, bytes]:
    path = seed_path(number)
    return path.name, path.read_bytes()


def _revised(seed: int, *changes: int) -> list[tuple[str, bytes]]:
    """One organ's report for one year as a web page, then revisions of it (a figure changed by each step)."""
    rep: SyntheticReport = synthesize("2021", random.Random(seed), organ="浏阳市人民政府", year=2022)
    out = [("v1.html", render_html(rep).encode())]
    for n, step in enumerate(changes, 2):
        rep.values["proactive"]["licensing"]["decisions"] += step
        out.append((f"v{n}.html", render_html(rep).encode()))
    return out


def test_writing_needs_a_signed_in_user(anonymous: TestClient, store: Store) -> None:
    token = anonymous.get("/api/csrf").json()["csrf_token"]
    headers = {"X-CSRF-Token": token}
    res = anonymous.post("/api/reports", files={"file": _seed("000")}, headers=headers)
    assert res.status_code == 401 and res.json()["detail"] == "需要登录后才能执行此操作"
    assert anonymous.delete("/api/reports/1", headers=headers).status_code == 401
    assert anonymous.post("/upload", files={"file": _seed("000")}, data={"csrf_token": token}).status_code == 401
    assert anonymous.post("/reports/1/delete", data={"csrf_token": token}).status_code == 401
    assert _count(store, reports) == 0


def test_writing_needs_the_sessions_csrf_token(client: TestClient, store: Store) -> None:
    token = client.headers.pop("X-CSRF-Token")
    for headers in ({}, {"X-CSRF-Token": "guessed"}):
        res = client.post("/api/reports", files={"file": _seed("000")}, headers=headers)
        assert res.status_code == 403 and "CSRF" in res.json()["detail"]
        assert client.delete("/api/reports/1", headers=headers).status_code == 403
    assert client.post("/upload", files={"file": _seed("000")}, data={"csrf_token": "guessed"}).status_code == 403
    assert _count(store, reports) == 0
    assert client.post("/api/reports", files={"file": _seed("000")}, headers={"X-CSRF-Token": token}).status_code \
        == 201


def test_an_upload_over_the_limit_is_refused_unstored(store: Store) -> None:
    add_user(store)
    with TestClient(create_app(WebSettings(db_url=store.url, secret_key="test", max_upload=LIMIT))) as c:
        sign_in(c)
        c.headers["X-CSRF-Token"] = c.get("/api/csrf").json()["csrf_token"]
        name, data = _seed("001")
        assert len(data) > LIMIT
        res = c.post("/api/reports", files={"file": (name, data)})  # over the file limit, within the form's
        assert res.status_code == 413 and "文件过大" in res.json()["detail"]
        res = c.post("/api/reports", files={"file": (name, data * 100)})  # over the form's: not read at all
        assert res.status_code == 413 and "文件过大" in res.json()["detail"]
        page = c.post("/upload", files={"file": (name, data)}, data={"csrf_token": c.headers["X-CSRF-Token"]})
        assert page.status_code == 413 and "文件过大" in page.text
    assert _count(store, originals) == 0


def test_an_uploaded_seed_is_stored_and_shown(client: TestClient, store: Store) -> None:
    name, data = _seed("002")
    res = client.post("/api/reports", files={"file": (name, data)})
    assert res.status_code == 201, res.text
    body = res.json()
    assert (body["status"], body["version"], body["is_current"]) == ("stored", 1, True)
    shown = client.get(f"/api/reports/{body['report_id']}")
    assert shown.status_code == 200
    assert shown.json()["meta"]["organ"] == "成安县"
    assert Path(shown.json()["path"]).name == name  # stored under the name it was uploaded with

    again = client.post("/api/reports", files={"file": ("copy.txt", data)})
    assert again.status_code == 200
    assert (again.json()["status"], again.json()["report_id"]) == ("duplicate", body["report_id"])
    assert _count(store, reports) == 1


def test_a_file_that_is_no_report_is_answered_in_chinese(client: TestClient, store: Store) -> None:
    res = client.post("/api/reports", files={"file": ("note.txt", "会议通知：明天上午九点开会。".encode())})
    assert res.status_code == 422
    assert res.json()["status"] == "failed" and res.json()["reason"] == "not_a_report"
    assert "未识别" in res.json()["message"]
    assert _count(store, reports) == 0


def test_the_upload_page_stores_and_links_the_report(client: TestClient) -> None:
    token = page_csrf(client, "/upload")
    name, data = _seed("003")
    page = client.post("/upload", files={"file": (f"../../{name}", data)}, data={"csrf_token": token})
    assert page.status_code == 201
    assert "已入库" in page.text and name in page.text and "../" not in page.text
    link = re.search(r'href="[^"]*/reports/(\d+)" id="report-link"', page.text)
    assert link is not None
    assert client.get(f"/reports/{link.group(1)}").status_code == 200


def test_deleting_a_reading_removes_it_whole_and_leaves_the_others(client: TestClient, store: Store) -> None:
    ids = [client.post("/api/reports", files={"file": _seed(n)}).json()["report_id"] for n in ("000", "004")]
    gone, kept = ids
    res = client.delete(f"/api/reports/{gone}")
    assert res.status_code == 200 and res.json()["status"] == "deleted"
    assert client.get(f"/api/reports/{gone}").status_code == 404
    assert client.get(f"/api/reports/{kept}").status_code == 200
    assert client.delete(f"/api/reports/{gone}").status_code == 404
    with store.reading() as conn:
        assert conn.execute(select(func.count()).select_from(cells).where(cells.c.report_id == gone)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(findings)
                            .where(findings.c.report_id == gone)).scalar() == 0
    assert _count(store, originals) == 1
    # The same file can be stored again once deleted.
    assert client.post("/api/reports", files={"file": _seed("000")}).json()["status"] == "stored"


def test_deleting_a_version_settles_the_others(client: TestClient) -> None:
    uploaded = [client.post("/api/reports", files={"file": f}).json() for f in _revised(5, 3, 4)]
    assert [(u["status"], u["version"]) for u in uploaded] == [("stored", 1), ("new_version", 2), ("new_version", 3)]
    first, middle, last = (u["report_id"] for u in uploaded)

    res = client.post(f"/reports/{middle}/delete", data={"csrf_token": client.headers["X-CSRF-Token"]})
    assert res.status_code == 200 and f"已删除报告 #{middle}" in res.text
    after = client.get(f"/api/reports/{last}").json()
    assert (after["version"], after["is_current"]) == (2, True)  # renumbered: versions 1 and 2 are left
    assert [v["version"] for v in after["versions"]] == [1, 2]

    assert client.delete(f"/api/reports/{last}").status_code == 200
    only = client.get(f"/api/reports/{first}").json()
    assert (only["version"], only["is_current"]) == (1, True)  # the first version is current again
