"""`gongkai stats`: consolidated figures, indicators, distributions, year-over-year change, check
failure shares and cross-year continuity over a selection of stored reports."""

from __future__ import annotations

from typing import Annotated

import typer

from gongkai.cli import app
from gongkai.cli.store_common import (
    FORMATS,
    GROUPINGS,
    KINDS,
    LEVELS,
    DbOption,
    RegionOption,
    choice,
    regions_or_exit,
    store_or_exit,
)


@app.command()
def stats(
    db: DbOption = None,
    region: RegionOption = None,
    level: Annotated[str | None, typer.Option("--level", help="机关所在地区层级：province / city / county")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="机关类型：government / department / township / "
                                                          "development_zone / other")] = None,
    year: Annotated[int | None, typer.Option("--year", help="只统计该年度")] = None,
    year_from: Annotated[int | None, typer.Option("--from", help="起始年度")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="截止年度")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="报告格式：2021 / 2019 / legacy")] = None,
    organ: Annotated[str | None, typer.Option("--organ", help="机关名称包含")] = None,
    by: Annotated[str | None, typer.Option("--by", help="分组汇总：province / city / county / organ / kind")] = None,
    min_requests: Annotated[int, typer.Option("--min-requests", help="参与排名的机关最少办结申请数")] = 10,
    top: Annotated[int, typer.Option("--top", help="排名列出的机关数")] = 5,
    brief: Annotated[bool, typer.Option("--brief", help="不列出合计表格")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """统计库中报告：各表格单元格合计、派生指标及其分布、同比变化、核查未通过比例、跨年度衔接核查。"""
    from gongkai.stats import Selection, to_json
    from gongkai.stats import stats as compute_stats
    from gongkai.stats.text import render

    by = choice(by, "--by", GROUPINGS)
    level, kind, fmt = choice(level, "--level", LEVELS), choice(kind, "--kind", KINDS), choice(fmt, "--format", FORMATS)
    store = store_or_exit(db, create=False)
    with store:
        sel = Selection(region=regions_or_exit(store, region), level=level, kind=kind,
                        year_from=year if year else year_from, year_to=year if year else year_to, format=fmt,
                        organ=organ)
        result = compute_stats(store, sel, by=by, min_requests=min_requests, top=top)
    print(to_json(result) if as_json else render(result, full_tables=not brief), end="" if not as_json else "\n")
