"""`gongkai register`: an office's registers (requests and normative documents), kept in the store or as a
spreadsheet → the tables of the year's report; deadlines of open requests; one command per event.

The commands call `gongkai.registers.service` and `gongkai.store.registers`, as the web pages and the API do."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gongkai.cli import app
from gongkai.cli.store_common import DbOption, store_or_exit

if TYPE_CHECKING:
    from gongkai.registers.events import EventType, FieldDef
    from gongkai.registers.requests import Request
    from gongkai.store import Store
    from gongkai.store.registers import Office

_HELP = "台账：依申请公开台账与规范性文件库；登记申请和事件，查看答复期限，生成年度报告的表二（文件）、表三、表四。"
register_app = typer.Typer(help=_HELP, no_args_is_help=True)
app.add_typer(register_app, name="register")

# Figures of table 3 (总计 column) and table 4 shown on the terminal; the whole tables go to --out or --json.
_SHOWN_REQUESTS = ("new_received", "carried_over", "total_processed", "carried_forward")


_PATH_HELP = "台账文件（.xlsx 或 .csv，列的格式见 docs/register-spreadsheet.md）；不给时用 --office 读数据库中的台账"
_DOCS_HELP = "规范性文件库文件（.xlsx 或 .csv），生成表二的文件行"
_IS_DOCS_HELP = "这是规范性文件库（格式见 docs/documents-spreadsheet.md）"
_CHANNEL_HELP = "渠道：当面提交、挂号信函、平常信函、网络申请、传真、口头申请"
_EVENT_HELP = "事件：补正通知、收到补正、征求意见开始、延期、收费通知、答复、申请行政复议……"
_FIELDS_HELP = "事件的内容，写成 名称=值，如 日期=2025-10-20 延长工作日数=10 批准人=王某"
OfficeOption = Annotated[str, typer.Option("--office", help="机关名称（台账所属的机关）")]
OfficesOption = Annotated[list[str] | None, typer.Option("--office", help="机关名称；可重复，多个机关的台账合并统计")]


def _fail(exc: Exception, code: int = 1) -> typer.Exit:
    """Print a register's refusal (Chinese message, stable code) and give the exit to raise."""
    from gongkai.registers.errors import RegisterError
    from gongkai.registers.spreadsheet import ImportErrors

    if isinstance(exc, ImportErrors):
        print(f"台账有 {len(exc.errors)} 处问题，未导入、未生成表格：", file=sys.stderr)
        for p in exc.errors:
            where = "文件" if p.line == 0 else f"第 {p.line} 行"
            column = f"「{p.column}」" if p.column else ""
            print(f"  {where}{column}：{p.message_zh}（{p.code}）", file=sys.stderr)
    elif isinstance(exc, RegisterError):
        print(f"{exc.message_zh}（{exc.code}）", file=sys.stderr)
    else:
        print(str(exc), file=sys.stderr)
        code = 2
    return typer.Exit(code)


def _office(store: Store, name: str, *, create: bool = False) -> Office:
    from gongkai.store import registers as db

    office = db.ensure_office(store, name) if create else db.get_office(store, name)
    if office is None:
        print(f"还没有机关“{name}”的台账：可先用 gongkai register import 或 gongkai register add 登记。",
              file=sys.stderr)
        raise typer.Exit(1)
    return office


def _print_tables(cells: dict, title: str) -> None:
    from gongkai.formats import get_format

    fmt = get_format("2021")
    table2, table3, table4 = fmt.table("proactive"), fmt.table("requests"), fmt.table("review_litigation")
    assert table2 is not None and table3 is not None and table4 is not None
    print(title)
    if "proactive" in cells:
        print(f"表二（{table2.title}），文件：")
        for row, figures in cells["proactive"].items():
            shown = "，".join(f"{table2.column(c).label}{v}" for c, v in figures.items())
            print(f"  {table2.row(row).label}：{shown}")
    print(f"表三（{table3.title}），总计列：")
    for key in _SHOWN_REQUESTS:
        print(f"  {table3.row(key).label}：{cells['requests'][key]['total']}")
    print(f"表四（{table4.title}），总计列：")
    for row in table4.rows:
        group = f"{row.group}·" if row.group else ""
        print(f"  {group}{row.label}：{cells['review_litigation'][row.key]['total']}")


@register_app.command("tables")
def tables(
    year: Annotated[int, typer.Option("--year", help="报告年度（1 月 1 日至 12 月 31 日）")],
    path: Annotated[Path | None, typer.Argument(help=_PATH_HELP)] = None,
    office: OfficesOption = None,
    documents: Annotated[Path | None, typer.Option("--documents", help=_DOCS_HELP)] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="把表格写入文件（.xlsx 或 .csv）")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出全部单元格")] = False,
    db: DbOption = None,
) -> None:
    """由台账生成该年度的表三（收到和处理政府信息公开申请情况）与表四（行政复议、行政诉讼情况），有文件库时还有表二的文件行。

    台账可以是电子表格文件，也可以是数据库中一个或几个机关的台账（--office）。台账有问题时逐行列出（行号、列、原因），
    不生成表格，退出码 1。生成的表格按构造满足格式的全部勾稽关系。
    """
    from gongkai.registers.errors import RegisterError
    from gongkai.registers.spreadsheet import ImportErrors, export_tables

    if (path is None) == (not office):
        raise typer.BadParameter("请给出台账文件，或用 --office 指定数据库中的机关（二者选一）", param_hint="PATH")
    try:
        if path is not None:
            cells, title = _file_tables(path, documents, year)
        else:
            cells, title = _store_tables(db, office or [], year)
    except (ImportErrors, RegisterError, OSError) as exc:
        raise _fail(exc) from None
    if out is not None:
        export_tables(cells, out)
    if as_json:
        print(json.dumps(cells, ensure_ascii=False))
        return
    _print_tables(cells, title)
    if out is not None:
        print(f"全部单元格 → {out}")


def _file_tables(path: Path, documents: Path | None, year: int) -> tuple[dict, str]:
    from gongkai.registers.documents import table2_for_year
    from gongkai.registers.documents_sheet import import_documents
    from gongkai.registers.requests import tables_for_period
    from gongkai.registers.spreadsheet import import_requests

    requests = import_requests(path)
    cells = tables_for_period(requests, date(year, 1, 1), date(year, 12, 31))
    if documents is not None:
        cells["proactive"] = table2_for_year(import_documents(documents), year)
    return cells, f"{path.name}：{len(requests)} 件申请；{year} 年度"


def _store_tables(db: str | None, names: list[str], year: int) -> tuple[dict, str]:
    from gongkai.registers import service

    with store_or_exit(db, create=False) as store:
        keys = [_office(store, n).key for n in names]
        cells = service.year_tables(store, keys, year)
    return cells, f"{'、'.join(names)}：{year} 年度"


@register_app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="台账文件（.xlsx 或 .csv）")],
    office: OfficeOption,
    documents: Annotated[bool, typer.Option("--documents", help=_IS_DOCS_HELP)] = False,
    replace: Annotated[bool, typer.Option("--replace", help="文件库中文号已登记的，以文件中的为准")] = False,
    db: DbOption = None,
) -> None:
    """把电子表格台账导入数据库中该机关的台账：全部导入，或有任何问题时一条也不导入并逐行列出。"""
    from gongkai.registers.documents_sheet import import_documents
    from gongkai.registers.errors import RegisterError
    from gongkai.registers.spreadsheet import ImportErrors, import_requests
    from gongkai.store import registers as regs

    try:
        records = import_documents(path) if documents else import_requests(path)
        with store_or_exit(db) as store:
            target = _office(store, office, create=True)
            if documents:
                n = regs.import_documents(store, target, records, replace_existing=replace)  # type: ignore[arg-type]
            else:
                n = regs.import_requests(store, target, records)  # type: ignore[arg-type]
    except (ImportErrors, RegisterError, OSError) as exc:
        raise _fail(exc) from None
    what = "份文件" if documents else "件申请"
    print(f"已导入 {n} {what} → {target.name}")


@register_app.command("add")
def add(
    office: OfficeOption,
    request_id: Annotated[str, typer.Option("--id", help="申请编号")],
    received: Annotated[str, typer.Option("--received", help="收到日期，如 2025-03-05")],
    channel: Annotated[str, typer.Option("--channel", help=_CHANNEL_HELP)],
    applicant: Annotated[str, typer.Option("--applicant", help="申请人类型（表三的列）：自然人、商业企业、科研机构……")],
    content: Annotated[str, typer.Option("--content", help="申请内容")],
    name: Annotated[str, typer.Option("--name", help="申请人姓名或名称（个人信息）")] = "",
    contact: Annotated[str, typer.Option("--contact", help="联系方式（个人信息）")] = "",
    db: DbOption = None,
) -> None:
    """登记一件新收到的申请。"""
    from gongkai.registers import service
    from gongkai.registers.errors import RegisterError
    from gongkai.registers.spreadsheet import _norm, _vocab

    kind = _vocab("2021").applicants.get(_norm(applicant)) or applicant
    form = {"id": request_id, "received": received, "channel": channel, "applicant": kind, "content": content,
            "applicant_name": name, "contact": contact}
    try:
        with store_or_exit(db) as store:
            request = service.new_request(store, _office(store, office, create=True), form, by=None)
    except RegisterError as exc:
        raise _fail(exc) from None
    print(f"已登记申请 {request.id}（{request.received.isoformat()} 收到）")


@register_app.command("event")
def event(
    office: OfficeOption,
    request_id: Annotated[str, typer.Argument(help="申请编号")],
    kind: Annotated[str, typer.Argument(help=_EVENT_HELP)],
    fields: Annotated[list[str] | None, typer.Argument(help=_FIELDS_HELP)] = None,
    db: DbOption = None,
) -> None:
    """登记申请的一个事件（按条例的规则核验：如不能答复两次、延期最长 20 个工作日、收费金额自动计算）。"""
    from gongkai.registers import service
    from gongkai.registers.errors import RegisterError
    from gongkai.registers.events import EVENT_TYPES

    etype = next((t for t in EVENT_TYPES.values() if kind in (t.code, t.label)), None)
    if etype is None:
        allowed = "、".join(t.label for t in EVENT_TYPES.values())
        raise typer.BadParameter(f"“{kind}”不是可登记的事件；可选：{allowed}", param_hint="KIND")
    form = _form(etype, fields or [])
    try:
        with store_or_exit(db, create=False) as store:
            request = service.record(store, _office(store, office), request_id, etype.code, form, by=None)
    except RegisterError as exc:
        raise _fail(exc) from None
    print(f"已登记：{request.id} {etype.label}")
    _show(request)


def _form(etype: EventType, pairs: list[str]) -> dict[str, str]:
    """名称=值 pairs → the event's form; a field is named by its Chinese label or its code."""
    names = {f.label: f.name for f in etype.fields} | {f.name: f.name for f in etype.fields}
    form: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key.strip() not in names:
            allowed = "、".join(f.label for f in etype.fields)
            raise typer.BadParameter(f"“{pair}”应写成 名称=值，{etype.label}的内容有：{allowed}", param_hint="FIELDS")
        form[names[key.strip()]] = value
    return form


def _show(request: Request, today: date | None = None) -> None:
    from gongkai.registers.events import EVENT_TYPES, event_to_dict
    from gongkai.registers.service import request_view

    view = request_view(request, today or date.today())
    for e in request.events:
        d = event_to_dict(e)
        etype = EVENT_TYPES[d.pop("kind")]
        detail = "，".join(f"{f.label}：{_shown(f, d[f.name], request.format_id)}" for f in etype.fields
                          if f.name != "on" and d.get(f.name))
        fee = f"，金额：{d['amount_yuan']} 元" if "amount_yuan" in d else ""
        print(f"  {d['on']}  {etype.label}{'（' + detail + fee + '）' if detail or fee else ''}")
    if request.closed_on is None and view.deadline is not None:
        for step in view.deadline.steps:
            print(f"  · {step}")
    elif view.late:
        print("  · 逾期答复")


def _shown(f: FieldDef, value: object, format_id: str) -> str:
    """A field's value as people read it: a choice by its printed label."""
    from gongkai.registers.events import field_choices

    return field_choices(f.choices, format_id).get(str(value), str(value)) if f.kind == "choice" else str(value)


@register_app.command("show")
def show(office: OfficeOption, request_id: Annotated[str, typer.Argument(help="申请编号")],
         db: DbOption = None) -> None:
    """一件申请：内容、事件、答复期限及其计算过程。"""
    from gongkai.store import registers as regs

    with store_or_exit(db, create=False) as store:
        request = regs.load_request(store, _office(store, office), request_id, personal=True)
    if request is None:
        print(f"没有编号为「{request_id}」的申请", file=sys.stderr)
        raise typer.Exit(1)
    who = f"，申请人：{request.applicant_name}" if request.applicant_name else ""
    print(f"{request.id}：{request.received.isoformat()} 收到{who}；{request.content}")
    _show(request)


@register_app.command("open")
def open_(
    office: OfficeOption,
    today: Annotated[str | None, typer.Option("--today", help="按哪一天计算（默认今天），如 2025-10-20")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
    db: DbOption = None,
) -> None:
    """未办结的申请及其答复期限：已逾期的排在最前，其次按剩余工作日；等待申请人补正或缴费的排在最后。"""
    from gongkai.registers import service
    from gongkai.registers.errors import RegisterError

    day = _day(today)
    with store_or_exit(db, create=False) as store:
        try:
            listed = service.open_list(store, _office(store, office), day)
        except RegisterError as exc:  # a year the working-day calendar does not cover
            raise _fail(exc) from None
    if as_json:
        print(json.dumps([{"id": o.request.id, "received": o.request.received.isoformat(),
                           "due": o.deadline.due.isoformat() if o.deadline.due else None,
                           "days_left": o.deadline.days_left, "overdue": o.deadline.overdue,
                           "waiting": o.waiting} for o in listed], ensure_ascii=False))
        return
    if not listed:
        print(f"截至 {day.isoformat()} 没有未办结的申请。")
        return
    print(f"截至 {day.isoformat()}，未办结的申请 {len(listed)} 件：")
    for o in listed:
        d = o.deadline
        if o.waiting:
            state = "等待申请人补正或缴费"
        elif d.overdue:
            state = f"已逾期 {-(d.days_left or 0)} 个工作日"
        else:
            state = f"还剩 {d.days_left} 个工作日"
        due = d.due.isoformat() if d.due else "—"
        print(f"  {o.request.id}\t收到 {o.request.received.isoformat()}\t期限 {due}\t{state}")


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"“{text}”不是有效日期，应写成 2025-03-05", param_hint="--today") from None


@register_app.command("export")
def export(
    office: OfficeOption,
    out: Annotated[Path, typer.Argument(help="导出到的文件（.xlsx 或 .csv）")],
    documents: Annotated[bool, typer.Option("--documents", help="导出规范性文件库")] = False,
    db: DbOption = None,
) -> None:
    """把数据库中该机关的台账导出为电子表格（与导入的格式相同，含申请人个人信息，请妥善保管）。"""
    from gongkai.registers.documents_sheet import export_documents
    from gongkai.registers.spreadsheet import export_requests
    from gongkai.store import registers as regs

    with store_or_exit(db, create=False) as store:
        target = _office(store, office)
        if documents:
            records: list = regs.load_documents(store, [target.key])
            export_documents(records, out)
        else:
            records = regs.load_requests(store, [target.key], personal=True)
            export_requests(records, out)
    print(f"已导出 {len(records)} 条 → {out}")
