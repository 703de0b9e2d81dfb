"""`gongkai parse`: read reports and print what was found."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from gongkai import is_report, parse_path
from gongkai.cli import app
from gongkai.cli.inputs import expand
from gongkai.read import ReadError
from gongkai.render.json_view import error_json, report_json
from gongkai.render.schema import schema_text
from gongkai.render.summary import summary_text

EXIT_OK, EXIT_NOT_REPORT, EXIT_UNREADABLE = 0, 1, 2


@app.command()
def parse(
    paths: Annotated[list[str], typer.Argument(help="文件、目录、通配符或 @列表文件")],
    as_json: Annotated[bool, typer.Option("--json", help="每个输入输出一行 JSON（JSON Lines）")] = False,
) -> None:
    """读取年度报告，输出提取结果（默认为摘要，--json 为结构化数据）。

    退出码：0 全部读取为年度报告；1 有输入不像年度报告；2 有输入无法读取。
    """
    code = EXIT_OK
    for path in expand(paths):
        try:
            report = parse_path(path)
        except ReadError as exc:
            code = max(code, EXIT_UNREADABLE)
            if as_json:
                print(json.dumps(error_json(path, exc.code, exc.message), ensure_ascii=False))
            else:
                print(f"== {path}\n  无法读取：{exc.message}（{exc.code}）\n", file=sys.stderr)
            continue
        recognised = is_report(report)
        if not recognised:
            code = max(code, EXIT_NOT_REPORT)
        if as_json:
            out = report_json(report)
            if not recognised:
                out["error"] = {"code": "not_a_report", "message": "未识别为政府信息公开工作年度报告"}
            print(json.dumps(out, ensure_ascii=False))
        else:
            print(summary_text(report, recognised))
    raise typer.Exit(code)


@app.command()
def schema() -> None:
    """输出 `parse --json` 结果的 JSON Schema。"""
    sys.stdout.write(schema_text())
