"""The filing operations the applications offer: the command line, the web pages and the JSON API call these.

Every operation takes the acting user's name and checks their roles in the organ (drafter, approver) or in its
superior office (reviewer) before anything changes; every change and step lands in the audit trail with the
cell-level diff. Errors are `DraftError` (stable code, Chinese message).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gongkai.filing.drafts import (
    DraftError,
    Edit,
    apply_edits,
    blank,
    blocking,
    changes,
    draft_findings,
    finding_key,
    grid,
    short,
    unacknowledged,
)
from gongkai.filing.workflow import STATUSES, STEPS, can_edit, step_refusal
from gongkai.store import drafts as db
from gongkai.store import registers as offices_db

if TYPE_CHECKING:
    from gongkai.check.model import Finding
    from gongkai.model import Report
    from gongkai.render.official import ReportContent
    from gongkai.store import Store
    from gongkai.store.drafts import DraftRecord
    from gongkai.store.registers import Office

__all__ = ["UnitStatus", "acknowledge", "consolidated", "create", "edit", "findings", "office_of", "render",
           "take_step", "units"]

CONSOLIDATION_RULE = ("汇总规则：各下级机关已审核通过或已公开的报告，同一格的数字相加；任一机关该格为空，汇总表该格为空"
                      "（不以0代替）。")


def _roles(store: Store, user: str | None, office: Office) -> tuple[set[str], set[str]]:
    """The user's roles in the organ and in its superior office."""
    if not user:
        return set(), set()
    held = offices_db.roles_of(store, user)
    return held.get(office.key, set()), held.get(office.parent_key, set()) if office.parent_key else set()


def office_of(store: Store, record: DraftRecord) -> Office:
    office = offices_db.get_office(store, record.office_key)
    assert office is not None  # a draft's organ is a foreign key
    return office


def _get(store: Store, draft_id: int) -> DraftRecord:
    record = db.get(store, draft_id)
    if record is None:
        raise DraftError("unknown_draft", f"没有编号为{draft_id}的报告草稿")
    return record


def may_read(store: Store, user: str | None, record: DraftRecord) -> bool:
    """The organ's users and its superior's reviewers read a draft; published reports are in the corpus."""
    organ, superior = _roles(store, user, office_of(store, record))
    return bool(organ or "reviewer" in superior)


def _previous_report(store: Store, office: Office, year: int) -> Report | None:
    from sqlalchemy import select

    from gongkai.model import Report
    from gongkai.store.schema import reports

    with store.reading() as conn:
        row = conn.execute(select(reports.c.report_json).where(
            reports.c.organ_key == office.key, reports.c.year == year - 1, reports.c.is_current.is_(True))).first()
    return None if row is None else Report.model_validate_json(row[0])


def _prefill(store: Store, office: Office, content: ReportContent) -> tuple[list[Edit], list[str]]:
    """What the store already knows: tables 3 and 4 (and table 2's documents) from the office's registers,
    else this year's 上年结转 from last year's 结转下年度继续办理 (the format's carry-over rule)."""
    from gongkai.registers.service import year_tables

    edits: list[Edit] = []
    sources: list[str] = []
    documents = False
    previous = _previous_report(store, office, content.year)
    if offices_db.count_requests(store, office):
        tables = year_tables(store, [office.key], content.year, format_id=content.format_id)
        documents = "proactive" in tables
        for table in ("requests", "review_litigation", "proactive"):
            for row, cols in tables.get(table, {}).items():
                edits += [Edit(str(v), table, row, col) for col, v in cols.items()]
        sources.append(f"{'表二（文件）、表三、表四' if documents else '表三、表四'}取自本机关的台账")
    else:
        last = previous.requests if previous is not None else None
        if last is not None and "carried_forward" in last.cells and "carried_over" in content.cells.get("requests", {}):
            for col, cell in last.cells["carried_forward"].items():
                if cell is not None and cell.value is not None and col in content.cells["requests"]["carried_over"]:
                    edits.append(Edit(str(int(cell.value)), "requests", "carried_over", col))
            sources.append(f"“上年结转”取自本机关{content.year - 1}年度报告的“结转下年度继续办理”")
    if not documents:
        edits += _last_in_force(previous, content, sources)
    return edits, sources


def _last_in_force(previous: Report | None, content: ReportContent, sources: list[str]) -> list[Edit]:
    """现行有效件数 starts from last year's figures: the organ then adds this year's 制发 and takes away 废止 and
    lapsed documents; the cross-year rule (years.in_force) checks the result once 制发 and 废止 are typed."""
    last = previous.proactive if previous is not None else None
    if last is None:
        return []
    edits = []
    for row, cols in content.cells.get("proactive", {}).items():
        cell = last.cells.get(row, {}).get("in_force")
        if "in_force" in cols and cell is not None and cell.value is not None:
            edits.append(Edit(str(int(cell.value)), "proactive", row, "in_force"))
    if edits:
        sources.append(f"“现行有效件数”预填为本机关{content.year - 1}年度报告的数字，"
                       "请按本年制发、废止（及失效）件数修改")
    return edits


def create(store: Store, office: Office, year: int, *, by: str | None, format_id: str = "2021") -> DraftRecord:
    organ, _ = _roles(store, by, office)
    if not organ & {"drafter", "approver"}:
        raise DraftError("forbidden", "只有本机关的撰写人或审核人可以新建本机关的年度报告")
    content = blank(office.name, year, format_id)
    edits, sources = _prefill(store, office, content)
    content = apply_edits(content, edits)
    return db.create(store, office.key, content, by=by, detail={"prefilled": sources, "format": format_id})


def edit(store: Store, draft_id: int, edits: Iterable[Edit], *, by: str | None,
         revision: int | None = None) -> DraftRecord:
    """Change cells and sections; the draft must be editable by this user, at `revision` when given."""
    record = _get(store, draft_id)
    organ, _ = _roles(store, by, office_of(store, record))
    why = can_edit(record.status, organ)
    if why:
        raise DraftError("forbidden" if not organ else "locked", why)
    if revision is not None and revision != record.revision:
        raise DraftError("draft_changed", "报告刚被他人修改，请刷新后再试")
    new = apply_edits(record.content, edits)
    diff = changes(record.content, new)
    if not diff:
        return record
    return db.save(store, record, by=by, action="edit", detail={"changes": diff}, content=new)


def findings(store: Store, record: DraftRecord) -> list[Finding]:
    """The rule catalogue on the draft, with last year's stored report for the cross-year rules."""
    return draft_findings(record.content, _previous_report(store, office_of(store, record), record.content.year))


def acknowledge(store: Store, draft_id: int, key: str, reason: str, *, by: str | None) -> DraftRecord:
    """Keep a warning with the reason it stands (it then no longer blocks submission)."""
    record = _get(store, draft_id)
    organ, _ = _roles(store, by, office_of(store, record))
    why = can_edit(record.status, organ)
    if why:
        raise DraftError("forbidden" if not organ else "locked", why)
    reason = reason.strip()
    if not reason:
        raise DraftError("reason_required", "确认警告须写明理由")
    warnings = {finding_key(f): f for f in findings(store, record) if f.severity == "warning"}
    if key not in warnings:
        raise DraftError("unknown_finding", "没有这条警告（可能已经改正）")
    acknowledged = dict(record.acknowledged) | {key: {"reason": reason[:1000], "by": by or "",
                                                      "message": warnings[key].message}}
    return db.save(store, record, by=by, action="acknowledge", acknowledged=acknowledged,
                   detail={"finding": key, "message": warnings[key].message, "reason": reason[:1000]})


def take_step(store: Store, draft_id: int, code: str, *, by: str | None,
              comments: list[dict[str, str]] | None = None, today: date | None = None) -> DraftRecord:
    """Submit, return (with comments), accept or publish, when the user's roles and the status allow it."""
    record = _get(store, draft_id)
    office = office_of(store, record)
    organ, superior = _roles(store, by, office)
    why = step_refusal(code, record.status, organ, superior)
    if why:
        raise DraftError("forbidden" if "只有" in why and "的报告" not in why else "not_allowed", why)
    step = STEPS[code]
    today = today or date.today()
    detail: dict[str, Any] = {}
    if code == "submit":
        found = findings(store, record)
        errors, open_warnings = blocking(found), unacknowledged(found, record.acknowledged)
        if errors or open_warnings:
            listed = "；".join(short(f.message, 80) for f in [*errors, *open_warnings][:3])
            raise DraftError("not_ready",
                             f"有{len(errors)}处错误、{len(open_warnings)}条未确认的警告，不能报送：{listed}")
        detail["acknowledged"] = record.acknowledged
    if code == "return":
        comments = [c for c in (comments or []) if c.get("text", "").strip()]
        if not comments:
            raise DraftError("comment_required", "退回时须写明意见")
        detail["comments"] = comments
    report_id = None
    if code == "publish":
        if record.content.published is None:  # published today: the date the page carries
            record = db.save(store, record, by=by, action="edit", content=replace(record.content, published=today),
                             detail={"changes": [{"published": True, "where": "发布日期", "old": "",
                                                  "new": today.isoformat()}]})
        report_id = _publish(store, record)
    if report_id is not None:
        detail["report_id"] = report_id
    return db.save(store, record, by=by, action=code, status=step.target, detail=detail,
                   comments=comments if code == "return" else ([] if code == "submit" else None), report_id=report_id)


def render(record: DraftRecord, kind: str) -> bytes:
    """The report in the official layout: html, docx or pdf."""
    from gongkai.render import official

    if kind == "html":
        return official.to_html(record.content).encode("utf-8")
    if kind == "docx":
        return official.to_docx(record.content)
    if kind == "pdf":
        return official.to_pdf(record.content)
    raise DraftError("unknown_format", f"不支持的格式“{kind}”，可选：html、docx、pdf")


def _publish(store: Store, record: DraftRecord) -> int:
    """Put the report as published (its official HTML page) into the corpus, read back like any other."""
    from gongkai.ingest import ingest

    content = record.content
    with tempfile.TemporaryDirectory(prefix="gongkai-publish-") as tmp:
        path = Path(tmp) / f"{content.organ}{content.year}年政府信息公开工作年度报告.html"
        path.write_bytes(render(record, "html"))
        summary = ingest(store, [str(path)], workers=0)
    if summary.failed or not summary.report_ids:
        import hashlib

        from sqlalchemy import select

        from gongkai.store.schema import reports

        sha = hashlib.sha256(render(record, "html")).hexdigest()
        with store.reading() as conn:
            found = conn.execute(select(reports.c.id).where(reports.c.sha256 == sha)).scalar()
        if found is None:
            message = summary.failed[0].message if summary.failed else "未知原因"
            raise DraftError("publish_failed", f"报告未能存入报告库：{message}")
        return int(found)
    return int(summary.report_ids[0])


# ---------------------------------------------------------------------------------------------------------
# The superior's view


def due_date(office: Office, year: int) -> date | None:
    """When the organ's report is due: a local filing date (`GONGKAI_FILING_DUE`, MM-DD of the next year) when
    set, else art. 49 by the organ's kind (departments 31 January, governments 31 March)."""
    from gongkai.organs.kind import deadline, organ_kind

    local = os.environ.get("GONGKAI_FILING_DUE", "").strip()
    if local:
        month, _, day = local.partition("-")
        try:
            return date(year + 1, int(month), int(day))
        except ValueError:
            raise DraftError("bad_setting", f"GONGKAI_FILING_DUE 应写成 月-日，如 01-15，而不是“{local}”") from None
    return deadline(organ_kind(office.name), year)


@dataclass(frozen=True)
class UnitStatus:
    office: Office
    status: str
    """not_started or one of the workflow's statuses."""
    label: str
    due: date | None
    days_left: int | None
    overdue: bool
    errors: int
    warnings: int
    draft_id: int | None
    report_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _require_reviewer(store: Store, superior: Office, user: str | None) -> None:
    held = offices_db.roles_of(store, user).get(superior.key, set()) if user else set()
    if "reviewer" not in held:
        raise DraftError("forbidden", f"只有{superior.name}的审核人（政务公开办）可以查看下级机关的报送情况")


def units(store: Store, superior: Office, year: int, *, by: str | None, today: date) -> list[UnitStatus]:
    """Every unit filing with `superior`: its status for the year, its deadline, and its findings."""
    _require_reviewer(store, superior, by)
    children = [o for o in offices_db.list_offices(store) if o.parent_key == superior.key]
    found = db.drafts_for(store, [o.key for o in children], year)
    out = []
    for office in children:
        record = found.get(office.key)
        due = due_date(office, year)
        done = record is not None and record.status in ("accepted", "published")
        submitted = record is not None and record.status != "draft" and record.status != "returned"
        left = (due - today).days if due else None
        overdue = bool(due and today > due and not submitted)
        errors = warnings = 0
        if record is not None:
            fs = findings(store, record)
            errors, warnings = len(blocking(fs)), sum(1 for f in fs if f.severity == "warning")
        status = record.status if record else "not_started"
        label = STATUSES.get(status, "未开始")
        out.append(UnitStatus(office, status, label + ("（逾期）" if overdue else ""), due, None if done else left,
                              overdue, errors, warnings, record.id if record else None,
                              record.report_id if record else None))
    return out


def consolidated(store: Store, superior: Office, year: int, *, by: str | None) -> tuple[dict[str, Any], list[str]]:
    """The sum of the accepted (or published) units' tables, cell by cell; a cell any unit left empty stays
    empty. Returns the cells and the names of the units counted."""
    _require_reviewer(store, superior, by)
    children = [o for o in offices_db.list_offices(store) if o.parent_key == superior.key]
    found = db.drafts_for(store, [o.key for o in children], year)
    counted = [r for r in found.values() if r.status in ("accepted", "published")]
    names = sorted(office_of(store, r).name for r in counted)
    if not counted:
        return {}, names
    format_id = counted[0].content.format_id
    cells: dict[str, dict[str, dict[str, int | Decimal | None]]] = {}
    for c in grid(format_id):
        values = [r.content.value(c.table, c.row, c.column) for r in counted if r.content.format_id == format_id]
        total = None if any(v is None for v in values) or len(values) != len(counted) else sum(values)  # type: ignore[arg-type]
        cells.setdefault(c.table, {}).setdefault(c.row, {})[c.column] = total
    return cells, names


def status_rows(units_: Iterable[UnitStatus]) -> list[list[object]]:
    """The superior's view as rows for a spreadsheet."""
    rows: list[list[object]] = [["机关", "状态", "报送期限", "错误", "警告"]]
    for u in units_:
        rows.append([u.office.name, u.label, u.due.isoformat() if u.due else "", u.errors, u.warnings])
    return rows


def export_units(units_: list[UnitStatus], cells: Mapping[str, Any], names: list[str], year: int,
                 path: str | Path, format_id: str = "2021") -> None:
    """The superior's view and the consolidated tables (with the rule printed) as one Excel workbook."""
    import openpyxl

    from gongkai.registers.spreadsheet import _table_rows

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "报送情况"
    ws.append([f"{year}年度政府信息公开工作年度报告报送情况"])
    for row in status_rows(units_):
        ws.append(row)
    for key, title in (("proactive", "表二"), ("requests", "表三"), ("review_litigation", "表四")):
        if key not in cells:
            continue
        sheet = wb.create_sheet(f"汇总{title}")
        sheet.append([CONSOLIDATION_RULE])
        sheet.append([f"汇总的机关（{len(names)}个）：{'、'.join(names)}"])
        for row in _table_rows(cells, key, format_id):  # type: ignore[arg-type]
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    wb.save(path)
