"""`gongkai export`: stored reports to CSV / Parquet / XLSX, long or wide, with their findings."""

from __future__ import annotations

from typing import Annotated

import typer

from gongkai.cli import app
from gongkai.cli.store_common import FORMATS, KINDS, DbOption, RegionOption, choice, regions_or_exit, store_or_exit


@app.command()
def export(
    out: Annotated[str, typer.Option("--out", "-o", help="输出文件")],
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="csv / parquet / xlsx（默认按文件扩展名）")] = None,
    shape: Annotated[str, typer.Option("--shape", help="long：每个单元格一行；wide：每份报告一行")] = "long",
    db: DbOption = None,
    region: RegionOption = None,
    kind: Annotated[str | None, typer.Option("--kind", help="机关类型")] = None,
    year_from: Annotated[int | None, typer.Option("--from", help="起始年度")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="截止年度")] = None,
    report_format: Annotated[str | None, typer.Option("--report-format", help="报告格式：2021 / 2019 / legacy")] = None,
    all_versions: Annotated[bool, typer.Option(
        "--all-versions", help="包括被新版本取代的报告（每个版本一份；同一版本的其他格式原件不重复导出）")] = False,
    bom: Annotated[bool, typer.Option(
        "--bom/--no-bom", help="CSV 文件开头写入 UTF-8 BOM（Excel、WPS 需要它才能正确显示中文）")] = True,
) -> None:
    """导出库中报告（长表或宽表）及核查结果。

    CSV/Parquet 的核查结果写入同名 .findings 文件、字段说明写入 .codebook 文件；XLSX 写入 findings 与 codebook 工作表。
    """
    from gongkai.cli.jobs import progress_bar
    from gongkai.export import export as run_export
    from gongkai.stats import Selection

    fmt = fmt or out.rsplit(".", 1)[-1].lower()
    if fmt not in ("csv", "parquet", "xlsx"):
        raise typer.BadParameter("--format 只能是 csv / parquet / xlsx")
    if shape not in ("long", "wide"):
        raise typer.BadParameter("--shape 只能是 long / wide")
    kind, report_format = choice(kind, "--kind", KINDS), choice(report_format, "--report-format", FORMATS)
    store = store_or_exit(db, create=False)
    with store:
        sel = Selection(region=regions_or_exit(store, region), kind=kind, year_from=year_from, year_to=year_to,
                        format=report_format, all_versions=all_versions)
        with progress_bar("导出") as bar:
            task = bar.add_task("export", total=None)
            res = run_export(store, out, fmt=fmt, shape=shape, sel=sel, bom=bom,  # type: ignore[arg-type]
                             on_total=lambda n: bar.update(task, total=n), advance=lambda n: bar.advance(task, n))
    print(f"导出 {res.reports} 份报告：{res.rows} 行，核查结果 {res.findings} 条 → {'，'.join(res.files)}")
