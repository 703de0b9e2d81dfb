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


def cli(db: Path, *args: str) -> object:
    return CliRunner().invoke(app, [*args, "--db", str(db)])


def test_an_office_keeps_its_register_in_the_store(tmp_path: Path) -> None:
    """Import the spreadsheet, register a new request and its events, list what is open, make the tables."""
    db, office = tmp_path / "g.db", "某区住房和城乡建设局"
    sheet = workbook(REGISTER, tmp_path / "台账.xlsx")
    res = cli(db, "register", "import", str(sheet), "--office", office)
    assert res.exit_code == 0, res.output
    assert f"已导入 {len(REGISTER)} 件申请" in res.stdout
    again = cli(db, "register", "import", str(sheet), "--office", office)
    assert again.exit_code == 1 and "已经登记过" in again.stderr

    stored = json.loads(cli(db, "register", "tables", "--office", office, "--year", "2024", "--json").stdout)
    assert stored == tables_for_period(import_requests(sheet), date(2024, 1, 1), date(2024, 12, 31))

    add = cli(db, "register", "add", "--office", office, "--id", "N-1", "--received", "2025-09-26",
              "--channel", "网络申请", "--applicant", "自然人", "--content", "申请公开某路段改造批复", "--name", "张三")
    assert add.exit_code == 0, add.output
    ext = cli(db, "register", "event", "--office", office, "N-1", "延期", "日期=2025-10-20", "延长工作日数=10",
              "批准人=王主任")
    assert ext.exit_code == 0, ext.output
    assert "答复期限：2025年11月13日" in ext.stdout and "调休上班日" in ext.stdout
    too_long = cli(db, "register", "event", "--office", office, "N-1", "延期", "日期=2025-10-21",
                   "延长工作日数=30", "批准人=王主任")
    assert too_long.exit_code == 1 and "只能延长一次" in too_long.stderr
    bad_field = cli(db, "register", "event", "--office", office, "N-1", "答复", "结果=予以公开")
    assert bad_field.exit_code == 2 and "答复类型" in bad_field.stderr

    listed = json.loads(cli(db, "register", "open", "--office", office, "--today", "2025-11-14", "--json").stdout)
    assert {"id": "N-1", "received": "2025-09-26", "due": "2025-11-13", "days_left": -1, "overdue": True,
            "waiting": False} in listed
    assert listed[0]["overdue"]

    answer = cli(db, "register", "event", "--office", office, "N-1", "答复", "日期=2025-11-12", "答复类型=部分公开")
    assert answer.exit_code == 0, answer.output
    shown = cli(db, "register", "show", "--office", office, "N-1")
    assert "张三" in shown.stdout and "（二）部分公开" in shown.stdout
    t2025 = json.loads(cli(db, "register", "tables", "--office", office, "--year", "2025", "--json").stdout)
    assert t2025["requests"]["partially_granted"]["natural_person"] == 1

    out = tmp_path / "导出.xlsx"
    assert cli(db, "register", "export", "--office", office, str(out)).exit_code == 0
    exported = {r.id: r for r in import_requests(out)}
    assert exported["N-1"].applicant_name == "张三" and len(exported) == len(REGISTER) + 1


def test_an_unknown_office_or_event_is_refused_in_chinese(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    cli(db, "register", "add", "--office", "甲局", "--id", "X", "--received", "2025-03-03", "--channel", "传真",
        "--applicant", "自然人", "--content", "…")
    res = cli(db, "register", "open", "--office", "乙局")
    assert res.exit_code == 1 and "还没有机关“乙局”的台账" in res.stderr
    res = cli(db, "register", "event", "--office", "甲局", "X", "撤回")
    assert res.exit_code == 2 and "不是可登记的事件" in res.stderr
    res = cli(db, "register", "tables", "--year", "2025")
    assert res.exit_code == 2 and "二者选一" in res.stderr


def test_a_user_is_given_a_role_in_an_office(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    added = CliRunner().invoke(app, ["user", "add", "li", "--password-stdin", "--db", str(db)], input="pass-word-1\n")
    assert added.exit_code == 0, added.output
    res = cli(db, "user", "grant", "li", "--office", "沙门市住房和城乡建设局", "--role", "approver",
              "--parent", "沙门市人民政府")
    assert res.exit_code == 0 and "审核人" in res.stdout
    assert "沙门市住房和城乡建设局\t审核人（机关负责人）" in cli(db, "user", "roles", "li").stdout
    bad = cli(db, "user", "grant", "li", "--office", "沙门市住房和城乡建设局", "--role", "boss")
    assert bad.exit_code == 2 and "不是可选的角色" in bad.stderr
    nobody = cli(db, "user", "grant", "wang", "--office", "沙门市住房和城乡建设局")
    assert nobody.exit_code == 1 and "没有名为“wang”的用户" in nobody.stderr


def test_a_password_is_asked_twice_in_chinese(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    same = CliRunner().invoke(app, ["user", "add", "wang", "--db", str(db)], input="pass-word-1\npass-word-1\n")
    assert same.exit_code == 0 and "再次输入密码" in same.output and "已添加用户“wang”" in same.stdout
    differ = CliRunner().invoke(app, ["user", "add", "li", "--db", str(db)], input="pass-word-1\npass-word-2\n")
    assert differ.exit_code == 1 and "两次输入的密码不一致" in differ.stderr
    assert "Repeat" not in same.output + differ.output
