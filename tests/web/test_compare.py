"""The 比较 and 统计 pages and their API: the numbers they show are those `gongkai stats --json` prints for the
same selection (and, for a region, the sums of its organs' reports); charts are drawn in a real browser from the
page's own JSON with the plotly.js the application serves itself, under its strict Content-Security-Policy."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gongkai.cli import app as cli
from gongkai.ingest import ingest
from gongkai.render.layouts import render_text
from gongkai.render.synthetic import SyntheticReport, synthesize
from gongkai.stats import ReportRow
from gongkai.store import open_store
from gongkai.web import WebSettings, create_app
from gongkai.web.compare import shares_by
from tests.conftest import SEEDS, needs

CHROMIUM = Path("/usr/bin/chromium")
YEARS = (2021, 2022, 2023)
# Organs the resolver places (长沙市 ×4, then 岳阳市 …): 3 years each, 30 reports.
ORGANS = ("长沙县人民政府", "浏阳市人民政府", "长沙市人民政府办公室", "长沙市教育局", "岳阳县人民政府",
          "成安县人民政府", "宁乡市财政局", "株洲市天元区人民政府", "湘潭市自然资源和规划局", "岳阳市财政局")
YUEYANG = ("岳阳县人民政府", "岳阳市财政局")


@dataclass
class Corpus:
    url: str
    reports: dict[tuple[str, int], SyntheticReport]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """A SQLite store of the 5 seeds and 30 generated reports (10 organs × 2021–2023)."""
    folder = tmp_path_factory.mktemp("compare")
    made: dict[tuple[str, int], SyntheticReport] = {}
    paths = [str(p) for p in sorted(SEEDS.iterdir())]
    for i, (organ, year) in enumerate((o, y) for y in YEARS for o in ORGANS):
        rep = synthesize("2021", random.Random(500 + i), organ=organ, year=year)
        path = folder / f"r{i:02d}.txt"
        path.write_text(render_text(rep, ("cells", "lines", "pipes")[i % 3]), encoding="utf-8")
        made[organ, year] = rep
        paths.append(str(path))
    url = f"sqlite:///{folder / 'store.db'}"
    store = open_store(url)
    try:
        ingest(store, paths, workers=0)
    finally:
        store.close()
    return Corpus(url, made)


@pytest.fixture(scope="module")
def client(corpus: Corpus) -> Iterator[TestClient]:
    with TestClient(create_app(WebSettings(db_url=corpus.url, public_read=True))) as c:
        yield c


def cli_stats(url: str, *args: str) -> dict[str, Any]:
    """What `gongkai stats --json` prints for the options."""
    res = CliRunner().invoke(cli, ["stats", "--db", url, "--json", *args])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def group_total(totals: dict[str, Any], group: str) -> Any:
    return sum(v for k, v in totals.items() if k.startswith(f"requests.{group}.") and k.endswith(".total"))


def assert_subject_is_cli(subject: dict[str, Any], out: dict[str, Any], year: int) -> None:
    """One compared subject shows what `gongkai stats --json` gives for its selection."""
    entry = out["years"][str(year)]
    totals = entry["totals"]
    assert subject["reports"] == out["reports"] and subject["year_reports"] == entry["reports"]
    assert subject["indicators"] == entry["indicators"]
    assert subject["distribution"] == entry["distribution"]
    assert subject["ranking"] == out["ranking"] and subject["yoy"] == out["yoy"]
    mix = subject["outcome"]
    assert mix["granted"] == totals["requests.granted.total"]
    assert mix["partially_granted"] == totals["requests.partially_granted.total"]
    for group in ("withheld", "unavailable", "not_processed", "other"):
        assert mix[group] == group_total(totals, group)
    assert sum(mix.values()) == totals["requests.total_processed.total"]  # the outcomes are the whole
    years = [y for y in out["years"] if y != "unknown"]
    assert [t["year"] for t in subject["trend"]] == [int(y) for y in years]
    for t in subject["trend"]:
        assert t["indicators"] == out["years"][str(t["year"])]["indicators"]
        assert t["new_received"] == out["years"][str(t["year"])]["totals"].get("requests.new_received.total")


def assert_peers_are_cli(url: str, subject: dict[str, Any]) -> None:
    """The peer band is the distribution `gongkai stats --json` gives for the peers' kind, level and year."""
    sel = subject["peers"]["selection"]
    args = ["--year", str(sel["year_from"])]
    args += [a for k in ("kind", "level") if k in sel for a in (f"--{k}", sel[k])]
    out = cli_stats(url, *args)
    assert subject["peers"]["distribution"] == out["years"][str(sel["year_from"])]["distribution"]


def test_compare_regions_equals_stats_cli(client: TestClient, corpus: Corpus) -> None:
    data = client.get("/api/compare", params=[("region", "长沙市"), ("region", "岳阳市")]).json()
    assert data["dimension"] == "region" and [s["name"] for s in data["subjects"]] == ["长沙市", "岳阳市"]
    assert data["year"] == 2023  # the latest year both have reports for (长沙市 also has 2024: a seed)
    assert data["min_requests"] == 10  # the command line's default
    for subject in data["subjects"]:
        assert_subject_is_cli(subject, cli_stats(corpus.url, "--region", subject["name"]), 2023)
        assert_peers_are_cli(corpus.url, subject)
    # A region's figure is the sum of its organs' reports, as generated.
    yueyang = data["subjects"][1]["outcome"]
    assert yueyang["granted"] == sum(corpus.reports[o, 2023].values["requests"]["granted"]["total"] for o in YUEYANG)


def test_compare_organs_and_years_equal_stats_cli(client: TestClient, corpus: Corpus) -> None:
    data = client.get("/api/compare", params=[("organ", "教育局"), ("organ", "财政局")]).json()
    assert data["dimension"] == "organ" and data["year"] == 2023
    for subject in data["subjects"]:
        assert_subject_is_cli(subject, cli_stats(corpus.url, "--organ", subject["name"]), 2023)
    data = client.get("/api/compare", params=[("year", 2022), ("year", 2021), ("kind", "government")]).json()
    assert data["dimension"] == "year" and [s["name"] for s in data["subjects"]] == ["2021", "2022"]
    for subject in data["subjects"]:
        out = cli_stats(corpus.url, "--year", subject["name"], "--kind", "government")
        assert_subject_is_cli(subject, out, int(subject["name"]))
        assert subject["peers"]["selection"]["kind"] == "government"
        assert_peers_are_cli(corpus.url, subject)
    trend = next(c for c in data["charts"] if c["id"] == "trend-rate")
    assert trend["categories"] == ["2021", "2022"]
    assert trend["series"][0]["values"] == [s["indicators"]["disclosure_rate"] for s in data["subjects"]]


def test_compare_page_shows_the_comparison(client: TestClient) -> None:
    params = [("region", "长沙市"), ("region", "岳阳市"), ("min_requests", "50")]
    res = client.get("/compare", params=params)
    assert res.status_code == 200
    html = res.text
    for heading in ("<h1>比较</h1>", "申请办理结果构成", "指标与同类机关区间", "各年度变化", "公开率排名"):
        assert heading in html
    assert "办结申请不少于 <strong>50</strong> 件" in html and "默认 10 件" in html
    assert "对比年度：<strong>2023</strong>" in html
    api = client.get("/api/compare", params=params).json()
    charts = json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S)[1])
    assert charts == api["charts"]
    for chart in charts:
        assert f'id="chart-{chart["id"]}"' in html
    # Scripts only from the application itself: the plotly.js it serves, no CDN.
    assert re.findall(r'<script src="([^"]+)"', html) == [
        f"/vendor/plotly.min.js?v={_plotly_version()}", "http://testserver/static/charts.js"]
    assert "cdn" not in html.lower()


def test_chart_data_is_escaped_in_the_page(client: TestClient) -> None:
    """A name typed by the user reaches the page's JSON as data: it cannot close the element or add markup."""
    name = "</script><script>alert(1)</script>"
    res = client.get("/compare", params=[("organ", name), ("organ", "财政局")])
    assert res.status_code == 200
    assert "<script>alert(1)" not in res.text
    raw = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', res.text, re.S)[1]
    assert json.loads(raw)[0]["categories"] == [name, "财政局"]


def test_compare_csv_matches_json(client: TestClient) -> None:
    params = [("region", "长沙市"), ("region", "岳阳市"), ("kind", "government")]
    api = client.get("/api/compare", params=params).json()
    res = client.get("/api/compare.csv", params=params)
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    assert "attachment" in res.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(res.text.lstrip("\ufeff"))))
    expected = [(c["id"], s["name"], cat, v) for c in api["charts"] for s in c["series"]
                for cat, v in zip(c["categories"], s["values"], strict=True)]
    assert len(rows) == len(expected)
    for row, (cid, series, cat, value) in zip(rows, expected, strict=True):
        assert (row["chart"], row["series"], row["category"]) == (cid, series, cat)
        assert (float(row["value"]) if row["value"] else None) == value
    granted = next(r for r in rows
                   if r["chart"] == "outcome" and r["series"] == "予以公开" and r["category"] == "岳阳市")
    assert float(granted["value"]) == api["subjects"][1]["outcome"]["granted"]


def test_a_region_matching_nothing_is_said(client: TestClient) -> None:
    res = client.get("/api/compare", params={"region": "火星"})
    assert res.status_code == 400 and "地区“火星”没有匹配到库中任何省、市、县" in res.json()["detail"]
    page = client.get("/compare", params={"region": "火星"})
    assert page.status_code == 400 and "地区“火星”没有匹配到库中任何省、市、县" in page.text
    assert client.get("/api/stats", params={"region": "火星"}).status_code == 400
    too_many = client.get("/api/compare", params=[("organ", f"机关{i}") for i in range(9)])
    assert too_many.status_code == 422


def test_api_stats_equals_stats_cli(client: TestClient, corpus: Corpus) -> None:
    assert client.get("/api/stats").json() == cli_stats(corpus.url)
    params = {"region": "湖南", "kind": "government", "year_from": 2021, "year_to": 2022, "by": "city",
              "min_requests": 5}
    got = client.get("/api/stats", params=params).json()
    assert got == cli_stats(corpus.url, "--region", "湖南", "--kind", "government", "--from", "2021", "--to", "2022",
                            "--by", "city", "--min-requests", "5")
    assert got["selection"]["region"] == ["湖南省"] and got["ranking"]["min_requests"] == 5
    assert client.get("/api/stats", params={"year": 2022, "format": "2021"}).json() == cli_stats(
        corpus.url, "--year", "2022", "--format", "2021")


def test_stats_page_shares_by_year_level_province(client: TestClient, corpus: Corpus) -> None:
    res = client.get("/stats")
    assert res.status_code == 200
    for heading in ("统计：核查未通过比例", "各规则未通过比例", "按年度", "按层级", "按省份"):
        assert heading in res.text
    charts = json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', res.text,
                                  re.S)[1])
    assert [c["id"] for c in charts] == ["checks-year", "checks-level", "checks-province"]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/stats/checks.csv").text.lstrip("\ufeff"))))

    def shares(chart: str, group: str) -> dict[str, float]:
        return {r["category"]: float(r["value"]) for r in rows if r["chart"] == chart and r["series"] == group}

    def cli_shares(*args: str) -> dict[str, float]:
        out = cli_stats(corpus.url, *args)
        return {c["code"]: c["share"] for c in out["checks"]}

    every = set(shares("checks-year", "2022"))
    assert every == {c["code"] for c in cli_stats(corpus.url)["checks"]}  # the CSV has every rule
    for chart, group, args in (("checks-year", "2022", ("--year", "2022")), ("checks-year", "2024", ("--year", "2024")),
                               ("checks-level", "县级", ("--level", "county")),
                               ("checks-level", "市级", ("--level", "city")),
                               ("checks-province", "湖南省", ("--region", "湖南省")),
                               ("checks-province", "河北省", ("--region", "河北省"))):
        expected = cli_shares(*args)
        assert {k: v for k, v in shares(chart, group).items() if v} == expected, (chart, group)


def test_shares_by_groups_reports() -> None:
    def row(i: int, year: int | None, codes: set[str]) -> ReportRow:
        return ReportRow(id=i, organ="甲", organ_key="甲", organ_kind="government", region_code=None, province=None,
                         city=None, county=None, year=year, format="2021", codes=codes)

    rows = [row(1, 2021, {"a", "b"}), row(2, 2021, {"a"}), row(3, 2021, set()), row(4, 2022, {"b"}),
            row(5, None, {"a"})]
    got = shares_by(rows, lambda r: str(r.year) if r.year else None)
    assert list(got) == ["2021", "2022", "（未知）"]
    assert got["2021"]["reports"] == 3
    assert got["2021"]["rules"] == {"a": {"reports": 2, "share": 2 / 3}, "b": {"reports": 1, "share": 1 / 3}}
    assert got["2022"]["rules"] == {"b": {"reports": 1, "share": 1.0}}
    assert got["（未知）"]["rules"] == {"a": {"reports": 1, "share": 1.0}}


def _plotly_version() -> str:
    from importlib.metadata import version

    return version("plotly")


def test_plotly_is_served_by_the_application(client: TestClient) -> None:
    bundle = (files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    res = client.get("/vendor/plotly.min.js")
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/javascript")
    assert "max-age=31536000" in res.headers["cache-control"]
    assert res.content == bundle
    again = client.get("/vendor/plotly.min.js", headers={"If-None-Match": res.headers["etag"]})
    assert again.status_code == 304


# --- in a real browser ------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server_url(corpus: Corpus) -> Iterator[str]:
    """The application over the corpus, served by uvicorn in a background thread on a free port."""
    import uvicorn

    port = _free_port()
    app = create_app(WebSettings(db_url=corpus.url, public_read=True))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:  # uvicorn offers no start-up callback
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the web server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@needs(CHROMIUM.exists(), "chromium not installed")
def test_compare_charts_render_in_chromium(server_url: str, corpus: Corpus) -> None:
    from playwright.sync_api import sync_playwright

    query = "region=长沙市&region=岳阳市"
    api = httpx.get(f"{server_url}/api/compare?{query}", timeout=60).json()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.add_init_script("document.addEventListener('securitypolicyviolation', "
                                 "e => console.error('CSP violation: ' + e.violatedDirective))")
            page.route(re.compile(r".*/favicon\.ico$"), lambda route: route.fulfill(status=204))
            page.goto(f"{server_url}/compare?{query}")
            page.wait_for_selector("#chart-outcome .main-svg", timeout=30_000)
            page.wait_for_selector("#chart-trend-new .main-svg", timeout=30_000)
            for chart in api["charts"]:
                drawn = page.evaluate("id => document.getElementById('chart-' + id).data.map("
                                      "t => ({name: t.name, x: t.x, y: t.y}))", chart["id"])
                by_name = {t["name"]: t for t in drawn}
                for s in chart["series"]:
                    assert by_name[s["name"]]["x"] == chart["categories"]
                    assert by_name[s["name"]]["y"] == s["values"], (chart["id"], s["name"])
            # What the browser drew is what `gongkai stats --json` prints: new requests per region and year.
            drawn = page.evaluate("() => document.getElementById('chart-trend-new').data.map("
                                  "t => ({name: t.name, x: t.x, y: t.y}))")
            for trace in drawn:
                years = cli_stats(corpus.url, "--region", trace["name"])["years"]
                for year, value in zip(trace["x"], trace["y"], strict=True):
                    expected = years[str(year)]["totals"].get("requests.new_received.total") \
                        if str(year) in years else None  # a year the region has no report for: no point
                    assert value == expected, (trace["name"], year)
            assert page.locator("#chart-outcome .main-svg .bars path").count() == 12  # 6 outcomes × 2 regions
            assert problems == []  # no CSP violation, no script error
        finally:
            browser.close()

