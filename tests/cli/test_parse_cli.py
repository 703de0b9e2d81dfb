"""`gongkai parse` as a user runs it: a subprocess, its output and its exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import LAYOUTS, seed_path

GONGKAI = [sys.executable, "-c", "from gongkai.cli import main; main()"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GONGKAI, *args], capture_output=True, text=True, timeout=120, check=False)


def test_parse_summary_of_a_seed():
    out = run("parse", str(seed_path("004")))
    assert out.returncode == 0, out.stderr
    assert "标题：长沙市人民政府办公室2024年政府信息公开工作年度报告" in out.stdout
    assert "格式：2021（依据表格识别）" in out.stdout
    assert "表3 收到和处理政府信息公开申请情况：读出 175/175 格（格式 2021）" in out.stdout
    assert "新收申请数 107 · 上年结转申请数 9 · 办结申请数 108 · 结转下年度申请数 8" in out.stdout


def test_parse_json_lines_one_per_input():
    out = run("parse", "--json", str(seed_path("002")), str(seed_path("003")))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 2
    a, b = (json.loads(line) for line in lines)
    assert a["meta"]["format"] == "2021" and b["meta"]["format"] == "2019"
    # seed 002's table 4 prints 11 of 15 figures: none is placed, they are listed as a stray
    assert a["review_litigation"]["litigation_after_review"] == dict.fromkeys(
        ("upheld", "corrected", "other", "pending", "total"))
    [stray] = a["reading"]["strays"]
    assert (stray["table"], stray["kind"], stray["expected"], len(stray["raws"])) == (
        "review_litigation", "unplaced", 15, 11)
    assert b["proactive"]["procurement"] == {"items": 1193, "amount": 29724.51}
    assert b["cells"]["proactive.procurement.amount"] == {"raw": "29724.51万 ", "unit": "万元", "line": 136}
    assert b["requests"]["new_received"]["total"] == 92


def test_exit_code_1_for_a_page_that_is_not_a_report():
    out = run("parse", "--json", str(LAYOUTS / "not_report.html"), str(seed_path("004")))
    assert out.returncode == 1
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert first["error"]["code"] == "not_a_report"
    assert first["requests"] is None and first["meta"]["format"] is None
    assert "error" not in second


def test_exit_code_2_for_unreadable_input_and_the_rest_still_read(tmp_path: Path):
    missing = tmp_path / "missing.txt"
    out = run("parse", "--json", str(LAYOUTS / "empty.txt"), str(LAYOUTS / "junk.bin"), str(missing),
              str(seed_path("003")))
    assert out.returncode == 2
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r.get("error", {}).get("code") for r in rows] == ["empty", "binary", "unreadable", None]
    assert rows[3]["meta"]["year"] == 2020
    assert "Traceback" not in out.stderr


def test_summary_for_unreadable_input_goes_to_stderr():
    out = run("parse", str(LAYOUTS / "junk.bin"))
    assert out.returncode == 2
    assert "无法读取" in out.stderr and "binary" in out.stderr
    assert "Traceback" not in out.stderr


def test_directory_input_reads_every_file():
    out = run("parse", "--json", str(seed_path("000").parent))
    assert out.returncode == 0
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["meta"]["year"] for r in rows] == [2021, 2017, 2021, 2020, 2024]


def test_summary_of_a_table_short_of_figures_says_so_in_chinese():
    out = run("parse", str(seed_path("002")))
    assert "读出 0/15 格（格式 2021），印出 11 个数字、缺 4 格，无法确定各属哪一格" in out.stdout
    assert "未能放入表格的数据（无法对位，11 个，应为 15 个）：0 0 0 0 0 0 0 0 0 （空） （空）（第587行）" in out.stdout
    assert "unplaced" not in out.stdout
