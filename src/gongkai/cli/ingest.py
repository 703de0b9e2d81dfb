"""`gongkai ingest`: read, extract, check and store reports (worker processes, progress bar, summary)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from gongkai.cli import app
from gongkai.cli.inputs import expand
from gongkai.cli.store_common import WORKERS_HELP, DbOption, OrgansOption, store_or_exit

if TYPE_CHECKING:
    from gongkai.store import Store

_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
_KIND = {"government": "人民政府", "department": "政府部门", "township": "乡镇（街道）", "development_zone": "开发区",
         "other": "其他机关"}


def findings_text(store: Store, shas: list[str]) -> str:
    """The stored findings of these originals' reports, one block per report."""
    out = []
    for rep, fs in store.findings_of(shas):
        state = "当前版本" if rep.is_current else "已被新版本取代"
        place = " ".join(x for x in (rep.province, rep.city, rep.county) if x) or "未定位"
        out.append(f"\n== {rep.organ or '（未识别机关）'} {rep.year or '?'} 年度（报告 #{rep.id}，第 {rep.version} 版，"
                   f"{state}；{rep.path}）")
        kind = _KIND.get(rep.organ_kind or "", rep.organ_kind)
        parent = f"，上级：{rep.parent}" if rep.parent else ""
        out.append(f"  机关：{kind}，{place}（{rep.region_code or '无代码'}）{parent}")
        if not fs:
            out.append("  核查通过，未发现问题。")
        for f in fs:
            where = f" 第{f.line}行" if f.line is not None else ""
            out.append(f"  [{_SEVERITY.get(f.severity, f.severity)}] {f.code}{where}：{f.message}")
    return "\n".join(out).lstrip("\n")


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="文件、目录、通配符或 @列表文件")],
    db: DbOption = None,
    organs: OrgansOption = None,
    workers: Annotated[int | None, typer.Option("--workers", "-j", help=WORKERS_HELP)] = None,
    batch: Annotated[int, typer.Option("--batch", help="每个事务写入的文件数")] = 100,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="显示进度条")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出汇总")] = False,
    show_findings: Annotated[bool, typer.Option("--findings", help="汇总后列出这些文件在库中的核查结果")] = False,
) -> None:
    """读取、提取、核查并入库年度报告；原件按 SHA-256 存档，重复内容只存一次。

    退出码：0 全部入库或重复；1 有文件失败（原因见汇总）；3 无法打开数据库。
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from gongkai.ingest import ingest as run_ingest

    store = store_or_exit(db)
    console = Console(stderr=True)
    show = progress and console.is_terminal
    bar = Progress(TextColumn("入库"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                   TimeRemainingColumn(), console=console, disable=not show)
    with store, bar:
        task = bar.add_task("ingest", total=None, rate="")

        def on_total(n: int) -> None:
            bar.update(task, total=n)

        def advance(n: int) -> None:
            bar.advance(task, n)

        summary = run_ingest(store, expand(paths), workers=workers, overrides=organs, batch_size=batch,
                             on_total=on_total, advance=advance)
    if as_json:
        print(json.dumps(summary.to_json(), ensure_ascii=False))
    else:
        print(summary.text())
        print(f"数据库：{store.display_url()}", file=sys.stderr)
        if show_findings:
            print(findings_text(store, list(dict.fromkeys(summary.shas.values()))))
    raise typer.Exit(1 if summary.failed else 0)
