"""The report list behind the 报告库 page and `/api/reports`: filters, sorting and pagination in SQL.

A figure shown in the list is read from the report (its cell) or absent; the disclosure rate is computed
only when every cell it needs was read (the same rule as `gongkai stats`), never from a missing figure. Both
are kept with each report when it is stored (`reports.new_requests`, `reports.disclosure_rate`): a page of a
10,000-report corpus sorted by either is one query on one table (350–700 ms with four joins on cells,
measured with `benchmarks/bench_web.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import and_, exists, func, select

from gongkai.check import catalogue
from gongkai.stats import Selection, _where
from gongkai.store import Store, findings, reports

SortKey = Literal["organ", "region", "year", "new_requests", "disclosure_rate", "errors"]


class ReportFilter(BaseModel):
    """What the user filters by (query parameters of the page and of the API)."""

    region: str | None = Field(None, description="省、市或县的名称，或 GB/T 2260 代码")
    province: str | None = Field(None, description="省（库中的名称）")
    city: str | None = Field(None, description="市（库中的名称）")
    county: str | None = Field(None, description="县（区、市）（库中的名称）")
    kind: str | None = Field(
        None, description="机关类型：government / department / township / development_zone / other")
    year: int | None = Field(None, description="报告年度")
    format: str | None = Field(None, description="报告格式：2021 / 2019 / legacy")
    q: str | None = Field(None, description="机关名称包含的文字")
    errors: bool | None = Field(None, description="true：只看有错误的报告；false：只看无错误的")
    rule: str | None = Field(None, description="只看有此规则问题的报告（规则代码）")

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        """A form sends every field, the unused ones empty (`year=`): empty means not filtered."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    def selection(self) -> Selection:
        return Selection(region=self.region or None, kind=self.kind or None, year_from=self.year, year_to=self.year,
                         format=self.format or None, organ=(self.q or "").strip() or None)


@dataclass(frozen=True)
class ReportItem:
    id: int
    organ: str | None
    organ_kind: str | None
    province: str | None
    city: str | None
    county: str | None
    year: int | None
    format: str | None
    published: Any
    new_requests: float | None
    disclosure_rate: float | None
    n_errors: int
    n_warnings: int

    def as_json(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["published"] = str(self.published) if self.published is not None else None
        return d


def conditions(flt: ReportFilter) -> list[Any]:
    """The filter as SQL conditions on `reports` (current readings only, as everywhere)."""
    r = reports.c
    cond = _where(flt.selection())
    for column, name in ((r.province, flt.province), (r.city, flt.city), (r.county, flt.county)):
        if name:
            cond.append(column == name)
    if flt.errors is not None:
        cond.append(r.n_errors > 0 if flt.errors else r.n_errors == 0)
    if flt.rule:
        cond.append(exists().where(findings.c.report_id == r.id, findings.c.code == flt.rule))
    return cond


def list_reports(store: Store, flt: ReportFilter, *, sort: SortKey = "organ", descending: bool = False,
                 page: int = 1, per_page: int = 50) -> tuple[int, list[ReportItem]]:
    """(number of matching reports, the page asked for)."""
    r = reports.c
    cond = conditions(flt)
    sort_column = {"organ": func.coalesce(r.organ_canonical, r.organ), "region": r.region_code, "year": r.year,
                   "new_requests": r.new_requests, "disclosure_rate": r.disclosure_rate, "errors": r.n_errors}[sort]
    order = (sort_column.desc() if descending else sort_column.asc()).nulls_last()
    with store.reading() as conn:
        count = conn.execute(select(func.count()).select_from(reports).where(and_(*cond))).scalar_one()
        q = (select(r.id, r.organ, r.organ_kind, r.province, r.city, r.county, r.year, r.format, r.published,
                    r.new_requests, r.disclosure_rate, r.n_errors, r.n_warnings)
             .where(and_(*cond))
             .order_by(order, r.id)  # reports without the figure last, either way
             .limit(per_page).offset((max(page, 1) - 1) * per_page))
        items = [ReportItem(**row._asdict()) for row in conn.execute(q)]
    return count, items


def choices(store: Store, flt: ReportFilter | None = None) -> dict[str, list[Any]]:
    """Values present in the store, for the filter menus: years, formats, rules, and the regions — provinces,
    then the cities of the province chosen, then the counties of the city chosen (province → city → county)."""
    r = reports.c
    current = and_(r.is_current.is_(True), r.is_best.is_(True), r.recognised.is_(True))
    flt = flt or ReportFilter()
    with store.reading() as conn:
        def distinct(col: Any, *where: Any) -> list[Any]:
            q = select(col).where(current, col.is_not(None), *where).distinct().order_by(col)
            return [v for (v,) in conn.execute(q)]

        return {"years": distinct(r.year), "formats": distinct(r.format), "provinces": distinct(r.province),
                "cities": distinct(r.city, *([r.province == flt.province] if flt.province else [])),
                "counties": distinct(r.county, *([r.city == flt.city] if flt.city else [])) if flt.city else [],
                "rules": [rule.code for rule in catalogue()]}
