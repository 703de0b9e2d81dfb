"""Statistics over a selection of stored reports: consolidated totals of every table cell, derived
indicators and their distribution across organs, year-over-year change, the share of reports
failing each check, the cross-year continuity check, and rankings.

Consolidation rule (printed with every result): only the current version of each organ's report for
a year counts; a region's figure is the sum of the reports of every organ placed in that region
(government, departments, townships, zones …), each of which reports the applications it handled
itself — a government's own report does not include its departments' figures, so summing units
does not count an application twice. Select `--kind` to sum one kind of unit only.

`load` pulls rows from the store; everything else is pure functions over those rows.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select

from gongkai.formats import get_format
from gongkai.labels import FORMAT_WORDS, kind_words, level_words
from gongkai.stats.indicators import INDICATOR_KEYS, INDICATORS, indicators, left_out_reason, processed, quantiles
from gongkai.store import Store, cells, findings, reports

__all__ = ["CONSOLIDATION_RULE", "INDICATORS", "ReportRow", "Selection", "compute", "load", "match_regions", "stats"]

CONSOLIDATION_RULE = ("合计口径：每个机关每年度只计当前版本的报告；"
                      "地区合计 = 该地区内各机关（政府、部门、乡镇街道、开发区等）"
                      "报告数字之和。各机关只报告本机关办理的申请，政府报告不含其部门，因此逐机关相加不会重复计数。"
                      "每张表只合计完整读出（格式规定的每一格都已读出）的报告，缺格的报告列出而不计入，"
                      "因此合计表与各报告满足同样的勾稽关系；未读出的数字从不按0计。")
TABLES = ("proactive", "requests", "review_litigation", "legacy")
SUMMED_TABLES = ("proactive", "requests", "review_litigation")  # summed only where complete
KEY_FIGURES = ("requests.new_received.total", "requests.carried_over.total", "requests.total_processed.total",
               "requests.carried_forward.total", "requests.granted.total", "review_litigation.review.total",
               "review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total")


@dataclass
class Selection:
    """Which reports: all fields optional; `region` is a GB/T 2260 code or a province/city/county name."""

    region: str | tuple[str, ...] | None = None  # several: reports in any of them
    level: str | None = None  # province | city | county: the level of the organ's own region
    kind: str | None = None  # government | department | township | development_zone | other
    year_from: int | None = None
    year_to: int | None = None
    format: str | None = None
    organ: str | None = None  # part of the organ's name
    all_versions: bool = False

    def describe(self) -> str:
        parts = []
        if self.region:
            parts.append(f"地区 {'、'.join(_regions(self.region))}")
        if self.level:
            parts.append(f"层级 {level_words().get(self.level, self.level)}")
        if self.kind:
            parts.append(f"机关类型 {kind_words().get(self.kind, self.kind)}")
        if self.year_from or self.year_to:
            parts.append(f"年度 {self.year_from or '…'}–{self.year_to or '…'}")
        if self.format:
            parts.append(f"格式 {FORMAT_WORDS.get(self.format, self.format)}")
        if self.organ:
            parts.append(f"机关名称含“{self.organ}”")
        return "；".join(parts) or "全部报告"


@dataclass
class ReportRow:
    id: int
    organ: str | None
    organ_key: str | None
    organ_kind: str | None
    region_code: str | None
    province: str | None
    city: str | None
    county: str | None
    year: int | None
    format: str | None
    report_json: str | None = None
    cells: dict[str, float] = field(default_factory=dict)
    codes: set[str] = field(default_factory=set)


def _where(sel: Selection) -> list[Any]:
    r = reports.c
    cond: list[Any] = [r.recognised.is_(True)]
    # Every version's best reading, never another original of the same report (it would count twice).
    cond.append(r.is_best.is_(True))
    if not sel.all_versions:
        cond.append(r.is_current.is_(True))
    if sel.region:
        either = []
        for reg in _regions(sel.region):
            if reg.isdigit() and len(reg) == 6:
                either.append(or_(r.region_code == reg, r.province_code == reg, r.city_code == reg,
                                  r.county_code == reg))
            else:
                either.append(or_(r.province == reg, r.city == reg, r.county == reg))
        cond.append(or_(*either))
    if sel.level:
        cond.append(r.region_level == sel.level)
    if sel.kind:
        cond.append(r.organ_kind == sel.kind)
    if sel.year_from is not None:
        cond.append(r.year >= sel.year_from)
    if sel.year_to is not None:
        cond.append(r.year <= sel.year_to)
    if sel.format:
        cond.append(r.format == sel.format)
    if sel.organ:
        cond.append(or_(r.organ.contains(sel.organ), r.organ_canonical.contains(sel.organ)))
    return cond


def _regions(region: str | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(x.strip() for x in ((region,) if isinstance(region, str) else region) if x.strip())


@functools.cache
def _division_endings() -> frozenset[str]:
    """What a division's name may end with after the short name people type (organs.toml)."""
    import tomllib

    from gongkai.formats import data_text

    return frozenset(tomllib.loads(data_text("organs")).get("regions", {}).get("division_endings", ()))


def match_regions(store: Store, names: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The regions the user named, as the store names them: a GB/T 2260 code or a full name as it is, a short
    name (湖南, 长沙) the stored province, city or county it begins (湖南省, 长沙市). Returns (matched, unmatched):
    a name that matches nothing stored is reported, never silently selecting nothing."""
    r = reports.c
    with store.reading() as conn:
        stored = {n for col in (r.province, r.city, r.county)
                  for (n,) in conn.execute(select(col).where(col.is_not(None)).distinct())}
    matched: list[str] = []
    unmatched: list[str] = []
    for name in names:
        if (name.isdigit() and len(name) == 6) or name in stored:
            matched.append(name)
            continue
        full = sorted(n for n in stored if n.startswith(name) and n[len(name):] in _division_endings())
        if full:
            matched.extend(full)
        else:
            unmatched.append(name)
    return tuple(dict.fromkeys(matched)), tuple(unmatched)


def load(store: Store, sel: Selection, *, with_json: bool = False,
         tables: tuple[str, ...] = TABLES) -> list[ReportRow]:
    """The selected reports with their cells of `tables` and the codes of their findings."""
    r = reports.c
    cols = [r.id, r.organ, r.organ_key, r.organ_kind, r.region_code, r.province, r.city, r.county, r.year, r.format]
    if with_json:
        cols.append(r.report_json)
    out: dict[int, ReportRow] = {}
    with store.reading() as conn:
        for row in conn.execute(select(*cols).where(and_(*_where(sel))).order_by(r.year, r.organ_key, r.id)):
            out[row.id] = ReportRow(**row._asdict())
        ids = select(r.id).where(and_(*_where(sel)))
        q = select(cells.c.report_id, cells.c.tbl, cells.c.row_key, cells.c.col_key, cells.c.value).where(
            cells.c.report_id.in_(ids), cells.c.tbl.in_(tables))
        for rid, t, row_key, col, value in conn.execute(q):
            if value is not None:
                out[rid].cells[f"{t}.{row_key}.{col}"] = value
        q = select(findings.c.report_id, findings.c.code).where(findings.c.report_id.in_(ids))
        for rid, code in conn.execute(q):
            out[rid].codes.add(code)
    return list(out.values())


# --- pure computations --------------------------------------------------------------------------

def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else round(v, 4)


@functools.cache
def _table_keys(fmt: str, table: str) -> frozenset[str]:
    """Every cell `table.row.column` the format defines for the table (empty when it has no such table)."""
    t = get_format(fmt).table(table) if fmt in _FORMAT_IDS else None
    return frozenset(f"{table}.{r}.{c}" for r, c in t.cell_keys()) if t is not None else frozenset()


_FORMAT_IDS = ("2021", "2019")


def missing_cells(row: ReportRow, table: str) -> int | None:
    """How many cells of `table` the format defines and the report did not give; None when the report has no
    such table (no cell of it read) or no known format."""
    keys = _table_keys(row.format or "", table)
    if not keys:
        return None
    got = sum(k in row.cells for k in keys)
    return None if got == 0 else len(keys) - got


def is_complete(row: ReportRow, table: str) -> bool:
    return missing_cells(row, table) == 0


def consolidate(rows: list[ReportRow]) -> dict[str, int | float]:
    """The sum of every table cell over `rows`, each table over the reports that give all its cells (a table
    with an unread cell is left out whole, never summed partially: see `coverage`). The legacy table's
    harmonised figures are summed where given."""
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        whole = {t for t in SUMMED_TABLES if is_complete(row, t)}
        for k, v in row.cells.items():
            table = k.split(".", 1)[0]
            if table in whole or table == "legacy":
                totals[k] += v
    return {k: _num(v) for k, v in sorted(totals.items())}


def coverage(rows: list[ReportRow]) -> dict[str, dict[str, Any]]:
    """Per table: how many reports were summed, and those left out because a cell was not read (listed)."""
    out: dict[str, dict[str, Any]] = {}
    for table in SUMMED_TABLES:
        included, excluded = 0, []
        for row in rows:
            missing = missing_cells(row, table)
            if missing == 0:
                included += 1
            elif missing is not None:
                excluded.append({"report_id": row.id, "organ": row.organ_key or row.organ, "year": row.year,
                                 "missing_cells": missing})
        absent = sum(missing_cells(r, table) is None for r in rows)
        out[table] = {"included": included, "excluded": excluded, "without_table": absent}
    return out


_REASONS = ("cells_missing", "zero_denominator")


def indicator_coverage(rows: list[ReportRow]) -> dict[str, dict[str, Any]]:
    """Per indicator: how many reports give it, and how many are left out and why."""
    out: dict[str, dict[str, Any]] = {}
    for key in INDICATOR_KEYS:
        reasons = [left_out_reason(r.cells, r.format if r.format in _FORMAT_IDS else None, key) for r in rows]
        out[key] = {"reports": reasons.count(None), "left_out": {why: reasons.count(why) for why in _REASONS}}
    return out


def _group_name(row: ReportRow, by: str) -> str:
    if by == "organ":  # a report whose organ was not identified stands alone, never merged with others
        return row.organ_key or row.organ or f"（未识别机关，报告 {row.id}）"
    if by == "kind":
        return row.organ_kind or "other"
    name = getattr(row, by)
    if name:
        return name
    higher = {"county": row.city or row.province, "city": row.province}.get(by)
    return f"{higher}本级" if higher else "（未定位地区）"


def continuity(rows: list[ReportRow], fetch: Callable[[int], str | None] | None = None) -> dict[str, Any]:
    """The across-year rules of the check catalogue (years.*) on every organ with consecutive years.

    `fetch(report_id)` gives a report's stored JSON when the rows were loaded without it (one report
    at a time, so memory stays flat over a large store)."""
    by_organ: dict[str, dict[int, ReportRow]] = defaultdict(dict)
    for row in rows:
        if row.organ_key and row.year is not None:
            by_organ[row.organ_key][row.year] = row
    pairs = failing = 0
    found: list[dict[str, Any]] = []
    parsed: dict[int, Any] = {}

    def report(row: ReportRow) -> Any:
        if row.id not in parsed:
            raw = row.report_json or (fetch(row.id) if fetch else None)
            parsed[row.id] = _parse(raw)
        return parsed[row.id]

    for organ, years in sorted(by_organ.items()):
        for year in sorted(years):
            prev = years.get(year - 1)
            if prev is None:
                continue
            pairs += 1
            fs = _years_findings(years[year], prev, report)
            failing += bool(fs)
            found += [{"organ": organ, "year": year, "previous_year": year - 1, **f} for f in fs]
            parsed.pop(prev.id, None)
        parsed.clear()
    return {"pairs": pairs, "failing_pairs": failing, "findings": found}


def _parse(raw: str | None) -> Any:
    if not raw:
        return None
    from gongkai.model import Report

    try:
        return Report.model_validate_json(raw)
    except ValueError:  # stored by an incompatible model version: `gongkai reparse` refreshes it
        return None


def _years_findings(cur: ReportRow, prev: ReportRow, report: Callable[[ReportRow], Any]) -> list[dict[str, Any]]:
    try:
        from gongkai.check.registry import Context, report_format
        from gongkai.check.years import check_years
    except ImportError:
        return _carried_over_findings(cur, prev)
    a, b = report(cur), report(prev)
    if a is None or b is None:
        return _carried_over_findings(cur, prev)
    b = b.model_copy(update={"meta": b.meta.model_copy(update={"organ": a.meta.organ})})  # same unit, resolved
    ctx = Context(report=a, previous=b, fmt=report_format(a))
    check_years(ctx)
    return [{"code": f.code, "severity": f.severity, "message": f.message, "expected": f.expected,
             "actual": f.actual} for f in ctx.findings]


def _carried_over_findings(cur: ReportRow, prev: ReportRow) -> list[dict[str, Any]]:
    out = []
    for k, v in cur.cells.items():
        if k.startswith("requests.carried_over."):
            col = k.rsplit(".", 1)[1]
            before = prev.cells.get(f"requests.carried_forward.{col}")
            if before is not None and abs(before - v) > 1e-6:
                out.append({"code": "years.carried_over", "severity": "error",
                            "message": f"上年结转（{col}）{_num(v)} 与上年报告的结转下年度 {_num(before)} 不一致",
                            "expected": _num(before), "actual": _num(v)})
    return out


def _catalogue() -> dict[str, tuple[str, str]]:
    try:
        from gongkai.check import catalogue
    except ImportError:
        return {}
    return {r.code: (r.severity, r.title) for r in catalogue()}


def check_shares(rows: list[ReportRow]) -> list[dict[str, Any]]:
    """For each rule: how many of the reports fail it, and the share."""
    n = len(rows)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        for code in row.codes:
            counts[code] += 1
    cat = _catalogue()
    return [{"code": code, "severity": cat.get(code, ("", ""))[0], "title": cat.get(code, ("", code))[1],
             "reports": k, "share": k / n if n else None}
            for code, k in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def ranking(rows: list[ReportRow], min_requests: int, top: int) -> dict[str, Any]:
    """Organs by disclosure rate, latest year of the selection, only those whose table 3 was read whole and
    that concluded at least `min_requests` applications."""
    years = [r.year for r in rows if r.year is not None]
    if not years:
        return {"year": None, "min_requests": min_requests, "eligible": 0, "highest": [], "lowest": []}
    latest = max(years)
    scored = []
    for r in rows:
        if r.year != latest or not is_complete(r, "requests"):
            continue  # only complete tables are ranked
        p = processed(r.cells)
        rate = indicators(r.cells, r.format)["disclosure_rate"]
        if p is not None and p >= min_requests and rate is not None:
            scored.append({"organ": r.organ_key or r.organ, "processed": _num(p), "disclosure_rate": rate})
    scored.sort(key=lambda e: (-e["disclosure_rate"], -e["processed"], e["organ"] or ""))
    return {"year": latest, "min_requests": min_requests, "eligible": len(scored), "highest": scored[:top],
            "lowest": list(reversed(scored[-top:])) if len(scored) > top else []}


def compute(rows: list[ReportRow], sel: Selection | None = None, *, by: str | None = None, min_requests: int = 10,
            top: int = 5, fetch: Callable[[int], str | None] | None = None) -> dict[str, Any]:
    """Everything `gongkai stats` prints, as plain data."""
    sel = sel or Selection()
    by_year: dict[int | None, list[ReportRow]] = defaultdict(list)
    for r in rows:
        by_year[r.year].append(r)
    years_out: dict[str, Any] = {}
    for year in sorted(by_year, key=lambda y: (y is None, y)):
        rs = by_year[year]
        totals = consolidate(rs)
        entry: dict[str, Any] = {
            "reports": len(rs),
            "organs": len({r.organ_key for r in rs if r.organ_key}),
            "without_organ": sum(not r.organ_key for r in rs),  # each its own unit: never merged into one organ
            "with_tables": sum(any(k.startswith("requests.") for k in r.cells) for r in rs),
            "formats": dict(sorted(_count(r.format or "unknown" for r in rs).items())),
            "totals": totals,
            "totals_by_format": {f: consolidate([r for r in rs if (r.format or "unknown") == f])
                                 for f in sorted({r.format or "unknown" for r in rs})},
            "coverage": coverage(rs),
            "indicators": indicators(totals),
            "indicator_coverage": indicator_coverage(rs),
            "distribution": distribution(rs),
        }
        if by:
            groups: dict[str, list[ReportRow]] = defaultdict(list)
            for r in rs:
                groups[_group_name(r, by)].append(r)
            entry["groups"] = {
                name: {"reports": len(g), "figures": {k: v for k, v in consolidate(g).items() if k in KEY_FIGURES},
                       "indicators": indicators(consolidate(g))}
                for name, g in sorted(groups.items())
            }
        years_out[str(year) if year is not None else "unknown"] = entry  # shown as 未识别年度
    return {
        "selection": {k: v for k, v in asdict(sel).items() if v not in (None, False)},
        "selection_text": sel.describe(),
        "consolidation_rule": CONSOLIDATION_RULE,
        "indicator_definitions": {i.key: {"label": i.label, "definition": i.definition} for i in INDICATORS},
        "reports": len(rows),
        "organs": len({r.organ_key for r in rows if r.organ_key}),
        "without_organ": sum(not r.organ_key for r in rows),
        "by": by,
        "years": years_out,
        "yoy": yoy(by_year),
        "checks": check_shares(rows),
        "continuity": continuity(rows, fetch),
        "ranking": ranking(rows, min_requests, top),
    }


INDICATOR_TABLES = ("requests", "review_litigation")  # the tables every indicator is computed from


def distribution(rows: list[ReportRow]) -> dict[str, Any]:
    """P25/P50/P75 of each indicator over the reports (each report's own figures; a report lacking a cell an
    indicator needs is left out of that indicator). Needs only `INDICATOR_TABLES` loaded."""
    per_organ = [indicators(r.cells, r.format if r.format in _FORMAT_IDS else None) for r in rows]
    return {k: quantiles([i[k] for i in per_organ if i[k] is not None]) for k in INDICATOR_KEYS}


def _count(items: Any) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for i in items:
        out[i] += 1
    return out


def yoy(by_year: dict[int | None, list[ReportRow]]) -> list[dict[str, Any]]:
    """Change of the key figures and indicators from each year to the next one in the selection, over the same
    organs: those with a report in both years whose table is complete in both (their number is stated)."""
    out = []
    ys = sorted(y for y in by_year if y is not None)
    for y in ys:
        if y - 1 not in ys:
            continue
        before = {r.organ_key: r for r in by_year[y - 1] if r.organ_key}
        now = {r.organ_key: r for r in by_year[y] if r.organ_key}
        both = sorted(set(before) & set(now))
        changes: dict[str, Any] = {}
        matched: dict[str, list[str]] = {t: [o for o in both if is_complete(before[o], t) and is_complete(now[o], t)]
                                         for t in ("requests", "review_litigation")}
        sums = {t: (consolidate([before[o] for o in organs]), consolidate([now[o] for o in organs]))
                for t, organs in matched.items()}
        for k in KEY_FIGURES:
            table = k.split(".", 1)[0]
            va, vb = (s.get(k) for s in sums[table])
            if va is None or vb is None:
                continue
            changes[k] = {"previous": va, "current": vb, "change": _num(vb - va),
                          "change_pct": (vb - va) / va if va else None, "organs": len(matched[table])}
        for k in INDICATOR_KEYS:
            table = "review_litigation" if k in ("review_correction_rate", "litigation_loss_rate") else "requests"
            va, vb = (indicators(s)[k] for s in sums[table])
            if va is not None and vb is not None:
                changes[k] = {"previous": va, "current": vb, "change": vb - va, "change_pct": None,
                              "organs": len(matched[table])}
        out.append({"year": y, "previous_year": y - 1, "reports": len(by_year[y]),
                    "previous_reports": len(by_year[y - 1]), "matched_organs": len(both),
                    "matched_complete": {t: len(v) for t, v in matched.items()}, "changes": changes})
    return out


def stats(store: Store, sel: Selection, **kw: Any) -> dict[str, Any]:
    def fetch(report_id: int) -> str | None:
        with store.reading() as conn:
            return conn.execute(select(reports.c.report_json).where(reports.c.id == report_id)).scalar()

    return compute(load(store, sel), sel, fetch=fetch, **kw)


def to_json(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2)
