"""`parse` and `check` under per-file limits, with and without `-j`: a FIFO, a link to /dev/zero, a file
that runs over its time or memory each get their line with the reason, the other inputs are processed,
the exit code is 2, and no traceback is printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS

CLI = [sys.executable, "-c", "from gongkai.cli import main; main()"]


def gongkai(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def batch(tmp_path: Path) -> dict[str, str]:
    seeds = sorted(SEEDS.iterdir())
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "slow.txt").write_bytes(seeds[0].read_bytes() * 2000)  # seconds to read; over a 1 s limit
    return {"good1": str(seeds[1]), "pipe": str(tmp_path / "pipe.txt"), "zero": str(tmp_path / "zero.txt"),
            "slow": str(tmp_path / "slow.txt"), "good2": str(seeds[2])}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_parse_gives_each_bad_input_its_reason_and_goes_on(batch: dict[str, str], jobs: str) -> None:
    out = gongkai("parse", "--json", "-j", jobs, "--timeout", "1", *batch.values())
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["source"]["path"] for r in rows] == list(batch.values())
    codes = {name: r.get("error", {}).get("code") for name, r in zip(batch, rows, strict=True)}
    assert codes == {"good1": None, "pipe": "not_a_regular_file", "zero": "not_a_regular_file",
                     "slow": "timeout", "good2": None}
    assert "处理超时（超过 1 秒）" in rows[3]["error"]["message"]


def test_parse_text_reports_a_file_over_the_memory_limit_on_stderr(batch: dict[str, str]) -> None:
    out = gongkai("parse", "--max-memory", "30M", "--timeout", "0", batch["slow"], batch["good1"])
    assert out.returncode == 2
    assert out.stderr.startswith(f"== {batch['slow']}\n  处理时内存超过上限（30 MiB），已跳过（memory_limit）")
    assert out.stdout.startswith(f"== {batch['good1']}")
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_check_gives_each_bad_input_its_reason_and_goes_on(batch: dict[str, str], jobs: str) -> None:
    out = gongkai("check", "--json", "-j", jobs, "--timeout", "1", *batch.values())
    assert out.returncode == 2
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    errors = {r["source"]: r["error"]["code"] for r in rows if "error" in r}
    assert errors == {batch["pipe"]: "not_a_regular_file", batch["zero"]: "not_a_regular_file",
                      batch["slow"]: "timeout"}
    assert "Traceback" not in out.stderr
    text = gongkai("check", "-j", jobs, "--timeout", "1", *batch.values())
    assert text.returncode == 2
    heads = [line[3:] for line in text.stdout.splitlines() if line.startswith("== ")]
    assert heads == [batch["good1"], batch["good2"]]  # the good ones were checked
    assert f"== {batch['slow']}\n  处理超时（超过 1 秒），已终止并跳过（timeout）" in text.stderr
    fifo = "无法读取：不是普通文件（命名管道（FIFO）），未读取（not_a_regular_file）"
    assert f"== {batch['pipe']}\n  {fifo}" in text.stderr


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path) -> None:
    name = os.path.join(os.fsencode(tmp_path), "报告".encode("gbk") + b".txt")
    with open(name, "wb") as fh:
        fh.write(sorted(SEEDS.iterdir())[1].read_bytes())
    shown = f"{tmp_path}/\\xb1\\xa8\\xb8\\xe6.txt"
    out = gongkai("parse", "--json", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["source"]["path"] == shown
    checked = gongkai("check", str(tmp_path))
    assert checked.stdout.startswith(f"== {shown}\n") and "Traceback" not in checked.stderr


def test_a_size_that_cannot_be_read_is_a_usage_error(batch: dict[str, str]) -> None:
    out = gongkai("parse", "--max-size", "lots", batch["good1"])
    assert out.returncode == 2
    assert "无法识别的大小" in out.stderr and "Traceback" not in out.stderr
