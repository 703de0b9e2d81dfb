"""`gongkai check` and `gongkai rules` as a user runs them (subprocess)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from gongkai.render.layouts import render_text
from gongkai.render.synthetic import synthesize

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"


def gongkai(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from gongkai.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=120)


def seed(prefix: str) -> str:
    return str(next(SEEDS.glob(f"{prefix}_*.txt")))


def test_text_output_grouped_by_report_with_lines():
    res = gongkai("check", seed("000"), seed("003"))
    assert res.returncode == 1
    out = res.stdout
    assert out.index(f"== {seed('000')}") < out.index(f"== {seed('003')}")
    assert "[错误] integrity.injected_text 第12行" in out
    assert "[错误] completeness.table_missing 第32行 缺少表3" in out
    assert "未发现问题" in out.split(f"== {seed('003')}")[1]


def test_json_lines():
    res = gongkai("check", "--json", seed("002"))
    *rows, record = [json.loads(ln) for ln in res.stdout.splitlines()]
    assert record == {"source": seed("002"), "valid": False, "stats": {"errors": 1, "warnings": 1, "info": 0}}
    assert {r["code"] for r in rows} == {"completeness.cells_missing", "format.label_deviation"}
    for r in rows:
        assert set(r) >= {"source", "code", "severity", "message", "cells", "expected", "actual"}
        assert r["source"] == seed("002")
        for c in r["cells"]:
            assert set(c) >= {"table", "row", "column", "raw", "value", "provenance"}
    label = next(r for r in rows if r["code"] == "format.label_deviation")
    assert label["cells"][0] == {"table": "proactive", "row": "normative_documents", "column": None,
                                 "raw": "规范性文件", "value": None, "provenance": {"line": 65}}


def test_fail_on_exit_codes(tmp_path):
    assert gongkai("check", seed("003")).returncode == 0
    assert gongkai("check", seed("002")).returncode == 1  # cells missing: an error
    rep = synthesize("2021", random.Random(4), organ="长沙市教育局", year=2022)
    rep.published = rep.published.replace(month=2, day=20)  # late: a warning only
    late = tmp_path / "late.txt"
    late.write_text(render_text(rep, "pipes"), "utf-8")
    assert gongkai("check", str(late)).returncode == 0
    assert gongkai("check", "--fail-on", "warning", str(late)).returncode == 1
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    assert gongkai("check", str(empty), seed("003")).returncode == 2


def test_previous(tmp_path):
    prev = synthesize("2021", random.Random(1), organ="长沙县人民政府", year=2021)
    cur = synthesize("2021", random.Random(2), organ="长沙县人民政府", year=2022)
    (tmp_path / "prev.txt").write_text(render_text(prev, "cells"), "utf-8")
    (tmp_path / "cur.txt").write_text(render_text(cur, "cells"), "utf-8")
    res = gongkai("check", "--json", "--previous", str(tmp_path / "prev.txt"), str(tmp_path / "cur.txt"))
    codes = {json.loads(ln).get("code") for ln in res.stdout.splitlines()}
    differs = prev.values["requests"]["carried_forward"] != cur.values["requests"]["carried_over"]
    assert ("years.carried_over" in codes) == differs


def test_summary_over_a_directory():
    res = gongkai("check", "--summary", str(SEEDS))
    assert res.returncode == 1
    assert "共核查 5 份报告" in res.stdout
    line = next(ln for ln in res.stdout.splitlines() if ln.strip().startswith("integrity.injected_text"))
    assert "2" in line and "40.0%" in line
    assert "按报告年度" in res.stdout and "按格式" in res.stdout
    js = json.loads(gongkai("check", "--summary", "--json", str(SEEDS)).stdout)
    assert js["reports"] == 5
    assert js["rules"]["integrity.injected_text"] == {"reports": 2, "share": 0.4, "findings": 8}
    assert js["by_format"]["2021"]["reports"] == 3
    assert js["by_year"]["2021"]["rules"]["completeness.table_missing"]["reports"] == 1


def test_rules_listing():
    res = gongkai("rules")
    assert res.returncode == 0
    assert "arithmetic.requests_balance" in res.stdout and "勾稽关系" in res.stdout
    rows = [json.loads(ln) for ln in gongkai("rules", "--json").stdout.splitlines()]
    assert any(r["code"] == "arithmetic.legacy_review" and r["identity"] == "legacy.review" for r in rows)
    md = gongkai("rules", "--markdown").stdout
    assert md.startswith("# 核查规则目录") and "### `integrity.injected_text`" in md


def test_docs_catalogue_is_current():
    from gongkai.cli.check import rules_markdown

    docs = Path(__file__).resolve().parents[2] / "docs" / "checks.md"
    assert rules_markdown() in docs.read_text("utf-8"), "regenerate: gongkai rules --markdown (see docs/checks.md)"
