"""The command line's own words in Simplified Chinese: help panels, the usage line, the help option and every
usage error (a missing argument, an unknown option, a bad value …).

Typer renders help and errors with Rich from module-level strings (`typer.rich_utils`) and the messages of
its vendored Click exceptions, which are plain English f-strings with no translation hook (Typer ≥ 0.20).
So the strings are replaced here, once, when the CLI is imported, and usage errors are shown by
`show_error`, which words each kind of Click error in Chinese from its fields (parameter, option name,
choices), never by translating English text. `tests/cli/test_cli_chinese.py` runs every command with
`--help` and with a usage error and fails on any English sentence, so a Typer upgrade that moves these
strings is caught.
"""

from __future__ import annotations

import re
from typing import Any

from typer import rich_utils
from typer._click import core as click_core
from typer._click import exceptions as click_errors
from typer._click import formatting as click_formatting

HELP_OPTION = "显示本帮助并退出。"
_PANELS = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "ABORTED_TEXT": "已中止。",
    "RICH_HELP": "使用 [blue]'{command_path} {help_option}'[/] 查看帮助。",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "REQUIRED_LONG_STRING": "[必填]",
    "DEPRECATED_STRING": "（已弃用）",
}
_USAGE = r"(?P<usage>用法：)"
_USAGE_WORDS = (("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."))


class _Formatter(click_formatting.HelpFormatter):
    """The usage line in Chinese: `用法：gongkai stats [选项]`."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, chinese in _USAGE_WORDS:
            args = args.replace(english, chinese)
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)


_original_help_option = click_core.Command.get_help_option


def _help_option(self: Any, ctx: Any) -> Any:
    option = _original_help_option(self, ctx)
    if option is not None:
        option.help = HELP_OPTION
    return option


def install() -> None:
    """Put the Chinese words in place (idempotent)."""
    for name, text in _PANELS.items():
        setattr(rich_utils, name, text)
    if _USAGE not in rich_utils.highlighter.highlights:
        rich_utils.highlighter.highlights = [*rich_utils.highlighter.highlights, _USAGE]
    click_core.Context.formatter_class = _Formatter
    click_core.Command.get_help_option = _help_option  # type: ignore[method-assign]
    rich_utils.rich_format_error = show_error


def _hint(exc: Any) -> str:
    """The parameter an error is about, as the user typed it (`--kind`, `PATHS`)."""
    if getattr(exc, "param_hint", None) is not None:
        hint = exc.param_hint
    elif getattr(exc, "param", None) is not None:
        hint = exc.param.get_error_hint()
    else:
        return ""
    return " / ".join(hint) if isinstance(hint, (list, tuple)) else str(hint)


_NOT_VALID = re.compile(r"^'?(?P<value>.*?)'? is not a valid (?P<type>[\w ]+)\.?$")
_NOT_ONE_OF = re.compile(r"^'?(?P<value>.*?)'? is not one of (?P<choices>.+?)\.?$")
_TYPES = {"integer": "整数", "int": "整数", "number": "数字", "float": "数字", "boolean": "是/否", "path": "路径",
          "file": "文件", "directory": "目录"}


_INPUT_SHOULD_BE = re.compile(r"^Input should be a valid (?P<type>\w+)")


def _value_message(message: str) -> str:
    """A bad value's own message: Chinese already (the commands' own checks), or Click's type conversion."""
    if m := _INPUT_SHOULD_BE.match(message):
        return f"应为{_TYPES.get(m['type'], m['type'])}"
    if m := _NOT_VALID.match(message):
        return f"“{m['value']}”不是有效的{_TYPES.get(m['type'].strip(), m['type'])}"
    if m := _NOT_ONE_OF.match(message):
        return f"“{m['value']}”不在可选值之中：{m['choices']}"
    return message


def message(exc: Any) -> str:
    """A Click usage error in Chinese."""
    if isinstance(exc, click_errors.MissingParameter):
        what = "参数" if (exc.param_type or getattr(exc.param, "param_type_name", "")) == "argument" else "选项"
        return f"缺少{what} {_hint(exc)}。".replace(" 。", "。")
    if isinstance(exc, click_errors.NoSuchOption):
        text = f"没有这个选项：{exc.option_name}"
        return text + (f"（是否想用：{'、'.join(sorted(exc.possibilities))}）" if exc.possibilities else "")
    if isinstance(exc, click_errors.BadParameter):
        hint = _hint(exc)
        return f"{hint} 的值无效：{_value_message(exc.message)}" if hint else f"值无效：{_value_message(exc.message)}"
    if isinstance(exc, click_errors.BadOptionUsage):
        return f"选项 {exc.option_name} 需要一个值。" if "requires an argument" in exc.message else exc.message
    text = exc.message if hasattr(exc, "message") else str(exc)
    if m := re.match(r"^Got unexpected extra arguments? \((?P<extra>.*)\)$", text):
        return f"多余的参数：{m['extra']}"
    if m := re.match(r"^No such command '(?P<name>.*)'\.$", text):
        return f"没有这个命令：{m['name']}"
    return text


def show_error(exc: Any) -> None:
    """Typer's Rich error display, with the message and the hints in Chinese."""
    if exc.__class__.__name__ == "NoArgsIsHelpError":
        return
    console = rich_utils._get_rich_console(stderr=True)
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        console.print(rich_utils.highlighter(ctx.get_usage()), style=rich_utils.STYLE_USAGE_COMMAND)
        if ctx.command.get_help_option(ctx) is not None:
            console.print(rich_utils.RICH_HELP.format(command_path=rich_utils.escape(ctx.command_path),
                                                      help_option=ctx.help_option_names[0]),
                          style=rich_utils.STYLE_ERRORS_SUGGESTION)
    console.print(rich_utils.Panel(rich_utils.highlighter(message(exc)),
                                   border_style=rich_utils.STYLE_ERRORS_PANEL_BORDER,
                                   title=rich_utils.ERRORS_PANEL_TITLE, title_align=rich_utils.ALIGN_ERRORS_PANEL))
