"""`gongkai register tables` as an office runs it: its spreadsheet in, the year's tables 3 and 4 out; a
spreadsheet with bad rows gives every problem with its line and no tables."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from gongkai.cli import app
from gongkai.registers.requests import tables_for_period
from gongkai.registers.spreadsheet import import_requests
from tests.registers.test_spreadsheet import REGISTER, req, workbook


def test_the_year_tables_come_from_the_register(tmp_path: Path) -> None:
    path = workbook(REGISTER, tmp_path / "台账.xlsx")
    expected = tables_for_period(import_requests(path), date(2024, 1, 1), date(2024, 12, 31))
    res = CliRunner().invoke(app, ["register", "tables", str(path), "--year", "2024", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == expected
    out = tmp_path / "表三表四.xlsx"
    shown = CliRunner().invoke(app, ["register", "tables", str(path), "--year", "2024", "--out", str(out)])
    assert shown.exit_code == 0, shown.output
    new = expected["requests"]["new_received"]["total"]
    assert f"本年新收政府信息公开申请数量：{new}" in shown.stdout
    assert {"表三", "表四"} <= set(openpyxl.load_workbook(out).sheetnames)


def test_bad_rows_are_listed_and_no_tables_made(tmp_path: Path) -> None:
    bad_date = {**req("B-01", "2024-02-01", "网络申请", "自然人"), "收到日期": "2024年2月30日"}  # typed as text
    rows = [*REGISTER[:3], bad_date, req("B-02", "2024-03-01", "网络申请", "外星人")]
    path = workbook(rows, tmp_path / "台账.xlsx")
    out = tmp_path / "tables.xlsx"
    res = CliRunner().invoke(app, ["register", "tables", str(path), "--year", "2024", "--out", str(out)])
    assert res.exit_code == 1
    assert "台账有 2 处问题" in res.stderr and "第 6 行" in res.stderr and "第 7 行" in res.stderr
    assert not out.exists()
