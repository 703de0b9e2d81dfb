"""`gongkai check` and `gongkai rules`: the rule catalogue run over reports, and the catalogue itself."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, NamedTuple

import typer

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
    fault: Exception | None = None  # a fault of the store (not of this input): raised by the command


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
    import gongkai.render.json_view
    if options.previous is None and not options.summary:
        # Each report looks up its previous year in the store: load that machinery (SQLAlchemy, the divisions
        # behind organ resolution) once here, where forked workers inherit it, not in every worker's first file.
        import contextlib

        with contextlib.suppress(Exception):
            import gongkai.store.previous  # noqa: F401
            from gongkai.ingest.resolve import resolve

            resolve("北京市人民政府")


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


def report_record(source: str, severities: list[str]) -> dict[str, object]:
    """The last line of a report in `check --json` (frictionless-style): whether it is valid (no error) and how
    many findings of each severity, so a report that passed is told from one that was not checked."""
    stats = {s: severities.count(s) for s in ("error", "warning", "info")}
    return {"source": source, "valid": stats["error"] == 0,
            "stats": {"errors": stats["error"], "warnings": stats["warning"], "info": stats["info"]}}


def check_one(path: str) -> Checked:
    """Read and check one input, down to its output text. Never raises (but for KeyboardInterrupt and
    the like): a file the program fails on gets an error of its own and the others go on."""
    from gongkai import parse_path
    from gongkai.check import check
    from gongkai.read import ReadError
    from gongkai.render.json_view import dumps

    opts = _OPTIONS
    assert opts is not None, "_setup first"
    shown = display_path(path)
    try:
        refuse_special(path)
        report = parse_path(path)
        try:
            prev = opts.previous if opts.previous is not None or opts.summary else _previous_from_store(report, opts.db)
        except Exception as exc:
            if type(exc).__module__.startswith("gongkai.store"):  # StoreError: it stops the command, in the parent
                return Checked(EXIT_UNREADABLE, "", "", None, fault=exc)
            raise
        findings = check(report, prev)
        # An input that is not an annual report fails whatever --fail-on says, as in `gongkai parse`.
        failed = any(SEVERITY_ORDER[f.severity] <= opts.limit or f.code == NOT_A_REPORT for f in findings)
        code = EXIT_FAILED if failed else EXIT_OK
        if opts.summary:
            return Checked(code, "", "", (report.meta.year, report.meta.format, [f.code for f in findings]))
        if opts.as_json:
            lines = [dumps(f.to_json(shown)) for f in findings]
            lines.append(dumps(report_record(shown, [f.severity for f in findings])))
            return Checked(code, "".join(line + "\n" for line in lines), "", None)
        return Checked(code, _text(shown, report, findings) + "\n", "", None)
    except (ReadError, Refused) as exc:
        return _unreadable(path, exc.code, exc.message, f"无法读取：{exc.message}")
    except MemoryError:
        raise  # over the memory limit: the worker reports it and is replaced
    except Exception as exc:  # a bug on one file must not stop the others
        message = internal_error_message(exc)
        return _unreadable(path, INTERNAL_ERROR, message, message)


def _unreadable(path: str, error: str, message: str, text: str) -> Checked:
    """An input that could not be checked: its error line (JSON) and its lines on stderr."""
    from gongkai.render.json_view import dumps

    opts = _OPTIONS
    shown = display_path(path)
    line = ""
    if opts is not None and opts.as_json and not opts.summary:
        line = dumps({"source": shown, "error": {"code": error, "message": message}}) + "\n"
    return Checked(EXIT_UNREADABLE, line, f"== {shown}\n  {text}（{error}）\n", None)


def check_failed(path: str, why: Failed) -> Checked:
    """An input the workers gave up on (time or memory limit, a crash)."""
    return _unreadable(path, why.code, why.message, why.message)


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
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
    max_memory: MaxMemoryOption = DEFAULT_MEMORY_TEXT,
    max_size: MaxSizeOption = DEFAULT_SIZE_TEXT,
) -> None:
    """按规则目录核查年度报告，输出问题（中文说明、规则代码、原文行号）。

    多个输入由多个进程并行处理，结果按输入顺序输出；每个文件有处理时限、内存与大小上限（见 docs/limits.md）。
    退出码：0 无达到 --fail-on 程度的问题；1 有，或有输入不像年度报告；
    2 有输入无法读取、超过限制或处理时出错（其余输入照常处理）。
    """
    from gongkai import parse_path
    from gongkai.bounded import check_regular
    from gongkai.read import ReadError

    limits = limits_from(timeout, max_memory, max_size)
    prev_report: Report | None = None
    if previous is not None:
        try:
            check_regular(previous, limits.max_size)
            prev_report = parse_path(previous)
        except (ReadError, Refused) as exc:
            print(f"无法读取上一年度报告 {previous}：{exc.message}（{exc.code}）", file=sys.stderr)
            raise typer.Exit(EXIT_UNREADABLE) from None
    options = _Options(as_json, summary, SEVERITY_ORDER.get(fail_on.value, -1), db, prev_report)
    code = EXIT_OK
    agg = None
    if summary:
        from gongkai.check.summary import Summary

        agg = Summary()
    out, err = sys.stdout, sys.stderr
    problems: list[tuple[str, str, str]] = []
    inputs = list(expand(paths, problems))
    if problems:
        _setup(options)
    for where, error, message in problems:
        code = EXIT_UNREADABLE
        result = _unreadable(where, error, message, message)
        out.write(result.out if not summary else "")
        err.write(result.err)
        if agg is not None:
            agg.unreadable += 1
    # A bar on the terminal when the summary prints only at the end, when the results go to a file or a pipe,
    # or there is one file (a scan takes seconds a table); not between results printed on the terminal.
    shown = summary or len(inputs) == 1 or not sys.stdout.isatty()
    with progress("核查", len(inputs), shown) as advance:
        for result in in_order(check_one, inputs, jobs, _setup, (options,), limits=limits, failed=check_failed):
            advance(1)
            if result.fault is not None:
                sys.stdout.flush()
                raise result.fault  # one line and the fault's exit code (gongkai.cli), after the files before it
            code = max(code, result.code)  # unreadable (2) outranks failed (1)
            sys.stdout.write(result.out)
            sys.stderr.write(result.err)
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
