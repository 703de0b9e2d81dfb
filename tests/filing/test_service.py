"""The filing workflow over the store, on SQLite and PostgreSQL: roles across organs, the audit trail of every
change, submission blocked by errors and unacknowledged warnings, the published report in the corpus with the
draft's figures, the superior's view and its consolidated tables."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from gongkai.filing import service
from gongkai.filing.drafts import DraftError, Edit, blocking, finding_key, grid
from gongkai.model import Report
from gongkai.registers import service as registers
from gongkai.store import Store
from gongkai.store import registers as regs
from gongkai.store.drafts import audit_trail
from gongkai.store.schema import reports
from gongkai.web.users import add_user
from tests.filing.test_drafts import consistent

CITY, BUREAU, OTHER = "沙门市人民政府", "沙门市住房和城乡建设局", "沙门市自然资源局"


@pytest.fixture
def offices(store: Store) -> dict[str, object]:
    gov = regs.ensure_office(store, CITY)
    bureau = regs.ensure_office(store, BUREAU, parent=CITY)
    other = regs.ensure_office(store, OTHER, parent=CITY)
    for user in ("wang", "li", "zhao", "sun"):
        add_user(store, user, "pass-word-1")
    regs.grant(store, "wang", bureau, "drafter")
    regs.grant(store, "li", bureau, "approver")
    regs.grant(store, "zhao", gov, "reviewer")
    regs.grant(store, "sun", other, "approver")
    return {"gov": gov, "bureau": bureau, "other": other}


def filled(store: Store, office: object, user: str = "wang", seed: int = 3) -> int:
    """A draft of 2025 with consistent figures and every section written."""
    record = service.create(store, office, 2025, by=user)  # type: ignore[arg-type]
    content = consistent(seed=seed)
    edits = [Edit(str(content.value(c.table, c.row, c.column)), c.table, c.row, c.column) for c in grid("2021")]
    edits += [Edit(text, section=key) for key, text in content.sections.items()]
    return service.edit(store, record.id, edits, by=user).id


def test_the_whole_workflow_with_its_audit_trail(store: Store, offices: dict) -> None:
    draft_id = filled(store, offices["bureau"])
    with pytest.raises(DraftError) as refused:
        service.take_step(store, draft_id, "submit", by="wang")  # a drafter does not submit
    assert refused.value.code == "forbidden" and "审核人" in refused.value.message_zh
    record = service.take_step(store, draft_id, "submit", by="li")
    assert record.status == "submitted"
    with pytest.raises(DraftError) as refused:
        service.edit(store, draft_id, [Edit("1", "requests", "granted", "natural_person")], by="wang")
    assert refused.value.code == "locked"
    with pytest.raises(DraftError) as refused:
        service.take_step(store, draft_id, "return", by="zhao")
    assert refused.value.code == "comment_required"
    comment = {"target": "section:overview", "text": "请补充政府信息公开平台建设情况"}
    record = service.take_step(store, draft_id, "return", by="zhao", comments=[comment])
    assert (record.status, record.comments) == ("returned", [comment])
    service.edit(store, draft_id, [Edit("本年度……平台建设……", section="overview")], by="wang")
    service.take_step(store, draft_id, "submit", by="li")
    service.take_step(store, draft_id, "accept", by="zhao")
    record = service.take_step(store, draft_id, "publish", by="li", today=date(2026, 1, 20))
    assert record.status == "published" and record.content.published == date(2026, 1, 20)

    trail = audit_trail(store, draft_id)
    assert [(a.user, a.action, a.status) for a in trail] == [
        ("wang", "create", "draft"), ("wang", "edit", "draft"), ("li", "submit", "submitted"),
        ("zhao", "return", "returned"), ("wang", "edit", "returned"), ("li", "submit", "submitted"),
        ("zhao", "accept", "accepted"), ("li", "edit", "accepted"), ("li", "publish", "published")]
    assert trail[3].detail["comments"] == [comment]
    assert trail[4].detail["changes"][0]["section"] == "overview"
    assert trail[1].detail["changes"][0]["new"] is not None

    # The published report is in the corpus, read back from its page with the draft's figures.
    with store.reading() as conn:
        row = conn.execute(select(reports.c.report_json, reports.c.organ, reports.c.year)
                           .where(reports.c.id == record.report_id)).one()
    published = Report.model_validate_json(row.report_json)
    assert (row.organ, row.year) == (BUREAU, 2025)
    for c in grid("2021"):
        cell = published.table(c.table).cells[c.row][c.column]
        expected = record.content.value(c.table, c.row, c.column)
        assert cell is not None and cell.value == (float(expected) if c.kind == "money" else expected), c


def test_an_arithmetic_error_cannot_be_submitted_and_warnings_need_a_reason(store: Store, offices: dict) -> None:
    draft_id = filled(store, offices["bureau"])
    total = service.edit(store, draft_id, [], by="wang").content.value("requests", "new_received", "total")
    record = service.edit(store, draft_id, [Edit(str(total + 1), "requests", "new_received", "total")], by="wang")
    assert blocking(service.findings(store, record))
    with pytest.raises(DraftError) as refused:
        service.take_step(store, draft_id, "submit", by="li")
    assert refused.value.code == "not_ready" and "处错误" in refused.value.message_zh

    record = service.edit(store, draft_id, [Edit(str(total), "requests", "new_received", "total"),
                                            Edit("", section="other")], by="wang")
    warning = next(f for f in service.findings(store, record) if f.severity == "warning")
    with pytest.raises(DraftError) as refused:
        service.take_step(store, draft_id, "submit", by="li")
    assert "未确认的警告" in refused.value.message_zh
    with pytest.raises(DraftError) as refused:
        service.acknowledge(store, draft_id, finding_key(warning), "  ", by="wang")
    assert refused.value.code == "reason_required"
    service.acknowledge(store, draft_id, finding_key(warning), "本年度无其他需要报告的事项", by="wang")
    assert service.take_step(store, draft_id, "submit", by="li").status == "submitted"
    assert audit_trail(store, draft_id)[-2].detail["reason"] == "本年度无其他需要报告的事项"


def test_nobody_edits_another_organs_report(store: Store, offices: dict) -> None:
    draft_id = filled(store, offices["bureau"])
    for user in ("sun", "zhao", "nobody"):
        with pytest.raises(DraftError) as refused:
            service.edit(store, draft_id, [Edit("1", "requests", "granted", "natural_person")], by=user)
        assert refused.value.code == "forbidden"
    with pytest.raises(DraftError) as refused:
        service.create(store, offices["bureau"], 2024, by="sun")
    assert refused.value.code == "forbidden"
    with pytest.raises(DraftError) as refused:
        service.take_step(store, draft_id, "submit", by="sun")
    assert refused.value.code == "forbidden"
    with pytest.raises(DraftError):
        service.units(store, offices["gov"], 2025, by="li", today=date(2026, 2, 1))


def test_the_draft_takes_its_tables_from_the_register(store: Store, offices: dict) -> None:
    bureau = offices["bureau"]
    registers.new_request(store, bureau, {"id": "A1", "received": "2024-12-20", "channel": "网络申请",
                                          "applicant": "commercial", "content": "…"}, by="wang")
    registers.new_request(store, bureau, {"id": "A2", "received": "2025-03-03", "channel": "网络申请",
                                          "applicant": "natural_person", "content": "…"}, by="wang")
    registers.record(store, bureau, "A1", "answer", {"on": "2025-01-10", "outcome": "部分公开"}, by="wang")
    record = service.create(store, bureau, 2025, by="wang")
    c = record.content
    assert c.value("requests", "carried_over", "commercial") == 1
    assert c.value("requests", "partially_granted", "total") == 1
    assert c.value("requests", "carried_forward", "natural_person") == 1
    assert c.value("review_litigation", "review", "total") == 0
    assert c.value("proactive", "regulations", "issued") is None  # no documents register: left to the organ
    assert "台账" in audit_trail(store, record.id)[0].detail["prefilled"][0]


def test_the_superiors_view_and_consolidated_tables(store: Store, offices: dict, tmp_path) -> None:
    a = filled(store, offices["bureau"], seed=3)
    regs.grant(store, "sun", offices["other"], "drafter")
    b = filled(store, offices["other"], user="sun", seed=4)
    for draft_id in (a, b):
        service.take_step(store, draft_id, "submit", by="li" if draft_id == a else "sun")
    service.take_step(store, a, "accept", by="zhao")
    units = {u.office.name: u for u in service.units(store, offices["gov"], 2025, by="zhao", today=date(2026, 2, 1))}
    assert units[BUREAU].status == "accepted" and units[OTHER].status == "submitted"
    assert units[BUREAU].due == date(2026, 1, 31) and not units[BUREAU].overdue
    cells, names = service.consolidated(store, offices["gov"], 2025, by="zhao")
    assert names == [BUREAU]  # only accepted reports are consolidated
    service.take_step(store, b, "accept", by="zhao")
    cells, names = service.consolidated(store, offices["gov"], 2025, by="zhao")
    one, two = consistent(seed=3), consistent(seed=4)
    assert cells["requests"]["granted"]["total"] == (one.value("requests", "granted", "total")
                                                     + two.value("requests", "granted", "total"))
    out = tmp_path / "报送情况.xlsx"
    service.export_units(list(units.values()), cells, names, 2025, out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["报送情况", "汇总表二", "汇总表三", "汇总表四"]
    assert "汇总规则" in wb["汇总表三"]["A1"].value


def test_an_organ_that_has_not_started_is_overdue_after_its_deadline(store: Store, offices: dict) -> None:
    units = {u.office.name: u for u in service.units(store, offices["gov"], 2025, by="zhao", today=date(2026, 2, 1))}
    assert units[OTHER].status == "not_started" and units[OTHER].overdue and "逾期" in units[OTHER].label


def test_without_registers_last_years_report_gives_the_carry_over_and_the_stock(store: Store, offices: dict,
                                                                                 tmp_path) -> None:
    import random

    from gongkai.ingest import ingest
    from gongkai.render.layouts import render_html
    from gongkai.render.synthetic import synthesize

    last = synthesize("2021", random.Random(5), organ=BUREAU, year=2024)
    page = tmp_path / "2024.html"
    page.write_text(render_html(last), encoding="utf-8")
    assert ingest(store, [str(page)], workers=0).report_ids
    record = service.create(store, offices["bureau"], 2025, by="wang")
    c = record.content
    for col, value in last.values["requests"]["carried_forward"].items():
        assert c.value("requests", "carried_over", col) == value
    stock = last.values["proactive"]["normative_documents"]["in_force"]
    assert c.value("proactive", "normative_documents", "in_force") == stock
    assert c.value("requests", "new_received", "total") is None  # this year's figures are the organ's to type
    prefilled = audit_trail(store, record.id)[0].detail["prefilled"]
    assert any("上年结转" in p for p in prefilled) and any("现行有效件数" in p for p in prefilled)
    # Typing this year's 制发 without updating the stock: the cross-year rule points at it.
    record = service.edit(store, record.id, [Edit("2", "proactive", "normative_documents", "issued"),
                                             Edit("0", "proactive", "normative_documents", "repealed")], by="wang")
    assert "years.in_force" in {f.code for f in service.findings(store, record)}
    record = service.edit(store, record.id, [Edit(str(stock + 2), "proactive", "normative_documents", "in_force")],
                          by="wang")
    assert "years.in_force" not in {f.code for f in service.findings(store, record)}
