"""`gongkai parse`: read reports and print what was found."""

from __future__ import annotations

import sys
from functools import partial
from typing import Annotated

import typer

from gongkai.cli import app
from gongkai.cli.inputs import expand
from gongkai.cli.jobs import INTERNAL_ERROR, JobsOption, in_order, internal_error_message

EXIT_OK, EXIT_NOT_REPORT, EXIT_UNREADABLE = 0, 1, 2
NOT_A_REPORT = {"code": "not_a_report", "message": "未识别为政府信息公开工作年度报告"}


def _load() -> None:
    """The reader, extractor and printers (imported before worker processes fork)."""
    import gongkai.extract
    import gongkai.read
    import gongkai.render.json_view
    import gongkai.render.summary  # noqa: F401


def parse_one(as_json: bool, path: str) -> tuple[int, str, bool]:
    """One input's exit code, its finished output and whether that goes to stderr. Never raises
    (but for KeyboardInterrupt and the like): a file the program fails on gets an error of its own."""
    from gongkai import parse_path
    from gongkai.extract.gate import is_report
    from gongkai.read import ReadError
    from gongkai.render.json_view import dumps, error_json, report_json
    from gongkai.render.summary import summary_text

    try:
        report = parse_path(path)
        recognised = is_report(report)
        code = EXIT_OK if recognised else EXIT_NOT_REPORT
        if not as_json:
            return code, summary_text(report, recognised) + "\n", False
        out = report_json(report)
        if not recognised:
            out["error"] = dict(NOT_A_REPORT)
        return code, dumps(out) + "\n", False
    except ReadError as exc:
        error, message = exc.code, f"无法读取：{exc.message}"
        if as_json:
            return EXIT_UNREADABLE, dumps(error_json(path, exc.code, exc.message)) + "\n", False
    except Exception as exc:  # a bug on one file must not stop the others
        error, message = INTERNAL_ERROR, internal_error_message(exc)
        if as_json:
            return EXIT_UNREADABLE, dumps(error_json(path, INTERNAL_ERROR, message)) + "\n", False
    return EXIT_UNREADABLE, f"== {path}\n  {message}（{error}）\n\n", True


@app.command()
def parse(
    paths: Annotated[list[str], typer.Argument(help="文件、目录、通配符或 @列表文件")],
    as_json: Annotated[bool, typer.Option("--json", help="每个输入输出一行 JSON（JSON Lines）")] = False,
    jobs: JobsOption = None,
) -> None:
    """读取年度报告，输出提取结果（默认为摘要，--json 为结构化数据）。

    多个输入由多个进程并行处理，结果按输入顺序输出。
    退出码：0 全部读取为年度报告；1 有输入不像年度报告；2 有输入无法读取（或处理时出错）。
    """
    code = EXIT_OK
    out, err = sys.stdout, sys.stderr
    for file_code, text, to_stderr in in_order(partial(parse_one, as_json), list(expand(paths)), jobs, _load):
        code = max(code, file_code)
        (err if to_stderr else out).write(text)
    raise typer.Exit(code)


@app.command()
def schema() -> None:
    """输出 `parse --json` 结果的 JSON Schema。"""
    from gongkai.render.schema import schema_text

    sys.stdout.write(schema_text())
