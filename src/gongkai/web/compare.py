"""The 比较 and 统计 pages, their JSON API and the plotly.js bundle they draw with (served here: no CDN).

Every figure comes from `gongkai.stats` (`load`, `compute`, `stats`, `check_shares`, `match_regions`) over the same
`Selection` the command line builds, so a page shows what `gongkai stats --json` prints for that selection. The
charts' numbers travel to the browser as JSON in a `<script type="application/json">` element (never executed) and
`static/charts.js` draws them; `/api/compare.csv` gives the same numbers as a download.
"""

from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from importlib.metadata import version
from importlib.resources import files
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import and_, func, select

from gongkai.labels import FORMAT_WORDS, GROUPING_WORDS, kind_words, level_words
from gongkai.stats import INDICATORS, ReportRow, Selection, check_shares, compute, load, match_regions, stats
from gongkai.stats import _where as selection_where
from gongkai.stats.indicators import INDICATOR_KEYS, quantiles
from gongkai.store import Store, reports
from gongkai.web.app import TEMPLATES
from gongkai.web.auth import current_user, require_reader
from gongkai.web.deps import get_store

router = APIRouter()
READ = [Depends(require_reader)]
StoreDep = Annotated[Store, Depends(get_store)]

MAX_SUBJECTS = 8  # side by side: more would not be readable (and each is a full statistics run)
CHART_RULES = 10  # rules drawn on the 统计 charts (the table lists every rule)
DEFAULT_MIN_REQUESTS = 10  # as `gongkai stats --min-requests`
DEFAULT_TOP = 5  # as `gongkai stats --top`

KIND_WORDS = kind_words()
LEVEL_WORDS = level_words()
BY_WORDS = GROUPING_WORDS
DIMENSION_WORDS = {"organ": "机关", "region": "地区", "year": "年度", "all": "全部报告"}
# Table 3's outcomes: each the sum of the group's rows in the total column of the consolidated table.
OUTCOMES = (("granted", "予以公开"), ("partially_granted", "部分公开"), ("withheld", "不予公开"),
            ("unavailable", "无法提供"), ("not_processed", "不予处理"), ("other", "其他处理"))
INDICATOR_LABELS = {i.key: i.label for i in INDICATORS}

Kind = Literal["government", "department", "township", "development_zone", "other"]
Level = Literal["province", "city", "county"]
Format = Literal["2021", "2019", "legacy"]
By = Literal["province", "city", "county", "organ", "kind"]


class SelectionError(ValueError):
    """What the user asked for cannot be answered (a region matching nothing, too many subjects): said in Chinese."""


def _blank_to_none(v: Any) -> Any:
    return None if isinstance(v, str) and not v.strip() else v


def _clean_list(v: Any) -> Any:
    if v is None:
        return []
    items = v if isinstance(v, list) else [v]
    return [x.strip() if isinstance(x, str) else x for x in items if not (isinstance(x, str) and not x.strip())]


class CompareQuery(BaseModel):
    """What to compare: several regions, or organs, or years (the dimension with two or more values; else the one
    given); the other parameters filter every subject alike."""

    region: list[str] = Field([], description="地区（可多个）：GB/T 2260 代码或省、市、县名称", max_length=MAX_SUBJECTS)
    organ: list[Annotated[str, Field(max_length=100)]] = Field(
        [], description="机关名称包含的文字（可多个）", max_length=MAX_SUBJECTS)
    year: list[int] = Field([], description="年度（可多个）", max_length=MAX_SUBJECTS)
    kind: Kind | None = Field(None, description="机关类型")
    level: Level | None = Field(None, description="机关所在地区层级")
    format: Format | None = Field(None, description="报告格式")
    min_requests: int = Field(DEFAULT_MIN_REQUESTS, ge=0, le=10**9, description="参与排名的机关最少办结申请数")
    top: int = Field(DEFAULT_TOP, ge=1, le=50, description="排名列出的机关数")

    _lists = field_validator("region", "organ", "year", mode="before")(_clean_list)
    _blank = field_validator("kind", "level", "format", mode="before")(_blank_to_none)

    def query_string(self) -> str:
        """The same query, for links (CSV download, JSON)."""
        pairs = [(k, v) for k in ("region", "organ", "year") for v in getattr(self, k)]
        pairs += [(k, v) for k in ("kind", "level", "format") if (v := getattr(self, k))]
        pairs += [("min_requests", self.min_requests), ("top", self.top)]
        return urlencode(pairs)


class StatsQuery(BaseModel):
    """The selection of `gongkai stats`: the same options, as query parameters."""

    region: list[str] = Field([], description="地区（可多个，任一即可）：GB/T 2260 代码或省、市、县名称", max_length=50)
    level: Level | None = Field(None, description="机关所在地区层级")
    kind: Kind | None = Field(None, description="机关类型")
    year: int | None = Field(None, description="只统计该年度")
    year_from: int | None = Field(None, description="起始年度")
    year_to: int | None = Field(None, description="截止年度")
    format: Format | None = Field(None, description="报告格式")
    organ: str | None = Field(None, max_length=100, description="机关名称包含")
    by: By | None = Field(None, description="分组汇总")
    min_requests: int = Field(DEFAULT_MIN_REQUESTS, ge=0, le=10**9, description="参与排名的机关最少办结申请数")
    top: int = Field(DEFAULT_TOP, ge=1, le=50, description="排名列出的机关数")

    _lists = field_validator("region", mode="before")(_clean_list)
    _blank = field_validator("level", "kind", "year", "year_from", "year_to", "format", "organ", "by",
                             mode="before")(_blank_to_none)

    def selection(self, store: Store) -> Selection:
        """As `gongkai stats` builds it (`--year` wins over `--from`/`--to`)."""
        return Selection(region=_regions(store, self.region) if self.region else None, level=self.level,
                         kind=self.kind, year_from=self.year or self.year_from, year_to=self.year or self.year_to,
                         format=self.format, organ=(self.organ or "").strip() or None)


def _regions(store: Store, names: Iterable[str]) -> tuple[str, ...]:
    """The stored regions the names stand for; a name matching nothing is an error, never an empty selection."""
    matched, unmatched = match_regions(store, tuple(names))
    if unmatched:
        raise SelectionError(f"地区“{'、'.join(unmatched)}”没有匹配到库中任何省、市、县"
                             "（可用 GB/T 2260 代码或名称，如 湖南、长沙市）")
    return matched


# --- 比较 -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Subject:
    name: str
    sel: Selection


def dimension(q: CompareQuery) -> str:
    """What is compared: the first of organs, regions, years given twice or more, else the first given once."""
    given = [(d, getattr(q, d)) for d in ("organ", "region", "year")]
    for need in (2, 1):
        for d, values in given:
            if len(values) >= need:
                return d
    return "all"


def subjects(store: Store, q: CompareQuery) -> tuple[str, list[Subject]]:
    """The compared selections, each built as `gongkai stats` would build it for that one subject."""
    dim = dimension(q)
    base: dict[str, Any] = {"kind": q.kind, "level": q.level, "format": q.format}
    region = _regions(store, q.region) if q.region and dim != "region" else None
    organ = q.organ[0] if len(q.organ) == 1 and dim != "organ" else None
    years = {"year_from": min(q.year), "year_to": max(q.year)} if q.year and dim != "year" else {}
    common = {**base, "region": region, "organ": organ, **years}
    if dim == "region":
        return dim, [Subject(n, Selection(**{**common, "region": _regions(store, [n])})) for n in q.region]
    if dim == "organ":
        return dim, [Subject(n, Selection(**{**common, "organ": n})) for n in q.organ]
    if dim == "year":
        return dim, [Subject(str(y), Selection(**{**common, "year_from": y, "year_to": y})) for y in sorted(q.year)]
    return dim, [Subject("全部报告", Selection(**common))]


def outcome_mix(totals: dict[str, int | float]) -> dict[str, int | float | None]:
    """Table 3's outcomes from consolidated totals: each group's rows summed in the total column (None when the
    consolidated table has none of them: no complete table 3 was summed)."""
    out: dict[str, int | float | None] = {}
    for key, _ in OUTCOMES:
        vals = [v for k, v in totals.items() if k.startswith("requests.") and k.endswith(".total")
                and (k == f"requests.{key}.total" or k.startswith(f"requests.{key}."))]
        out[key] = sum(vals) if vals else None
    return out


def _kinds_levels(store: Store, sel: Selection) -> tuple[set[str | None], set[str | None]]:
    r = reports.c
    with store.reading() as conn:
        found = conn.execute(select(r.organ_kind, r.region_level).where(and_(*selection_where(sel))).distinct()).all()
    return {k for k, _ in found}, {lv for _, lv in found}


def peer_selection(store: Store, sub: Subject, year: int) -> Selection:
    """The subject's peers: organs of the same kind and level in the year (the kind and level filtered on, else
    those all the subject's organs share; unrestricted where they differ)."""
    kinds, levels = _kinds_levels(store, sub.sel)
    kind = sub.sel.kind or (next(iter(kinds)) if len(kinds) == 1 else None)
    level = sub.sel.level or (next(iter(levels)) if len(levels) == 1 else None)
    return Selection(kind=kind, level=level, year_from=year, year_to=year)


def _trend(result: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for y, entry in result["years"].items():
        if y == "unknown":
            continue
        totals = entry["totals"]
        out.append({"year": int(y), "reports": entry["reports"], "new_received": totals.get(
            "requests.new_received.total"), "total_processed": totals.get("requests.total_processed.total"),
            "indicators": entry["indicators"]})
    return out


def _focus_year(dim: str, results: list[dict[str, Any]]) -> int | None:
    """The year compared side by side: the latest all subjects have reports for, else the latest any has (years
    compared: each its own)."""
    sets = [{int(y) for y in r["years"] if y != "unknown"} for r in results]
    common = set.intersection(*sets) if sets else set()
    every = set().union(*sets) if sets else set()
    return max(common or every) if every and dim != "year" else None


def _subject_view(store: Store, sub: Subject, result: dict[str, Any], year: int | None,
                  peers: Callable[[Selection, int], dict[str, Any]]) -> dict[str, Any]:
    """One subject's column of the comparison: its figures in `year`, its peers' band, its years and ranking."""
    entry = result["years"].get(str(year)) if year is not None else None
    view: dict[str, Any] = {"name": sub.name, "selection": result["selection"], "selection_text":
                            result["selection_text"], "reports": result["reports"], "year": year,
                            "year_reports": entry["reports"] if entry else 0,
                            "outcome": outcome_mix(entry["totals"]) if entry else dict.fromkeys(k for k, _ in OUTCOMES),
                            "indicators": entry["indicators"] if entry else dict.fromkeys(INDICATOR_LABELS),
                            "distribution": entry["distribution"] if entry else None,
                            "coverage": entry["coverage"]["requests"] if entry else None,
                            "trend": _trend(result), "yoy": result["yoy"], "ranking": result["ranking"], "peers": None}
    if year is not None:
        psel = peer_selection(store, sub, year)
        view["peers"] = {"selection": {k: v for k, v in asdict(psel).items() if v not in (None, False)},
                         "selection_text": psel.describe(), **peers(psel, year)}
    return view


# Peer bands, per store state: the peers of a kind and level are thousands of reports in a national corpus.
# Computed from their cells, a band took 2.5 s of the 2.6 s a comparison took over 10,000 reports; from the
# indicators kept with each report, the whole comparison takes 0.4 s, and 0.23 s once the bands are cached
# (benchmarks/bench_web.py). The same few bands serve every comparison until a report is stored, re-read or
# deleted.
_PEER_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}
_PEER_CACHE_SIZE = 256


def _store_state(store: Store) -> tuple[Any, ...]:
    """Changes whenever a report is stored, re-extracted, re-settled or deleted."""
    r = reports.c
    with store.reading() as conn:
        return tuple(conn.execute(select(func.count(), func.max(r.updated_at), func.max(r.id))).one())


def peer_stats(store: Store, kind: str | None, level: str | None, year: int) -> dict[str, Any]:
    """The number of peer reports in `year` and the P25/P50/P75 of their indicators — `gongkai stats`'s
    distribution for that selection, from the indicators kept with each report (`reports.<indicator>`, computed
    by the same function when the report was stored), so a band over thousands of peers reads no cells."""
    key = (store.url, _store_state(store), kind, level, year)
    hit = _PEER_CACHE.get(key)
    if hit is None:
        psel = Selection(kind=kind, level=level, year_from=year, year_to=year)
        r = reports.c
        columns = [reports.c[k] for k in INDICATOR_KEYS]
        with store.reading() as conn:
            rows = conn.execute(select(*columns).where(and_(*selection_where(psel), r.year == year))).all()
        dist = {k: quantiles([row[i] for row in rows if row[i] is not None]) for i, k in enumerate(INDICATOR_KEYS)}
        hit = {"reports": len(rows), "distribution": dist if rows else None}
        if len(_PEER_CACHE) >= _PEER_CACHE_SIZE:
            _PEER_CACHE.clear()
        _PEER_CACHE[key] = hit
    return hit


def compare_data(store: Store, q: CompareQuery) -> dict[str, Any]:
    """Everything the 比较 page shows, as plain data (the `/api/compare` answer)."""
    dim, subs = subjects(store, q)
    if len(subs) > MAX_SUBJECTS:
        raise SelectionError(f"一次最多比较 {MAX_SUBJECTS} 项")
    results = [compute(load(store, s.sel), s.sel, min_requests=q.min_requests, top=q.top) for s in subs]
    year = _focus_year(dim, results)

    views = [_subject_view(store, s, r, int(s.name) if dim == "year" else year,
                           lambda p, y: peer_stats(store, p.kind, p.level, y))
             for s, r in zip(subs, results, strict=True)]
    return {"dimension": dim, "dimension_text": DIMENSION_WORDS[dim], "year": year,
            "min_requests": q.min_requests, "top": q.top, "subjects": views,
            "indicator_labels": INDICATOR_LABELS, "outcome_labels": dict(OUTCOMES),
            "charts": compare_charts(dim, views, year)}


def _chart(cid: str, title: str, ctype: str, categories: list[Any], series: list[tuple[str, list[Any]]],
           y: str) -> dict[str, Any]:
    """One chart's numbers: `type` says how charts.js draws them, `y` whether they are counts or shares."""
    return {"id": cid, "title": title, "type": ctype, "categories": [str(c) for c in categories],
            "series": [{"name": n, "values": vals} for n, vals in series], "y": y}


def compare_charts(dim: str, views: list[dict[str, Any]], year: int | None) -> list[dict[str, Any]]:
    names = [v["name"] for v in views]
    when = f"{year} 年度" if year is not None else "各年度"
    charts = [_chart("outcome", f"申请办理结果构成（{when}，合计）", "stacked", names,
                     [(label, [v["outcome"][key] for v in views]) for key, label in OUTCOMES], "count")]
    labels = list(INDICATOR_LABELS.values())
    for i, v in enumerate(views):
        dist = (v["peers"] or {}).get("distribution") or {}
        band = [(f"同类 {p.upper()}", [(dist.get(k) or {}).get(p) for k in INDICATOR_LABELS])
                for p in ("p25", "p50", "p75")]
        charts.append(_chart(f"band-{i}", f"{v['name']}：指标与同类机关 P25–P75（{v['year'] or when} 年度）", "band",
                             labels, [*band, (v["name"], [v["indicators"][k] for k in INDICATOR_LABELS])], "share"))
    if dim == "year":  # the subjects are the years: one line through them
        years = [v["year"] for v in views]
        lines = {"所选报告": {t["year"]: t for v in views for t in v["trend"]}}
    else:
        years = sorted({t["year"] for v in views for t in v["trend"]})
        lines = {v["name"]: {t["year"]: t for t in v["trend"]} for v in views}
    charts.append(_chart("trend-rate", "公开率变化", "line", years,
                         [(n, [_ind(by.get(y), "disclosure_rate") for y in years]) for n, by in lines.items()],
                         "share"))
    charts.append(_chart("trend-new", "新收申请数变化（合计）", "line", years,
                         [(n, [_new(by.get(y)) for y in years]) for n, by in lines.items()], "count"))
    return charts


def _ind(entry: dict[str, Any] | None, key: str) -> Any:
    return entry["indicators"][key] if entry else None


def _new(entry: dict[str, Any] | None) -> Any:
    return entry["new_received"] if entry else None


def charts_csv(charts: list[dict[str, Any]]) -> str:
    """Every chart's numbers, one line each: chart, series, category, value (empty where not given)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["chart", "title", "series", "category", "value"])
    for c in charts:
        for s in c["series"]:
            for cat, val in zip(c["categories"], s["values"], strict=True):
                w.writerow([c["id"], c["title"], s["name"], cat, "" if val is None else val])
    return buf.getvalue()


# --- 统计: check failures by group ------------------------------------------------------------------

def shares_by(rows: list[ReportRow], key: Callable[[ReportRow], str | None]) -> dict[str, dict[str, Any]]:
    """Per group of reports (`key`; unknown → 未知): how many reports, and each rule's failing reports and share
    (`check_shares` over the group; a rule none of them fails is absent, i.e. 0)."""
    groups: dict[str, list[ReportRow]] = defaultdict(list)
    for row in rows:
        groups[key(row) or "（未知）"].append(row)
    return {name: {"reports": len(g), "rules": {c["code"]: {"reports": c["reports"], "share": c["share"]}
                                                for c in check_shares(g)}}
            for name, g in sorted(groups.items())}


def _levels(store: Store, sel: Selection) -> dict[int, str | None]:
    r = reports.c
    with store.reading() as conn:
        return dict(conn.execute(select(r.id, r.region_level).where(and_(*selection_where(sel)))).all())


def check_breakdown(store: Store, sel: Selection) -> dict[str, Any]:
    """The share of reports failing each rule, overall and by year, level and province."""
    rows = load(store, sel)
    levels = _levels(store, sel)
    by = {"year": shares_by(rows, lambda r: str(r.year) if r.year is not None else None),
          "level": shares_by(rows, lambda r: LEVEL_WORDS.get(levels.get(r.id) or "")),
          "province": shares_by(rows, lambda r: r.province)}
    return {"selection_text": sel.describe(), "reports": len(rows), "checks": check_shares(rows), "by": by}


def breakdown_charts(data: dict[str, Any], rules: int | None = CHART_RULES) -> list[dict[str, Any]]:
    """The 统计 charts: the most failed `rules` (all when None), their share by year, level and province."""
    codes = [c["code"] for c in data["checks"][:rules]]
    titles = {"year": "按年度", "level": "按层级", "province": "按省份"}
    out = []
    for dim, groups in data["by"].items():
        out.append(_chart(f"checks-{dim}", f"核查未通过的报告比例（{titles[dim]}）", "grouped", codes,
                          [(g, [e["rules"].get(c, {}).get("share", 0.0) for c in codes])
                           for g, e in groups.items()], "share"))
    return out


# --- routes ---------------------------------------------------------------------------------------

def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, {
        "user": current_user(request), "kinds": KIND_WORDS, "levels": LEVEL_WORDS, "formats": FORMAT_WORDS,
        "plotly_version": version("plotly"), "plotly_style_ids": plotly_style_ids(),
        "default_min_requests": DEFAULT_MIN_REQUESTS, **context}, status_code=status)


def _years(store: Store) -> list[int]:
    r = reports.c
    with store.reading() as conn:
        return [y for (y,) in conn.execute(select(r.year).where(r.year.is_not(None), r.is_current.is_(True))
                                           .distinct().order_by(r.year))]


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False, dependencies=READ)
def compare_page(request: Request, store: StoreDep, q: Annotated[CompareQuery, Query()]) -> HTMLResponse:
    try:
        data, error = compare_data(store, q), None
    except SelectionError as e:
        data, error = None, str(e)
    return _page(request, "compare.html", 400 if error else 200, title="比较", nav="compare", q=q, data=data,
                 error=error, query=q.query_string(), years=_years(store))


@router.get("/api/compare", tags=["统计"], summary="比较机关、地区或年度：办理结果构成、指标与同类区间、变化、排名",
            dependencies=READ)
def api_compare(store: StoreDep, q: Annotated[CompareQuery, Query()]) -> dict[str, Any]:
    try:
        return compare_data(store, q)
    except SelectionError as e:
        raise HTTPException(400, str(e)) from None


@router.get("/api/compare.csv", tags=["统计"], summary="比较页各图表的数字（CSV）", dependencies=READ)
def api_compare_csv(store: StoreDep, q: Annotated[CompareQuery, Query()]) -> Response:
    try:
        data = compare_data(store, q)
    except SelectionError as e:
        raise HTTPException(400, str(e)) from None
    return Response("\ufeff" + charts_csv(data["charts"]), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=\"gongkai-compare.csv\""})


@router.get("/stats", response_class=HTMLResponse, include_in_schema=False, dependencies=READ)
def stats_page(request: Request, store: StoreDep, q: Annotated[StatsQuery, Query()]) -> HTMLResponse:
    try:
        data, error = check_breakdown(store, q.selection(store)), None
    except SelectionError as e:
        data, error = None, str(e)
    charts = breakdown_charts(data) if data else []
    return _page(request, "stats.html", 400 if error else 200, title="统计", nav="stats", q=q, data=data,
                 charts=charts, error=error, years=_years(store))


@router.get("/api/stats", tags=["统计"], dependencies=READ,
            summary="统计（与 gongkai stats --json 相同）：合计、指标、分布、同比、核查、排名")
def api_stats(store: StoreDep, q: Annotated[StatsQuery, Query()]) -> dict[str, Any]:
    try:
        sel = q.selection(store)
    except SelectionError as e:
        raise HTTPException(400, str(e)) from None
    return stats(store, sel, by=q.by, min_requests=q.min_requests, top=q.top)


@functools.cache
def _plotly_js() -> tuple[bytes, bytes, str]:
    """The plotly.js bundle of the installed `plotly` package: (plain, gzipped, ETag), read once."""
    body = (files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    return body, gzip.compress(body, 6, mtime=0), '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@router.get("/api/stats/checks.csv", tags=["统计"], dependencies=READ,
            summary="核查未通过比例（按年度、层级、省份；每条规则）（CSV）")
def api_checks_csv(store: StoreDep, q: Annotated[StatsQuery, Query()]) -> Response:
    try:
        data = check_breakdown(store, q.selection(store))
    except SelectionError as e:
        raise HTTPException(400, str(e)) from None
    return Response("\ufeff" + charts_csv(breakdown_charts(data, None)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=\"gongkai-checks.csv\""})


@functools.cache
def plotly_style_ids() -> tuple[str, ...]:
    """The ids of the <style> elements plotly.js would inject (the CSP forbids inline styles). It injects none
    where an element of that id exists: the page links an empty stylesheet of ours under each id, and plotly.js
    adds its rules to that sheet through the CSSOM, which the CSP allows."""
    body = _plotly_js()[0]
    found = re.findall(rb'getElementById\("([0-9a-f]{64})"\)\)\{var \w+=document\.createElement\("style"\)', body)
    return ("plotly.js-style-global", *dict.fromkeys(x.decode() for x in found))


@router.get("/vendor/plotly-styles.css", include_in_schema=False)
def plotly_styles() -> Response:
    """Empty on purpose: plotly.js fills it in the browser (see `plotly_style_ids`)."""
    return Response("/* plotly.js inserts its style rules here at run time (CSSOM). */\n", media_type="text/css",
                    headers={"Cache-Control": "public, max-age=31536000, immutable"})


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly_js(request: Request) -> Response:
    """Public (the sign-in page needs nothing from it, but it holds no data) and cached for a year: the page links
    it with the package version in the query, so an upgrade is fetched anew."""
    body, zipped, etag = _plotly_js()
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "ETag": etag, "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(zipped, media_type="text/javascript; charset=utf-8",
                        headers={**headers, "Content-Encoding": "gzip"})
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)
