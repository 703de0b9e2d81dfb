"""The 核查 page and `/api/check`: a report uploaded, pasted or named by URL is read and checked in a bounded
worker and shown — its organ, tables and findings in Chinese — without being stored; oversize, empty, junk and
internal-address inputs answer with a Chinese message and a code, never a 500; report markup is shown inert."""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gongkai.render.layouts import render_html
from gongkai.render.synthetic import synthesize
from gongkai.store import reports
from gongkai.web import WebSettings, create_app
from gongkai.web import check as check_module

SEEDS = Path(__file__).parents[1] / "fixtures" / "seeds"


def seed(number: str) -> bytes:
    (path,) = SEEDS.glob(f"{number}_*")
    return path.read_bytes()


def stored(client: TestClient) -> int:
    store = client.app.state.store  # type: ignore[attr-defined]
    with store.reading() as conn:
        return conn.execute(select(func.count()).select_from(reports)).scalar_one()


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(WebSettings(db_url=f"sqlite:///{tmp_path}/s.db", secret_key="test"))) as c:
        yield c


@pytest.fixture
def small(tmp_path: Path) -> Iterator[TestClient]:
    """An application accepting uploads of at most 1000 bytes."""
    settings = WebSettings(db_url=f"sqlite:///{tmp_path}/small.db", secret_key="test", max_upload=1000)
    with TestClient(create_app(settings)) as c:
        yield c


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_offers_three_ways_in_chinese(client: TestClient) -> None:
    page = client.get("/check")
    assert page.status_code == 200
    assert 'name="file"' in page.text and 'name="text"' in page.text and 'name="url"' in page.text
    assert "上传文件" in page.text and "粘贴文字" in page.text and "给出网址" in page.text
    assert '<a href="/check" class="on">核查</a>' in page.text


def test_an_uploaded_seed_is_read_checked_and_not_stored(client: TestClient) -> None:
    res = client.post("/check", files={"file": ("成安县2021.txt", seed("002"), "text/plain")})
    assert res.status_code == 200
    shown = text_of(res.text)
    assert "机关 成安县" in shown and "年度 2021" in shown and "格式 2021" in shown
    assert "表3 读到 175 / 175 格" in shown and "表4 读到 0 / 15 格" in shown
    assert "[警告] format.label_deviation 第65行：表2行标题「规范性文件」与规定用语「行政规范性文件」不一致" in shown
    assert "[错误] completeness.cells_missing" in shown
    assert "表2·行政规范性文件：原文「规范性文件」（第65行）" in shown  # the cell the finding points at, by label
    assert "表3 收到和处理政府信息公开申请情况" in shown
    assert "错误 1，警告 1，提示 0" in shown
    assert stored(client) == 0


def test_pasted_text_is_checked(client: TestClient) -> None:
    res = client.post("/check", data={"text": seed("003").decode("utf-8")})
    assert res.status_code == 200
    shown = text_of(res.text)
    assert "来源：粘贴的文字" in shown and "机关 浏阳市人民政府" in shown and "格式 2019" in shown
    assert "未发现问题。" in shown and "未发现“错误”级问题" in shown
    assert stored(client) == 0


def test_a_legacy_report_shows_its_statistics_table(client: TestClient) -> None:
    res = client.post("/check", files={"file": ("yueyang.txt", seed("001"))})
    assert res.status_code == 200
    assert "政府信息公开情况统计表" in res.text and "31535" in res.text


def test_an_oversize_upload_is_refused_with_413(small: TestClient) -> None:
    big = seed("002")
    assert len(big) > 1000
    page = small.post("/check", files={"file": ("big.txt", big, "text/plain")})
    assert page.status_code == 413
    assert "无法核查：文件过大" in text_of(page.text) and "too_large" in page.text
    api = small.post("/api/check", data={"text": big.decode("utf-8")})
    assert api.status_code == 413
    assert api.json()["error"]["code"] == "too_large" and "文件过大" in api.json()["error"]["message"]
    just_over = small.post("/api/check", files={"file": ("a.txt", b"x" * 1001)})  # within the form's slack
    assert just_over.status_code == 413


@pytest.mark.parametrize(("data", "code", "words"), [
    (os.urandom(4000), "binary", "二进制数据"),
    (b"PK\x03\x04" + bytes(200), "unsupported", "不支持的文件类型"),
    (b"%PDF-1.4\n" + bytes(200), "corrupt", "已损坏"),
])
def test_junk_bytes_answer_in_chinese_not_500(client: TestClient, data: bytes, code: str, words: str) -> None:
    page = client.post("/check", files={"file": ("junk.bin", data)})
    assert page.status_code == 422
    assert "无法核查" in page.text and words in page.text and f"<code>{code}</code>" in page.text
    api = client.post("/api/check", files={"file": ("junk.bin", data)})
    assert api.status_code == 422 and api.json()["error"]["code"] == code and api.json()["valid"] is False


def test_text_that_is_not_a_report_is_said_so(client: TestClient) -> None:
    page = client.post("/check", data={"text": "今天天气很好，我们去公园散步。"})
    assert page.status_code == 200
    assert "未识别为政府信息公开工作年度报告（<code>not_a_report</code>）" in page.text
    assert "completeness.not_a_report" in page.text
    api = client.post("/api/check", data={"text": "今天天气很好。"}).json()
    assert api["valid"] is False and api["error"]["code"] == "not_a_report"


def test_empty_and_missing_input_are_400(client: TestClient) -> None:
    empty = client.post("/check", files={"file": ("empty.txt", b"")})
    assert empty.status_code == 400 and "上传的文件是空的" in empty.text
    blank = client.post("/api/check", data={"text": "   "})
    assert blank.status_code == 400 and blank.json()["error"]["code"] == "empty"
    nothing = client.post("/api/check")
    assert nothing.status_code == 400 and "请上传文件" in nothing.json()["error"]["message"]


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://169.254.169.254/latest/meta-data/",
                                 "http://2130706433/"])
def test_an_internal_url_is_refused_in_chinese(client: TestClient, url: str) -> None:
    page = client.post("/check", data={"url": url})
    assert page.status_code == 422
    assert "未获取报告：不能访问内部或保留网络地址" in page.text and "<code>address</code>" in page.text
    api = client.post("/api/check", json={"url": url})
    assert api.status_code == 422 and api.json()["error"]["code"] == "address"
    scheme = client.post("/api/check", json={"url": "file:///etc/passwd"})
    assert scheme.status_code == 422 and scheme.json()["error"]["code"] == "scheme"


def test_the_api_answers_valid_stats_report_and_findings(client: TestClient) -> None:
    res = client.post("/api/check", files={"file": ("002.txt", seed("002"))})
    assert res.status_code == 200
    body = res.json()
    assert body["valid"] is False
    assert body["stats"] == {"errors": 1, "warnings": 1, "info": 0}
    assert body["report"]["meta"]["organ"] == "成安县"
    assert body["report"]["requests"]["new_received"]["total"] == 11
    assert [f["code"] for f in body["findings"]] == ["completeness.cells_missing", "format.label_deviation"]
    assert body["findings"][1]["cells"][0]["label"] == "表2·行政规范性文件"
    assert {t["table"]: (t["read"], t["total"]) for t in body["cells_read"]}["requests"] == (175, 175)
    good = client.post("/api/check", data={"text": seed("003").decode("utf-8")}).json()
    assert good["valid"] is True and good["stats"] == {"errors": 0, "warnings": 0, "info": 0}
    assert stored(client) == 0


def test_the_api_is_documented(client: TestClient) -> None:
    op = client.get("/openapi.json").json()["paths"]["/api/check"]["post"]
    assert "不入库" in op["summary"]
    assert set(op["requestBody"]["content"]) >= {"multipart/form-data", "application/json"}
    assert "/check" not in client.get("/openapi.json").json()["paths"]


def test_reading_is_bounded_in_time(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check_module, "CHECK_TIMEOUT", 0.05)
    res = client.post("/api/check", files={"file": ("002.txt", seed("002") * 20)})
    assert res.status_code == 422 and res.json()["error"]["code"] == "timeout"
    assert "超时" in res.json()["error"]["message"]


def test_markup_in_a_report_is_shown_inert(client: TestClient) -> None:
    html = render_html(synthesize("2021", random.Random(3), organ="测试县人民政府", year=2022))
    html = html.replace("<p>发布日期", "<p>本机关???&lt;script&gt;alert(1)&lt;/script&gt;认真落实</p><p>发布日期", 1)
    html = html.replace('<div class="article">', '<div class="article"><script>alert(2)</script>'
                        '<img src="x" onerror="alert(3)"><a href="javascript:alert(4)">点击查看</a>', 1)
    html = html.replace("<td>0</td>", "<td>0&lt;img src=x onerror=alert(5)&gt;</td>", 1)
    res = client.post("/check", files={"file": ("evil.html", html.encode(), "text/html")})
    assert res.status_code == 200
    page = res.text
    assert "测试县人民政府" in page
    assert "&lt;script&gt;al" in page  # the report's text, escaped
    assert "&lt;img src=x onerror=alert(5)&gt;" in page
    assert "<script" not in page.lower()
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", page, re.IGNORECASE)
    assert "javascript:" not in page.lower()


def test_a_private_site_asks_for_sign_in(tmp_path: Path) -> None:
    settings = WebSettings(db_url=f"sqlite:///{tmp_path}/p.db", secret_key="test", public_read=False)
    with TestClient(create_app(settings)) as c:
        assert c.get("/check").status_code == 401
        res = c.post("/api/check", data={"text": "x"})
        assert res.status_code == 401 and "登录" in res.json()["detail"]
