"""`gongkai check` and `gongkai rules`: the rule catalogue run over reports, and the catalogue itself."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, NamedTuple

import typer

from gongkai.cli import app
from gongkai.cli.inputs import expand
from gongkai.cli.jobs import INTERNAL_ERROR, JobsOption, in_order, internal_error_message

if TYPE_CHECKING:
    from gongkai.check.model import Finding
    from gongkai.model import Report

EXIT_OK, EXIT_FAILED, EXIT_UNREADABLE = 0, 1, 2
NOT_A_REPORT = "completeness.not_a_report"
SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}
CATEGORY_WORDS = {"arithmetic": "勾稽关系", "completeness": "完整性", "format": "格式", "prose": "正文与表格",
                  "years": "跨年度", "plausibility": "合理性", "timeliness": "时效", "integrity": "文本完整性"}
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}  # as gongkai.check.model (not imported at start)


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


@dataclass(frozen=True)
class _Options:
    """What every worker needs to know of the command line."""

    as_json: bool
    summary: bool
    limit: int
    db: str | None
    previous: Report | None


class Checked(NamedTuple):
    """One input's result: its exit code, its finished stdout and stderr text, and for `--summary`
    its year, format and the codes of its findings (`None` when it could not be read)."""

    code: int
    out: str
    err: str
    tally: tuple[int | None, str | None, list[str]] | None


class _Coded(NamedTuple):
    """A finding as `Summary.add` counts it: by its code."""

    code: str


_OPTIONS: _Options | None = None


def _setup(options: _Options) -> None:
    """Set the command's options and import the reader and the checks (before worker processes fork)."""
    global _OPTIONS
    _OPTIONS = options
    import gongkai.check
    import gongkai.extract
    import gongkai.read
    import gongkai.render.json_view  # noqa: F401


def _previous_from_store(report: Report, db: str | None) -> Report | None:
    """The same organ's report of the year before, from the store (none when no store exists yet)."""
    from gongkai.store import previous_report  # the store is only opened when a report needs it

    return previous_report(report, db)


def _text(path: str, report: Report, findings: list[Finding]) -> str:
    head = f"== {path}"
    meta = report.meta
    desc = "　".join(x for x in (meta.organ, f"{meta.year}年度" if meta.year else None,
                                 f"格式 {meta.format}" if meta.format else None) if x)
    lines = [head + (f"\n  {desc}" if desc else "")]
    if not findings:
        lines.append("  未发现问题")
    counts = {s: sum(f.severity == s for f in findings) for s in SEVERITY_ORDER}
    for f in findings:
        pos = f.position
        where = f"第{pos}行 " if pos is not None else ""
        lines.append(f"  [{SEVERITY_WORDS[f.severity]}] {f.code} {where}{f.message}")
    if findings:
        lines.append("  合计：" + "，".join(f"{SEVERITY_WORDS[s]} {n}" for s, n in counts.items() if n))
    return "\n".join(lines) + "\n"


def check_one(path: str) -> Checked:
    """Read and check one input, down to its output text. Never raises (but for KeyboardInterrupt and
    the like): a file the program fails on gets an error of its own and the others go on."""
    from gongkai import parse_path
    from gongkai.check import check
    from gongkai.read import ReadError
    from gongkai.render.json_view import dumps

    opts = _OPTIONS
    assert opts is not None, "_setup first"
    try:
        report = parse_path(path)
        prev = opts.previous if opts.previous is not None or opts.summary else _previous_from_store(report, opts.db)
        findings = check(report, prev)
        # An input that is not an annual report fails whatever --fail-on says, as in `gongkai parse`.
        failed = any(SEVERITY_ORDER[f.severity] <= opts.limit or f.code == NOT_A_REPORT for f in findings)
        code = EXIT_FAILED if failed else EXIT_OK
        if opts.summary:
            return Checked(code, "", "", (report.meta.year, report.meta.format, [f.code for f in findings]))
        if opts.as_json:
            return Checked(code, "".join(dumps(f.to_json(path)) + "\n" for f in findings), "", None)
        return Checked(code, _text(path, report, findings) + "\n", "", None)
    except ReadError as exc:
        error, message, text = exc.code, exc.message, f"无法读取：{exc.message}"
    except Exception as exc:  # a bug on one file must not stop the others
        error = INTERNAL_ERROR
        message = text = internal_error_message(exc)
    line = ""
    if opts.as_json and not opts.summary:
        line = dumps({"source": path, "error": {"code": error, "message": message}}) + "\n"
    return Checked(EXIT_UNREADABLE, line, f"== {path}\n  {text}（{error}）\n", None)


@app.command("check")
def check_command(
    paths: Annotated[list[str], typer.Argument(help="文件、目录、通配符或 @列表文件")],
    as_json: Annotated[bool, typer.Option("--json", help="每个问题输出一行 JSON（JSON Lines）")] = False,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="达到该严重程度的问题使退出码为1")] = FailOn.error,
    previous: Annotated[str | None, typer.Option("--previous", help="同一机关上一年度的报告（跨年度核查）")] = None,
    summary: Annotated[bool, typer.Option("--summary", help="汇总：每条规则有多少报告不通过，按年度和格式")] = False,
    db: Annotated[str | None, typer.Option("--db", help="库的位置（未给出 --previous 时从库中查找上一年度报告）；"
                                                       "默认 GONGKAI_DB 或内置 SQLite 文件")] = None,
    jobs: JobsOption = None,
) -> None:
    """按规则目录核查年度报告，输出问题（中文说明、规则代码、原文行号）。

    多个输入由多个进程并行处理，结果按输入顺序输出。
    退出码：0 无达到 --fail-on 程度的问题；1 有，或有输入不像年度报告；2 有输入无法读取（或处理时出错）。
    """
    from gongkai import parse_path
    from gongkai.read import ReadError

    prev_report: Report | None = None
    if previous is not None:
        try:
            prev_report = parse_path(previous)
        except ReadError as exc:
            print(f"无法读取上一年度报告 {previous}：{exc.message}（{exc.code}）", file=sys.stderr)
            raise typer.Exit(EXIT_UNREADABLE) from None
    options = _Options(as_json, summary, SEVERITY_ORDER.get(fail_on.value, -1), db, prev_report)
    code = EXIT_OK
    agg = None
    if summary:
        from gongkai.check.summary import Summary

        agg = Summary()
    out, err = sys.stdout, sys.stderr
    for result in in_order(check_one, list(expand(paths)), jobs, _setup, (options,)):
        code = max(code, result.code)  # unreadable (2) outranks failed (1)
        out.write(result.out)
        err.write(result.err)
        if agg is not None:
            if result.tally is None:
                agg.unreadable += 1
            else:
                year, fmt, codes = result.tally
                agg.add(year, fmt, [_Coded(c) for c in codes])  # type: ignore[misc]
    if agg is not None:
        from gongkai.check.registry import rules as rule_index
        from gongkai.render.json_view import dumps

        out.write(dumps(agg.to_json()) + "\n" if as_json else agg.to_text(rule_index()))
    raise typer.Exit(code)


def rules_markdown() -> str:
    """The catalogue as a Markdown document (docs/checks.md)."""
    from gongkai.check import catalogue

    out = ["# 核查规则目录（`gongkai rules`）", "",
           "由 `gongkai rules --markdown` 生成，勿手工编辑。规则元数据见 `src/gongkai/formats/data/rules.toml`；"
           "勾稽关系规则由格式文件中的 identities 自动生成。", "",
           "| 代码 | 严重程度 | 标题 |", "|---|---|---|"]
    out += [f"| `{r.code}` | {SEVERITY_WORDS[r.severity]} | {r.title} |" for r in catalogue()]
    out.append("")
    current = None
    for r in catalogue():
        if r.category != current:
            current = r.category
            out += [f"## {CATEGORY_WORDS.get(current, current)}（{current}）", ""]
        out += [f"### `{r.code}` — {r.title}", "", f"严重程度：{SEVERITY_WORDS[r.severity]}（{r.severity}）"
                + (f"；由勾稽关系 `{r.identity}` 生成" if r.identity else ""), "", r.description, "",
                f"消息模板：`{r.message}`", ""]
    return "\n".join(out)


@app.command("rules")
def rules_command(
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON Lines 输出规则目录")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="以 Markdown 输出（docs/checks.md）")] = False,
) -> None:
    """列出核查规则目录：代码、严重程度、类别、标题与说明。"""
    import json

    from gongkai.check import catalogue

    if markdown:
        sys.stdout.write(rules_markdown())
        return
    for r in catalogue():
        if as_json:
            print(json.dumps(r.model_dump(), ensure_ascii=False))
        else:
            print(f"{r.code}  [{SEVERITY_WORDS[r.severity]}] {CATEGORY_WORDS.get(r.category, r.category)}  {r.title}")
            print(f"    {r.description}")
