"""`gongkai register`: the request register kept as a spreadsheet → the tables of the year's report."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from gongkai.cli import app

register_app = typer.Typer(help="依申请公开台账：由台账（电子表格）生成年度报告的表三、表四。", no_args_is_help=True)
app.add_typer(register_app, name="register")

# Figures of table 3 (总计 column) and table 4 shown on the terminal; the whole tables go to --out or --json.
_SHOWN_REQUESTS = ("new_received", "carried_over", "total_processed", "carried_forward")


@register_app.command("tables")
def tables(
    path: Annotated[Path, typer.Argument(help="台账文件（.xlsx 或 .csv，列的格式见 docs/register-spreadsheet.md）")],
    year: Annotated[int, typer.Option("--year", help="报告年度（1 月 1 日至 12 月 31 日）")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="把表三、表四写入文件（.xlsx 或 .csv）")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出表三、表四的全部单元格")] = False,
) -> None:
    """读入台账，核对每一行，生成该年度的表三（收到和处理政府信息公开申请情况）与表四（行政复议、行政诉讼情况）。

    台账有问题时逐行列出（行号、列、原因），不生成表格，退出码 1。生成的表格按构造满足格式的全部勾稽关系。
    """
    from gongkai.formats import get_format
    from gongkai.registers.errors import RegisterError
    from gongkai.registers.requests import tables_for_period
    from gongkai.registers.spreadsheet import ImportErrors, export_tables, import_requests

    try:
        requests = import_requests(path)
    except ImportErrors as exc:
        print(f"台账有 {len(exc.errors)} 处问题，未生成表格：", file=sys.stderr)
        for p in exc.errors:
            where = "文件" if p.line == 0 else f"第 {p.line} 行"
            column = f"「{p.column}」" if p.column else ""
            print(f"  {where}{column}：{p.message_zh}（{p.code}）", file=sys.stderr)
        raise typer.Exit(1) from None
    except (RegisterError, OSError) as exc:
        message = exc.message_zh if isinstance(exc, RegisterError) else str(exc)
        print(f"无法读取台账 {path}：{message}", file=sys.stderr)
        raise typer.Exit(2) from None
    cells = tables_for_period(requests, date(year, 1, 1), date(year, 12, 31))
    if out is not None:
        export_tables(cells, out)
    if as_json:
        print(json.dumps(cells, ensure_ascii=False))
        return
    fmt = get_format("2021")
    table3, table4 = fmt.table("requests"), fmt.table("review_litigation")
    assert table3 is not None and table4 is not None
    print(f"{path.name}：{len(requests)} 件申请；{year} 年度")
    print(f"表三（{table3.title}），总计列：")
    for key in _SHOWN_REQUESTS:
        print(f"  {table3.row(key).label}：{cells['requests'][key]['total']}")
    print(f"表四（{table4.title}），总计列：")
    for row in table4.rows:
        group = f"{row.group}·" if row.group else ""
        print(f"  {group}{row.label}：{cells['review_litigation'][row.key]['total']}")
    if out is not None:
        print(f"表三、表四全部单元格 → {out}")
