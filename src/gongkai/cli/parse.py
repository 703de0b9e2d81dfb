"""`gongkai parse`: read reports and print what was found."""

from __future__ import annotations

import sys
from functools import partial
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from gongkai.model import Report

from gongkai.bounded import Failed, Refused, display_path, expand
from gongkai.cli import app
from gongkai.cli.jobs import (
    DEFAULT_MEMORY_TEXT,
    DEFAULT_SIZE_TEXT,
    DEFAULT_TIMEOUT,
    INTERNAL_ERROR,
    JobsOption,
    MaxMemoryOption,
    MaxSizeOption,
    TimeoutOption,
    in_order,
    internal_error_message,
    limits_from,
    progress,
    refuse_special,
)

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
    from gongkai.render.json_view import dumps, report_json
    from gongkai.render.summary import summary_text

    try:
        refuse_special(path)
        report = shown_report(parse_path(path), path)
        recognised = is_report(report)
        code = EXIT_OK if recognised else EXIT_NOT_REPORT
        if not as_json:
            return code, summary_text(report, recognised) + "\n", False
        out = report_json(report)
        if not recognised:
            out["error"] = dict(NOT_A_REPORT)
        return code, dumps(out) + "\n", False
    except (ReadError, Refused) as exc:
        return _error(as_json, path, exc.code, exc.message, f"无法读取：{exc.message}")
    except MemoryError:
        raise  # over the memory limit: the worker reports it and is replaced
    except Exception as exc:  # a bug on one file must not stop the others
        message = internal_error_message(exc)
        return _error(as_json, path, INTERNAL_ERROR, message, message)


def shown_report(report: Report, path: str) -> Report:
    """The report with its path as shown (a file name that is not UTF-8 as \\xNN, printable)."""
    shown = display_path(path)
    if shown == report.source.path or report.source.path != path:
        return report
    return report.model_copy(update={"source": report.source.model_copy(update={"path": shown})})


def _error(as_json: bool, path: str, code: str, message: str, text: str) -> tuple[int, str, bool]:
    """An input that gave no report: a JSON line on stdout, or its lines on stderr."""
    from gongkai.render.json_view import dumps, error_json

    shown = display_path(path)
    if as_json:
        return EXIT_UNREADABLE, dumps(error_json(shown, code, message)) + "\n", False
    return EXIT_UNREADABLE, f"== {shown}\n  {text}（{code}）\n\n", True


def parse_failed(as_json: bool, path: str, why: Failed) -> tuple[int, str, bool]:
    """An input the workers gave up on (time or memory limit, a crash)."""
    return _error(as_json, path, why.code, why.message, why.message)


@app.command()
def parse(
    paths: Annotated[list[str], typer.Argument(help="文件、目录、通配符或 @列表文件")],
    as_json: Annotated[bool, typer.Option("--json", help="每个输入输出一行 JSON（JSON Lines）")] = False,
    jobs: JobsOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
    max_memory: MaxMemoryOption = DEFAULT_MEMORY_TEXT,
    max_size: MaxSizeOption = DEFAULT_SIZE_TEXT,
) -> None:
    """读取年度报告，输出提取结果（默认为摘要，--json 为结构化数据）。

    多个输入由多个进程并行处理，结果按输入顺序输出；每个文件有处理时限、内存与大小上限（见 docs/limits.md）。
    退出码：0 全部读取为年度报告；1 有输入不像年度报告；2 有输入无法读取、超过限制或处理时出错（其余输入照常处理）。
    """
    limits = limits_from(timeout, max_memory, max_size)
    code = EXIT_OK
    problems: list[tuple[str, str, str]] = []
    inputs = list(expand(paths, problems))
    for where, error, message in problems:
        code = EXIT_UNREADABLE
        _, text, to_stderr = _error(as_json, where, error, message, message)
        (sys.stderr if to_stderr else sys.stdout).write(text)
    # A bar on the terminal when the results go to a file or a pipe, or there is one file (a scan takes
    # seconds a table); not between results printed on the terminal.
    with progress("读取", len(inputs), len(inputs) == 1 or not sys.stdout.isatty()) as advance:
        for file_code, text, to_stderr in in_order(partial(parse_one, as_json), inputs, jobs, _load, limits=limits,
                                                   failed=partial(parse_failed, as_json)):
            code = max(code, file_code)
            advance(1)
            (sys.stderr if to_stderr else sys.stdout).write(text)
    raise typer.Exit(code)


@app.command()
def schema() -> None:
    """输出 `parse --json` 结果的 JSON Schema。"""
    from gongkai.render.schema import schema_text

    sys.stdout.write(schema_text())
