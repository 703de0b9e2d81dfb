"""The web application's corpus list, report page and JSON API over a real store (SQLite and PostgreSQL):
every page answers with the seeds and generated reports stored, each filter changes the count as it
should, sorting and pagination, figures never shown from an unread cell, downloads, security headers."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from storekit import SEEDS, write_reports

from gongkai.ingest import ingest
from gongkai.store import Store, reports
from gongkai.web import WebSettings, create_app


@pytest.fixture
def corpus(store: Store, tmp_path: Path) -> Store:
    files = sorted(str(p) for p in SEEDS.iterdir()) + [str(p) for p in write_reports(tmp_path / "gen", 30,
                                                                                        distinct=True)]
    s = ingest(store, files, workers=0)
    assert not s.failed
    return store


@pytest.fixture
def client(corpus: Store) -> Iterator[TestClient]:
    with TestClient(create_app(WebSettings(db_url=corpus.url, secret_key="test"))) as c:
        yield c


def _current(corpus: Store, *where) -> list:
    r = reports.c
    with corpus.reading() as conn:
        return conn.execute(select(reports).where(r.is_current.is_(True), r.is_best.is_(True), *where)).all()


def test_every_page_answers_in_chinese_with_a_strict_policy(client: TestClient, corpus: Store) -> None:
    some = _current(corpus)[0].id
    for path in ("/", f"/reports/{some}", "/rules", "/api/reports", f"/api/reports/{some}", "/docs"):
        res = client.get(path)
        assert res.status_code == 200, path
    page = client.get("/")
    assert "报告库" in page.text and 'lang="zh-CN"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]


def test_the_list_counts_what_the_store_holds_and_each_filter_narrows_it(client: TestClient,
                                                                          corpus: Store) -> None:
    everything = _current(corpus)
    assert client.get("/api/reports").json()["count"] == len(everything)
    r = reports.c
    checks = {
        "region=长沙市": _current(corpus, (r.city == "长沙市") | (r.province == "长沙市") | (r.county == "长沙市")),
        "year=2021": _current(corpus, r.year == 2021),
        "kind=department": _current(corpus, r.organ_kind == "department"),
        "format=2019": _current(corpus, r.format == "2019"),
        "errors=true": _current(corpus, r.n_errors > 0),
        "errors=false": _current(corpus, r.n_errors == 0),
        "q=人民政府": _current(corpus, r.organ.contains("人民政府")),
    }
    for query, expected in checks.items():
        got = client.get(f"/api/reports?{query}").json()
        assert got["count"] == len(expected), query
        assert 0 < len(expected) < len(everything), query  # the filter really narrows the corpus
        assert {i["id"] for i in got["items"]} == {row.id for row in expected}, query
    page = client.get("/?region=长沙市")
    assert f"共 <strong>{len(checks['region=长沙市'])}</strong> 份报告" in page.text


def test_a_rule_filter_selects_the_reports_with_that_finding(client: TestClient, corpus: Store) -> None:
    from gongkai.store import findings

    with corpus.reading() as conn:
        code = conn.execute(select(findings.c.code).limit(1)).scalar_one()
        expected = {rid for (rid,) in conn.execute(select(findings.c.report_id).where(findings.c.code == code))}
    assert code in client.get("/api/choices").json()["rules"]
    got = client.get(f"/api/reports?rule={code}&per_page=500").json()
    assert {i["id"] for i in got["items"]} == expected & {row.id for row in _current(corpus)}


def test_sorting_and_pages(client: TestClient) -> None:
    by_new = client.get("/api/reports?sort=new_requests&desc=true&per_page=500").json()["items"]
    figures = [i["new_requests"] for i in by_new]
    read = [f for f in figures if f is not None]
    assert read == sorted(read, reverse=True) and figures[:len(read)] == read  # unread ones last
    first, second = (client.get(f"/api/reports?per_page=10&page={n}").json()["items"] for n in (1, 2))
    assert len(first) == 10 and not {i["id"] for i in first} & {i["id"] for i in second}


def test_the_disclosure_rate_needs_every_cell_it_is_computed_from(client: TestClient, corpus: Store) -> None:
    from gongkai.stats.indicators import indicators

    items = client.get("/api/reports?per_page=500").json()["items"]
    from gongkai.stats import Selection, load

    rows = {row.id: row for row in load(corpus, Selection())}
    for it in items:
        row = rows[it["id"]]
        expected = indicators(row.cells, row.format if row.format in ("2021", "2019") else None)["disclosure_rate"]
        assert it["disclosure_rate"] == pytest.approx(expected) if expected is not None else \
            it["disclosure_rate"] is None, it["organ"]


def test_a_report_page_shows_its_cells_with_their_source_and_findings(client: TestClient, corpus: Store) -> None:
    row = next(r for r in _current(corpus) if r.path.endswith("004.txt") or "长沙市人民政府办公室" in (r.organ or ""))
    detail = client.get(f"/api/reports/{row.id}").json()
    requests = next(t for t in detail["tables"] if t["key"] == "requests")
    new = next(r for r in requests["rows"] if r["key"] == "new_received")
    total = next(c for c in new["cells"] if c["column"] == "total")
    assert total["provenance"]["line"]
    source = client.get(f"/api/reports/{row.id}/source").json()
    line = next(b for b in source["blocks"] if b["line"] == total["provenance"]["line"])
    assert total["raw"] in line["text"]
    page = client.get(f"/reports/{row.id}").text
    assert 'data-key="requests.new_received.total"' in page and "表3" in page
    original = client.get(f"/reports/{row.id}/original")
    assert original.headers["content-disposition"].startswith("attachment")
    assert original.content == Path(row.path).read_bytes()
    assert client.get("/api/reports/999999").status_code == 404


def test_report_text_is_shown_as_text(client: TestClient, corpus: Store, tmp_path: Path) -> None:
    """A report carrying markup: its page shows the characters, never live elements."""
    seed = next(p for p in SEEDS.iterdir() if p.suffix == ".txt").read_text(encoding="utf-8")
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(seed.replace("年度报告", "年度报告<script>alert(1)</script><img src=x onerror=alert(2)>", 1),
                       encoding="utf-8")
    s = ingest(corpus, [str(hostile)], workers=0)
    page = client.get(f"/reports/{s.report_ids[0]}").text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_the_selection_downloads(client: TestClient, corpus: Store, fmt: str) -> None:
    res = client.get(f"/api/export?region=长沙市&file={fmt}")
    assert res.status_code == 200
    expected = len(_current(corpus, reports.c.city == "长沙市"))
    if fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(res.content), read_only=True)
        assert {"reports", "findings", "codebook"} <= set(wb.sheetnames)
        assert sum(1 for _ in wb["reports"].iter_rows()) - 1 == expected
        return
    with zipfile.ZipFile(io.BytesIO(res.content)) as zf:
        names = zf.namelist()
        assert f"reports.{fmt}" in names and f"reports.codebook.{fmt}" in names
        data = zf.read(f"reports.{fmt}")
    if fmt == "csv":
        assert data.startswith("\ufeff".encode()) and data.decode("utf-8-sig").count("\n") - 1 == expected
    else:
        import pyarrow.parquet as pq

        assert pq.read_table(io.BytesIO(data)).num_rows == expected


def test_a_form_with_empty_fields_filters_by_the_filled_ones(client: TestClient, corpus: Store) -> None:
    """The 报告库 form sends every field, the unused ones empty."""
    res = client.get("/?region=长沙市&kind=&year=&format=&errors=&rule=&q=")
    assert res.status_code == 200
    expected = len(_current(corpus, reports.c.city == "长沙市"))
    assert f"共 <strong>{expected}</strong> 份报告" in res.text


def test_the_api_documentation_works_offline(client: TestClient) -> None:
    """/docs loads Swagger UI from the application itself, never from a CDN."""
    import re

    page = client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert client.get("/openapi.json").json()["paths"]["/api/reports"]


def test_regions_narrow_from_province_to_city_to_county(client: TestClient, corpus: Store) -> None:
    r = reports.c
    province = "湖南省"
    in_province = _current(corpus, r.province == province)
    assert 0 < len(in_province) < len(_current(corpus))
    assert client.get(f"/api/reports?province={province}").json()["count"] == len(in_province)
    cities = client.get(f"/api/choices?province={province}").json()["cities"]
    assert cities == sorted({row.city for row in in_province if row.city})
    city = "长沙市"
    page = client.get(f"/?province={province}&city={city}").text
    counties = {row.county for row in _current(corpus, r.city == city) if row.county}
    assert counties and all(f'<option value="{c}"' in page for c in counties)
    other = {row.county for row in _current(corpus) if row.county and row.city != city}
    assert not any(f'<option value="{c}"' in page for c in other - counties)
    county = sorted(counties)[0]
    got = client.get(f"/api/reports?province={province}&city={city}&county={county}").json()["count"]
    assert got == len(_current(corpus, r.county == county))
