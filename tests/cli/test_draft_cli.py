"""`gongkai draft` as a disclosure office runs it: new, fill, check, render, submit, return, accept, publish."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gongkai.cli import app
from gongkai.filing.drafts import grid
from tests.filing.test_drafts import consistent


def cli(db: Path, *args: str, user: str | None = None, stdin: str | None = None):  # type: ignore[no-untyped-def]
    extra = ["--user", user] if user else []
    return CliRunner().invoke(app, [*args, *extra, "--db", str(db)], input=stdin)


def test_a_report_from_draft_to_publication(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    for name in ("wang", "li", "zhao"):
        assert cli(db, "user", "add", name, "--password-stdin", stdin="pass-word-1\n").exit_code == 0
    cli(db, "user", "grant", "wang", "--office", "沙门市住房和城乡建设局", "--parent", "沙门市人民政府")
    cli(db, "user", "grant", "li", "--office", "沙门市住房和城乡建设局", "--role", "approver")
    cli(db, "user", "grant", "zhao", "--office", "沙门市人民政府", "--role", "reviewer")

    new = cli(db, "draft", "new", "--office", "沙门市住房和城乡建设局", "--year", "2025", user="wang")
    assert new.exit_code == 0, new.output
    assert "草稿 1：沙门市住房和城乡建设局2025年政府信息公开工作年度报告" in new.stdout
    assert "报送期限 2026-01-31" in new.stdout  # a department: 31 January (条例第四十九条)
    content = consistent()
    values = [f"{c.table}.{c.row}.{c.column}={content.value(c.table, c.row, c.column)}" for c in grid("2021")]
    (tmp_path / "总体情况.txt").write_text("本年度，本机关……", encoding="utf-8")
    sections = [f"{k}={v}" for k, v in content.sections.items() if k != "overview"]
    filled = cli(db, "draft", "set", "1", *values, *sections, f"overview=@{tmp_path / '总体情况.txt'}", user="wang")
    assert filled.exit_code == 0, filled.output
    assert "表格已填 200/200 格" in filled.stdout and "0 处错误" in filled.stdout

    broken = cli(db, "draft", "set", "1", "requests.new_received.total=999", user="wang")
    assert "处错误" in broken.stdout and "0 处错误" not in broken.stdout
    found = json.loads(cli(db, "draft", "check", "1", "--json", user="wang").stdout)
    assert any(f["severity"] == "error" and f["code"].startswith("arithmetic.") for f in found)
    refused = cli(db, "draft", "submit", "1", user="li")
    assert refused.exit_code == 1 and "不能报送" in refused.stderr
    fixed = content.value("requests", "new_received", "total")
    assert cli(db, "draft", "set", "1", f"requests.new_received.total={fixed}", user="wang").exit_code == 0

    assert cli(db, "draft", "submit", "1", user="li").exit_code == 0
    returned = cli(db, "draft", "return", "1", "--comment", "overview=请补充平台建设情况", user="zhao")
    assert returned.exit_code == 0 and "退回意见（overview）：请补充平台建设情况" in returned.stdout
    assert cli(db, "draft", "submit", "1", user="li").exit_code == 0
    assert cli(db, "draft", "accept", "1", user="zhao").exit_code == 0
    html = tmp_path / "报告.html"
    assert cli(db, "draft", "render", "1", "--out", str(html), user="wang").exit_code == 0
    assert "沙门市住房和城乡建设局2025年政府信息公开工作年度报告" in html.read_text(encoding="utf-8")
    published = cli(db, "draft", "publish", "1", user="li")
    assert published.exit_code == 0 and "已存入报告库" in published.stdout
    status = cli(db, "draft", "status", "--office", "沙门市人民政府", "--year", "2025", user="zhao")
    assert "沙门市住房和城乡建设局\t已公开" in status.stdout
    shown = cli(db, "draft", "show", "1", user="zhao")
    assert "zhao 退回" in shown.stdout and "li 公开" in shown.stdout
    outsider = cli(db, "draft", "show", "1", user="nobody")
    assert outsider.exit_code == 1 and "无权查看" in outsider.stderr
