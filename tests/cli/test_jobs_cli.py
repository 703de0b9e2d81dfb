"""`parse` and `check` with `-j N`: the same output as one process, in input order, and a file the
program fails on does not stop the others."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import LAYOUTS, SEEDS

# Every seed and handwritten layout, twice over, with unreadable inputs among them: enough inputs that
# two workers interleave, and outputs of every kind (reports, not a report, read errors).
INPUTS = [str(p) for p in sorted(SEEDS.iterdir()) + sorted(LAYOUTS.iterdir())] * 2

# Run the command line with `read_path` failing on files named *boom*: a bug on one input. Patched
# before the pool starts, so forked workers fail the same way.
FAILING = """
import sys
import gongkai.read as read
real = read.read_path
def read_path(path):
    if "boom" in str(path):
        raise ZeroDivisionError("division by zero")
    return real(path)
read.read_path = read_path
from gongkai.cli import main
main()
"""


def gongkai(*args: str, code: str = "from gongkai.cli import main; main()") -> subprocess.CompletedProcess[str]:
    # A fixed hash seed: `check --summary` lists rules failing equally often in set order (see Summary.add).
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300, env=env)


@pytest.mark.parametrize("args", [
    ["parse", "--json"],
    ["parse"],
    ["check"],
    ["check", "--json"],
    ["check", "--summary"],
    ["check", "--summary", "--json"],
], ids=" ".join)
def test_jobs_give_the_output_of_one_process(args: list[str]):
    one = gongkai(*args, "-j", "1", *INPUTS)
    two = gongkai(*args, "--jobs", "2", *INPUTS)
    assert one.returncode == two.returncode == 2  # junk.bin and empty.txt cannot be read
    assert one.stdout == two.stdout
    assert one.stderr == two.stderr
    assert "Traceback" not in two.stderr


def test_parse_json_lines_follow_the_inputs():
    out = gongkai("parse", "--json", "-j", "2", *INPUTS)
    paths = [json.loads(line)["source"]["path"] for line in out.stdout.splitlines()]
    assert paths == INPUTS


def test_check_text_follows_the_inputs():
    inputs = [str(p) for p in sorted(SEEDS.iterdir())] * 3
    out = gongkai("check", "-j", "2", *inputs)
    heads = [line[3:] for line in out.stdout.splitlines() if line.startswith("== ")]
    assert heads == inputs


def _with_a_failing_file(tmp_path: Path) -> list[str]:
    boom = tmp_path / "boom.txt"
    boom.write_bytes((SEEDS / sorted(os.listdir(SEEDS))[3]).read_bytes())
    return [str(p) for p in sorted(SEEDS.iterdir())[:2]] + [str(boom)] + [str(p) for p in sorted(SEEDS.iterdir())[2:]]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_failing_file_does_not_stop_parse(tmp_path: Path, jobs: str):
    inputs = _with_a_failing_file(tmp_path)
    out = gongkai("parse", "--json", "-j", jobs, *inputs, code=FAILING)
    assert out.returncode == 2
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["source"]["path"] for r in rows] == inputs
    failed = rows[2]
    assert failed["error"]["code"] == "internal_error"
    assert "程序内部错误" in failed["error"]["message"] and "ZeroDivisionError" in failed["error"]["message"]
    assert all("error" not in r for i, r in enumerate(rows) if i != 2)
    assert "Traceback" not in out.stderr


def test_a_failing_file_in_the_parse_summary_goes_to_stderr(tmp_path: Path):
    inputs = _with_a_failing_file(tmp_path)
    out = gongkai("parse", "-j", "2", *inputs, code=FAILING)
    assert out.returncode == 2
    assert out.stdout.count("\n== ") + out.stdout.startswith("== ") == len(inputs) - 1
    assert f"== {inputs[2]}" in out.stderr and "程序内部错误" in out.stderr and "（internal_error）" in out.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_failing_file_does_not_stop_check(tmp_path: Path, jobs: str):
    inputs = _with_a_failing_file(tmp_path)
    out = gongkai("check", "--json", "-j", jobs, *inputs, code=FAILING)
    assert out.returncode == 2
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    errors = [r for r in rows if "error" in r]
    assert [(r["source"], r["error"]["code"]) for r in errors] == [(inputs[2], "internal_error")]
    assert "程序内部错误" in errors[0]["error"]["message"]
    assert {r["source"] for r in rows} >= {inputs[0], inputs[-1]}  # the files after it were checked
    summary = gongkai("check", "--summary", "--json", "-j", jobs, *inputs, code=FAILING)
    assert summary.returncode == 2
    assert json.loads(summary.stdout)["reports"] == len(inputs) - 1
    assert json.loads(summary.stdout)["unreadable"] == 1
    assert "程序内部错误" in summary.stderr and "Traceback" not in summary.stderr


def test_workers_look_up_the_previous_year_in_the_store(tmp_path: Path):
    from tests.cli.test_check_store import _run, _write

    db = tmp_path / "store.db"
    last, _ = _write(tmp_path, "2022.txt", 2022, seed=1)
    this, _ = _write(tmp_path, "2023.txt", 2023, seed=2)
    assert _run("ingest", "--db", str(db), "--no-progress", str(last)).returncode == 0
    inputs = [str(this), str(last), str(this), str(this)]
    one = gongkai("check", "--json", "--db", str(db), "-j", "1", *inputs)
    two = gongkai("check", "--json", "--db", str(db), "-j", "2", *inputs)
    assert one.stdout == two.stdout
    carried = [json.loads(line)["source"] for line in two.stdout.splitlines()
               if json.loads(line).get("code") == "years.carried_over"]
    assert set(carried) == {str(this)} and len(carried) % 3 == 0
