"""The command line speaks Chinese: every command's help and usage errors carry no English sentence, and help
fits an 80-column terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

GONGKAI = [str(Path(sys.executable).parent / "gongkai")]
# Three English words in a row is a sentence ("Show this message", "No such option"); option names, metavars
# (<str>), codes (store_missing), URLs and value lists (province / city) are not.
_ENGLISH = re.compile(r"(?<![-\w/.:<])[A-Za-z]{2,}(?:[ ,']+[A-Za-z]{2,}){2,}(?![-\w/.:>])")


def _commands() -> list[str]:
    from typer.main import get_command

    from gongkai.cli import app

    return sorted(get_command(app).commands)  # type: ignore[attr-defined]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "80", "TERMINAL_WIDTH": "80", "NO_COLOR": "1"}
    return subprocess.run([*GONGKAI, *args], capture_output=True, text=True, timeout=60, env=env, check=False)


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def test_there_are_commands_to_check():
    assert {"parse", "check", "ingest", "stats", "export", "original", "versions"} <= set(_commands())


@pytest.mark.parametrize("args", [["--help"], ["--no-such-option"], ["no-such-command"]])
def test_the_program_speaks_chinese(args):
    out = _run(*args)
    text = out.stdout + out.stderr
    assert not _ENGLISH.search(text), _ENGLISH.search(text)
    assert "用法：gongkai" in text


@pytest.mark.parametrize("command", _commands())
def test_each_command_help_and_usage_error_speak_chinese(command):
    shown = _run(command, "--help")
    assert shown.returncode == 0
    assert "用法：" in shown.stdout and "显示本帮助并退出。" in shown.stdout
    for line in shown.stdout.splitlines():
        assert _width(line) <= 80, line
    wrong = _run(command, "--no-such-option")
    assert wrong.returncode == 2 and "没有这个选项：--no-such-option" in wrong.stderr
    for text in (shown.stdout, wrong.stdout + wrong.stderr):
        found = _ENGLISH.search(text)
        assert found is None, (command, found and found.group())


def test_a_bad_value_is_explained_in_chinese():
    out = _run("stats", "--top", "many")
    assert out.returncode == 2 and "--top" in out.stderr and "应为整数" in out.stderr
    out = _run("parse")
    assert out.returncode == 2 and "缺少参数" in out.stderr


def test_version():
    from importlib.metadata import version

    out = _run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"gongkai {version('gongkai')}"
