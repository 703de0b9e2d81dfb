"""What the command line loads before it does anything: `--help` and `parse` start fast because the
store (SQLAlchemy, Alembic), rich and the exporters are imported only by the commands that use them."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import seed_path

COMMANDS = ("parse", "schema", "check", "rules", "ingest", "reparse", "export", "stats")
STORE_AND_FRIENDS = ("sqlalchemy", "alembic", "psycopg", "rich", "pyarrow", "openpyxl", "pandas")

# Run the command line, then print which of the named packages were imported.
PROBE = """
import atexit, sys
names = sys.argv.pop(1).split(",")
atexit.register(lambda: print("LOADED=" + ",".join(n for n in names if n in sys.modules), file=sys.stderr))
from gongkai.cli import main
main()
"""


def loaded(*args: str, names: tuple[str, ...]) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    out = subprocess.run([sys.executable, "-c", PROBE, ",".join(names), *args], capture_output=True, text=True,
                         timeout=120)
    line = next(x for x in out.stderr.splitlines() if x.startswith("LOADED="))
    return out, {n for n in line.removeprefix("LOADED=").split(",") if n}


def test_importing_the_command_line_loads_no_reader_and_no_store():
    code = "import sys, gongkai.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in sys.argv[1:] " \
           "or m.startswith(('gongkai.extract', 'gongkai.read', 'gongkai.store', 'gongkai.check'))))"
    out = subprocess.run([sys.executable, "-c", code, *STORE_AND_FRIENDS, "pydantic"], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_every_command_in_chinese():
    out, mods = loaded("--help", names=(*STORE_AND_FRIENDS, "gongkai.extract"))
    assert out.returncode == 0
    for command in COMMANDS:
        assert f" {command} " in out.stdout, command
    assert "政府信息公开工作年度报告" in out.stdout
    assert mods <= {"rich"}  # typer draws its help with rich


def test_command_help_keeps_its_chinese_text_and_the_jobs_option():
    out, _ = loaded("parse", "--help", names=STORE_AND_FRIENDS)
    assert "读取年度报告" in out.stdout and "--jobs" in out.stdout and "并行处理的进程数" in out.stdout
    out, _ = loaded("check", "--help", names=STORE_AND_FRIENDS)
    assert "按规则目录核查年度报告" in out.stdout and "--jobs" in out.stdout


def test_parse_of_one_file_loads_no_store():
    out, mods = loaded("parse", "--json", str(seed_path("004")), names=(*STORE_AND_FRIENDS, "concurrent.futures"))
    assert out.returncode == 0, out.stderr
    assert mods == set()  # one input: one bounded worker, no concurrent.futures


def test_the_extract_package_is_not_shadowed_by_its_function():
    code = "import gongkai, gongkai.extract.gate as gate; print(gate.is_report is gongkai.is_report)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "True", out.stderr
